import EngramCore
import Foundation
import Testing

@testable import EngramCLI

@Suite("init, stats, doctor, export, import, demo")
struct StoreCommandTests {
    let temporary: TemporaryFiles
    let db: String

    init() {
        temporary = TemporaryFiles()
        db = temporary.database()
    }

    @Test func initIsIdempotentAndPrintsHealth() async throws {
        let first = try await CLI.run(["init", "--db", db, "--user", "dana"])
        #expect(first.contains("schema version:"))
        #expect(first.contains("embedding model:"))
        _ = try await CLI.run(["remember", "Dana likes tea", "--db", db, "--user", "dana"])
        _ = try await CLI.run(["init", "--db", db, "--user", "dana"])
        let statistics = try await CLI.json(UserStatistics.self, ["stats", "--db", db, "--user", "dana"])
        #expect(statistics.memories == 1)
    }

    @Test func statsAndDoctorJSONParse() async throws {
        _ = try await CLI.run(["init", "--db", db, "--user", "dana"])
        for command in [["stats"], ["doctor"]] {
            let output = try await CLI.run(command + ["--json", "--db", db, "--user", "dana"])
            let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
            #expect(object is [String: Any], "\(command) printed \(output)")
        }
        let doctor = try await CLI.json(DoctorCommand.Report.self, ["doctor", "--db", db])
        #expect(doctor.health.status == "ok")
        #expect(doctor.embedder == "hashing-v1-384 (384)")
        #expect(doctor.embeddings?.active == EmbeddingModel(HashingEmbedder()))
        let run = await CLI.execute(["doctor", "--db", db])
        #expect(run.exitCode == 0)
    }

    @Test func switchingToMiniLMReembedsThenRecallRanksByMeaning() async throws {
        _ = try await CLI.run(["init", "--db", db, "--user", "dana"])
        for text in ["The puppy chewed my slippers", "Sunny weather all week", "Bought new running shoes"] {
            _ = try await CLI.run(["remember", text, "--db", db, "--user", "dana"])
        }
        let minilm = ["--embedder", "minilm", "--db", db]
        let before = try await CLI.json(DoctorCommand.Report.self, ["doctor"] + minilm)
        #expect(before.embedder == "all-MiniLM-L6-v2 (384)", "run ./scripts/setup.sh to install the model")
        #expect(before.embeddings?.active == EmbeddingModel(HashingEmbedder()))
        #expect(before.embeddings?.missing == 3)
        // Before the switch, recall still ranks with hashing, which cannot relate dog and puppy.
        let lexical = try await CLI.json(
            RecallCommand.Report.self, ["recall", "dog", "--user", "dana", "--no-reinforce"] + minilm)
        #expect(lexical.results.allSatisfy { $0.score.vector < 0.2 })

        let report = try await CLI.json(ReembedReport.self, ["reembed", "--batch", "2"] + minilm)
        #expect(report.embedded == 3)
        #expect(report.switched)
        let semantic = try await CLI.json(
            RecallCommand.Report.self, ["recall", "dog", "--user", "dana", "--no-reinforce"] + minilm)
        #expect(semantic.results.first?.memory.content == "The puppy chewed my slippers")
        let after = try await CLI.json(DoctorCommand.Report.self, ["doctor"] + minilm)
        #expect(after.embeddings?.active.model == "all-MiniLM-L6-v2")
        #expect(after.embeddings?.missing == 0)
    }

    /// An export without the audit lines an import wrote (reason `import`): what an import reproduces.
    private func withoutImportLines(_ export: String) -> String {
        export.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains(#""reason":"import""#) }.joined(separator: "\n")
    }

    private func populate(_ db: String, user: String) async throws {
        _ = try await CLI.run(["demo", "--db", db, "--user", user])
        _ = try await CLI.run(["facts", "add", "Wants a summary", "--db", db, "--user", user])
    }

    @Test func exportImportRoundTripIsExact() async throws {
        try await populate(db, user: "erin")
        try await populate(db, user: "frank")
        let exported = try temporary.file("export.jsonl")
        let summary = try await CLI.run(["export", "--all-users", "--output", exported, "--db", db])
        #expect(summary.hasPrefix("exported "))
        let original = try String(contentsOfFile: exported, encoding: .utf8)
        #expect(original.contains(#""table":"users""#))
        #expect(original.contains(#""table":"embeddings""#))

        let copy = temporary.database()
        let report = try await CLI.json(ImportReport.self, ["import", exported, "--all-users", "--db", copy])
        #expect(report.total == original.split(separator: "\n").count)

        let reexported = try await CLI.run(["export", "--all-users", "--db", copy])
        #expect(reexported.contains(#""action":"memory.import""#), "the import audits its rows")
        #expect(withoutImportLines(reexported) == original)
        let erin = try await CLI.run(["export", "--db", copy, "--user", "erin"])
        #expect(!erin.isEmpty)
        #expect(!erin.contains(#""userID":"frank""#))
    }

    @Test func importSkipsEmptyLines() async throws {
        try await populate(db, user: "gina")
        let original = try await CLI.run(["export", "--db", db, "--user", "gina"])
        let spaced = try temporary.file("spaced.jsonl")
        try ("\n" + original.replacingOccurrences(of: "\n", with: "\n\n")).write(
            toFile: spaced, atomically: true, encoding: .utf8)
        let copy = temporary.database()
        _ = try await CLI.run(["import", spaced, "--db", copy, "--user", "gina"])
        let reexported = try await CLI.run(["export", "--db", copy, "--user", "gina"])
        #expect(withoutImportLines(reexported) == original)
    }

    @Test func malformedImportNamesTheLineAndImportsNothing() async throws {
        try await populate(db, user: "hugo")
        let original = try await CLI.run(["export", "--db", db, "--user", "hugo"])
        var lines = original.split(separator: "\n").map(String.init)
        #expect(lines.count > 5)
        lines[4] = #"{"table":"memories","row":{"id":42}}"#
        let broken = try temporary.file("broken.jsonl")
        try lines.joined(separator: "\n").write(toFile: broken, atomically: true, encoding: .utf8)

        let copy = temporary.database()
        await #expect {
            try await CLI.run(["import", broken, "--db", copy])
        } throws: { error in
            guard let error = error as? EngramError else { return false }
            return error.code == .malformedImport && error.message.contains("Line 5")
        }
        let run = await CLI.execute(["import", broken, "--db", copy])
        #expect(run.exitCode == 4)
        #expect(run.error.hasPrefix("error[malformed_import]: Line 5 "))

        // Nothing was written: not even an empty database.
        #expect(!FileManager.default.fileExists(atPath: copy))
        #expect(await CLI.execute(["export", "--all-users", "--db", copy]).exitCode == 3)
    }

    @Test func demoRunsAndIsRerunnable() async throws {
        let first = await CLI.execute(["demo", "--db", db, "--user", "demo"])
        #expect(first.exitCode == 0, "\(first.error)")
        #expect(first.error.isEmpty)
        for expected in ["created", "reinforced", "merged", "what does the user eat?", "SCORE", "memories:"] {
            #expect(first.output.contains(expected), "demo output lacks \(expected)")
        }

        let second = try await CLI.json(DemoCommand.Report.self, ["demo", "--db", db, "--user", "demo"])
        #expect(second.remembered.allSatisfy { $0.action != .created })
        #expect(second.recalls.map(\.query) == DemoScript.queries)
        let eat = try #require(second.recalls.first?.results.first)
        #expect(eat.memory.content.contains("vegetarian"))
        #expect(second.statistics.memories == DemoScript.memories.count + 1)
        #expect(second.messages.count == DemoScript.conversation.count)
    }
}
