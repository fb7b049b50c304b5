import EngramCore
import Foundation

/// What ingestion left in one user's memory (from ``UserStatistics``) and what `observe` reported writing.
struct LocomoIngestCounts: Sendable, Hashable, Codable {
    var sessions = 0
    var turns = 0
    var messages = 0
    var memories = 0
    /// Memories no longer valid: superseded or forgotten.
    var invalidMemories = 0
    var entities = 0
    var links = 0
    var linksByType: [String: Int] = [:]
    var workingFacts = 0
    /// Facts the `observe` calls returned (extracted or reinforced), summed over turns.
    var factsObserved = 0
    /// Links the `observe` calls returned, summed over turns.
    var linksObserved = 0
    /// Turns whose extraction ran out of budget and was deferred.
    var deferredExtractions = 0
    /// Working facts promoted to long-term memory by consolidation.
    var promotedFacts = 0
    /// Memories closed by a contradicting fact.
    var supersededMemories = 0
    /// Sessions summarised into episodes.
    var episodes = 0
    /// LoCoMo observations an extracted fact of the same turn matches (`--observation-coverage`).
    var coverage: ObservationCoverage?

    init() {}

    /// The counts of one ingested conversation, with the statistics of its user afterwards.
    init(_ ingested: IngestedConversation, statistics: UserStatistics) {
        sessions = ingested.sessions
        turns = ingested.turns
        messages = statistics.messages
        memories = statistics.memories
        invalidMemories = statistics.memories - statistics.validMemories
        entities = statistics.entities
        links = statistics.links
        linksByType = statistics.linksByType
        workingFacts = statistics.activeWorkingFacts
        factsObserved = ingested.factsExtracted
        linksObserved = ingested.linksWritten
        deferredExtractions = ingested.deferredExtractions
        promotedFacts = ingested.consolidation.promotedFacts
        supersededMemories = ingested.consolidation.supersededMemories
        episodes = ingested.consolidation.episodes
    }

    /// The sum of two counts.
    static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.sessions += rhs.sessions
        sum.turns += rhs.turns
        sum.messages += rhs.messages
        sum.memories += rhs.memories
        sum.invalidMemories += rhs.invalidMemories
        sum.entities += rhs.entities
        sum.links += rhs.links
        sum.linksByType.merge(rhs.linksByType, uniquingKeysWith: +)
        sum.workingFacts += rhs.workingFacts
        sum.factsObserved += rhs.factsObserved
        sum.linksObserved += rhs.linksObserved
        sum.deferredExtractions += rhs.deferredExtractions
        sum.promotedFacts += rhs.promotedFacts
        sum.supersededMemories += rhs.supersededMemories
        sum.episodes += rhs.episodes
        if let other = rhs.coverage { sum.coverage = (sum.coverage ?? ObservationCoverage()) + other }
        return sum
    }
}

/// One conversation's part of the evaluation.
struct LocomoConversationReport: Sendable, Hashable, Codable {
    var sampleID: String
    var userID: String
    var ingested: LocomoIngestCounts
    var questions: LocomoQuestionCounts
    var ingestSeconds: Double
    var questionSeconds: Double
}

/// What `engram eval locomo` measured.
struct LocomoEvalReport: Sendable, Hashable, Codable {
    var data: String
    var database: String
    var embedder: String
    var ingest: LocomoIngestMode
    var k: Int
    /// Results asked of each recall.
    var recallDepth: Int
    /// Turns each question's ranking is cut to: the deepest cut-off.
    var rankingDepth: Int
    var conversations: [LocomoConversationReport]
    var totals: LocomoConversationReport
    /// Mean metrics per category and overall (1-4, 1-5).
    var summary: [LocomoGroupSummary]
    /// Metric names in report order.
    var metrics: [String]
    var seconds: Double

    /// Prints the report as text: the run, ingestion per conversation, the questions, then the metrics table.
    func printText() {
        Output.printFields([
            ("data", data),
            ("database", database),
            ("embedder", embedder),
            ("ingest", ingest.rawValue),
            ("recall", "k=\(recallDepth) results per question, mapped to turns through source messages"),
        ])
        Output.line()
        let rows = (conversations + [totals]).map { row in
            [
                row.sampleID, "\(row.ingested.sessions)", "\(row.ingested.turns)", "\(row.ingested.memories)",
                "\(row.ingested.invalidMemories)", "\(row.ingested.workingFacts)", "\(row.ingested.entities)",
                "\(row.ingested.links)", Output.counts(row.ingested.linksByType), "\(row.questions.asked)",
                String(format: "%.1f", row.ingestSeconds), String(format: "%.1f", row.questionSeconds),
            ]
        }
        Output.printTable(
            [
                "conversation", "sessions", "turns", "memories", "invalid", "facts", "entities", "links",
                "links by type", "asked", "ingest s", "recall s",
            ], rows, empty: "no conversations")
        if ingest == .observe {
            let formed = totals.ingested
            Output.line()
            Output.line(
                "formation: \(formed.factsObserved) facts extracted or reinforced, \(formed.promotedFacts) promoted, "
                    + "\(formed.supersededMemories) memories superseded, \(formed.episodes) episodes, "
                    + "\(formed.deferredExtractions) extractions deferred")
            if let coverage = formed.coverage {
                Output.line(
                    "observation coverage: \(coverage.covered) of \(coverage.observations) LoCoMo observations matched "
                        + "by a fact of the same turn (" + String(format: "%.3f", coverage.share) + ")")
            }
        }
        let counts = totals.questions
        Output.line()
        Output.line(
            "questions: \(counts.total) in the file, \(counts.asked) asked; not asked: \(counts.emptyEvidence) without "
                + "evidence, \(counts.noValidEvidence) without a valid evidence id; \(counts.evidenceNormalised) with "
                + "evidence normalised; \(counts.shortRankings) mapped to fewer than \(rankingDepth) turns")
        Output.line()
        Output.printTable(
            ["group", "n"] + metrics,
            summary.map { group in
                [group.group, "\(group.questions)"] + metrics.map { Output.score(group.metrics[$0] ?? 0) }
            }, empty: "no questions asked")
        Output.line()
        Output.line(String(format: "%.1f s in all", seconds))
    }
}
