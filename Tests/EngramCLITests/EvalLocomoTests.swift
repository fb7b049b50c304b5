import EngramCore
import Foundation
import Testing

@testable import EngramCLI

/// `engram eval locomo`: the baseline's metric and evidence rules, and the command on a synthetic conversation.
@Suite struct EvalLocomoTests {
    let files = TemporaryFiles()

    /// Two invented conversations in the LoCoMo format (Fixtures/README.md).
    static let fixture = Bundle.module.url(forResource: "Fixtures/synthetic_locomo", withExtension: "json")!.path

    @Test func recallAllHitsAndNDCGMatchAHandComputedRanking() throws {
        let metrics = LocomoMetrics(k: 3)
        #expect(metrics.cutoffs == [1, 3, 5, 10, 20])
        #expect(metrics.depth == 20)
        // Gold turns at ranks 2 and 12 (1-based).
        let ranked = (1...20).map { "D1:\($0)" }.map { $0 == "D1:12" ? "D9:9" : $0 }
        let scores = metrics.score(ranked: ranked, gold: ["D1:2", "D9:9"])
        let expected: [String: Double] = [
            "R@1": 0, "R@3": 0.5, "R@5": 0.5, "R@10": 0.5, "R@20": 1,
            "All@1": 0, "All@3": 0, "All@5": 0, "All@10": 0, "All@20": 1,
            // Only rank 2 is within 10: (1/log2 3) / (1 + 1/log2 3).
            "NDCG@10": (1 / log2(3.0)) / (1 + 1 / log2(3.0)),
        ]
        #expect(Set(scores.keys) == Set(expected.keys))
        for (name, value) in expected {
            #expect(abs(scores[name]! - value) < 1e-12, "\(name)")
        }
        #expect(
            metrics.names == [
                "R@1", "R@3", "R@5", "R@10", "R@20", "NDCG@10", "All@1", "All@3", "All@5", "All@10", "All@20",
            ])
        // A perfect ranking, and one shorter than the cut-offs.
        #expect(metrics.score(ranked: ["D1:2", "D9:9"], gold: ["D9:9", "D1:2"])["NDCG@10"] == 1)
        #expect(metrics.score(ranked: [], gold: ["D1:2"])["R@20"] == 0)
    }

    @Test func summaryAveragesOverQuestionsPerCategoryAndOverall() throws {
        let metrics = LocomoMetrics(k: 10)
        let question = { (category: Int, ranked: [String]) in
            ScoredQuestion(category: category, scores: metrics.score(ranked: ranked, gold: ["a", "b"]))
        }
        let summary = metrics.summary([question(1, ["a"]), question(1, ["a", "b"]), question(5, [])])
        #expect(summary.map(\.group) == ["cat1 multi-hop", "cat5 adversarial", "overall 1-4", "overall 1-5"])
        #expect(summary.map(\.questions) == [2, 1, 2, 3])
        #expect(summary[0].metrics["R@10"] == 0.75)
        #expect(summary[0].metrics["All@10"] == 0.5)
        #expect(summary[1].metrics["R@10"] == 0)
        #expect(summary[3].metrics["R@10"] == 0.5)
        #expect(summary.allSatisfy { Set($0.metrics.keys) == Set(metrics.names) })
    }

    @Test func evidenceIsNormalisedAsTheBaselineDoes() {
        let valid: Set<String> = ["D8:6", "D9:17", "D11:26", "D30:5", "D1:2", "D2:1"]
        #expect(LocomoEvidence.normalise(["D8:6; D9:17"], valid: valid) == ["D8:6", "D9:17"])
        #expect(LocomoEvidence.normalise(["D:11:26"], valid: valid) == ["D11:26"])
        #expect(LocomoEvidence.normalise(["D30:05"], valid: valid) == ["D30:5"])
        #expect(LocomoEvidence.normalise(["D1:2, D2:1", "D1:2", " D2:1 "], valid: valid) == ["D1:2", "D2:1"])
        // Ids that are not turns of the conversation, and pieces of no id shape, are dropped.
        #expect(LocomoEvidence.normalise(["D99:1", "D1", "X1:2", "D1:2:3", "D:", "", "d1:2"], valid: valid) == [])
        #expect(LocomoEvidence.normalise(["D99:1; D8:6"], valid: valid) == ["D8:6"])
    }

    @Test func resultsMapToTheirSourceTurnsInRankOrderEachOnce() {
        let turnOfMessage = ["m1": "D1:1", "m2": "D1:2", "m3": "D1:3", "m4": "D2:1"]
        let sources = [["m2"], ["m1", "m3"], [], ["m3", "x", "m4"], ["m1"]]
        #expect(
            LocomoQuestioner.turns(of: sources, turnOfMessage: turnOfMessage, limit: 10) == [
                "D1:2", "D1:1", "D1:3", "D2:1",
            ])
        #expect(LocomoQuestioner.turns(of: sources, turnOfMessage: turnOfMessage, limit: 2) == ["D1:2", "D1:1"])
    }

    @Test func sessionDateTimesReadAsUTC() throws {
        let formatter = ISO8601DateFormatter()
        #expect(LocomoDate.parse("1:56 pm on 8 May, 2023") == formatter.date(from: "2023-05-08T13:56:00Z"))
        #expect(LocomoDate.parse("12:48 am on 1 February, 2023") == formatter.date(from: "2023-02-01T00:48:00Z"))
        #expect(LocomoDate.parse("12:05 pm on 30 March, 2024") == formatter.date(from: "2024-03-30T12:05:00Z"))
        for bad in ["noon on 30 March, 2024", "1:56 pm on 31 February, 2023", "13:00 pm on 1 May, 2023", ""] {
            #expect(LocomoDate.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func theFileReadsAsSessionsOfTurnsAndQuestions() throws {
        let conversations = try LocomoDataset.load(path: Self.fixture)
        #expect(conversations.map(\.sampleID) == ["syn-1", "syn-2"])
        let first = conversations[0]
        // Date keys without a session (session_3, session_4) make no session.
        #expect(first.sessions.map(\.number) == [1, 2])
        #expect(first.sessions[0].dateTime == "9:15 am on 3 March, 2024")
        #expect(first.turns.count == 9)
        #expect(
            first.turns[2].document
                == "Ada: Pebble is a lovely name. Here is the first bowl I made. [image: a photo of a lopsided blue ceramic bowl]"
        )
        #expect(first.turns[3].document == "Bruno: Thanks!")
        #expect(first.questions.count == 9)
        #expect(first.questions[6].evidence.isEmpty)
        #expect(try LocomoDataset.select(conversations, ["2"]).map(\.sampleID) == ["syn-2"])
        #expect(try LocomoDataset.select(conversations, ["syn-2", "1"]).map(\.sampleID) == ["syn-1", "syn-2"])
        #expect(throws: EngramError.self) { try LocomoDataset.select(conversations, ["3"]) }
        let notLocomo = try files.file("not-locomo.json")
        try Data(#"{"sample_id": "x"}"#.utf8).write(to: URL(fileURLWithPath: notLocomo))
        #expect(throws: EngramError.self) { try LocomoDataset.load(path: notLocomo) }
    }

    @Test func theCommandReportsEveryMetricAndCountOnTheSyntheticFile() async throws {
        let db = files.database()
        let run = await CLI.execute(["eval", "locomo", "--data", Self.fixture, "--db", db, "--format", "json"])
        #expect(run.exitCode == 0, "\(run.error)")
        // Standard output is one JSON document; progress went to standard error.
        let report = try Output.jsonDecoder().decode(LocomoEvalReport.self, from: Data(run.output.utf8))
        #expect(run.error.contains("eval: [2/2] syn-2: 6/6 questions"))
        #expect(report.ingest == .turns)
        #expect(report.k == 10)
        #expect(report.metrics == ["R@1", "R@5", "R@10", "R@20", "NDCG@10", "All@1", "All@5", "All@10", "All@20"])
        #expect(
            report.summary.map(\.group) == [
                "cat1 multi-hop", "cat2 temporal", "cat3 open-domain", "cat4 single-hop", "cat5 adversarial",
                "overall 1-4", "overall 1-5",
            ])
        #expect(report.summary.map(\.questions) == [3, 2, 2, 4, 2, 11, 13])
        for group in report.summary {
            #expect(Set(group.metrics.keys) == Set(report.metrics))
            #expect(group.metrics.values.allSatisfy { (0...1).contains($0) }, "\(group.group)")
        }
        // Turns: 17, each appended as a message; the repeated "Bruno: Thanks!" is one memory with two sources.
        #expect(report.totals.ingested.turns == 17)
        #expect(report.totals.ingested.messages == 17)
        #expect(report.totals.ingested.memories == 16)
        #expect(report.totals.ingested.sessions == 4)
        #expect(report.conversations.map(\.sampleID) == ["syn-1", "syn-2"])
        let questions = report.totals.questions
        #expect(questions.total == 15)
        #expect(questions.asked == 13)
        #expect(questions.emptyEvidence == 1)
        #expect(questions.noValidEvidence == 1)
        #expect(questions.evidenceNormalised == 5)
        // A conversation has fewer than 20 turns: every ranking is short.
        #expect(questions.shortRankings == 13)
        // The run's users were erased from the named database afterwards.
        #expect(try await CLI.json([User].self, ["user", "list", "--db", db]).isEmpty)
    }

    @Test func theTableNamesTheGroupsAndKeptUsersStay() async throws {
        let db = files.database()
        let output = try await CLI.run([
            "eval", "locomo", "--data", Self.fixture, "--db", db, "--conversations", "syn-2", "--k", "3",
            "--keep-users",
        ])
        #expect(output.contains("R@3"))
        #expect(output.contains("overall 1-4"))
        #expect(output.contains("syn-2"))
        #expect(!output.contains("syn-1"))
        let users = try await CLI.json([User].self, ["user", "list", "--db", db])
        #expect(users.count == 1)
        #expect(users.first?.id.hasSuffix("-syn-2") == true)
    }
}
