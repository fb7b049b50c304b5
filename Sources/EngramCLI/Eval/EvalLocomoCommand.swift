import ArgumentParser
import EngramCore
import Foundation

/// `engram eval locomo`: turn-level evidence retrieval on LoCoMo, with the metric of the project's baseline.
struct EvalLocomoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locomo",
        abstract: "Measure evidence recall on a LoCoMo file (Recall@k, all-evidence hits, NDCG@10 per category).",
        discussion: """
            Writes each conversation of the file into Engram as a user of its own (a session per LoCoMo session), \
            asks every question that has evidence through recall (reinforce off) and scores the turns the results \
            come from against the evidence turns, as locomo_retrieval.py does: Recall@k and All@k for k = 1, 5, \
            10, 20 and --k, NDCG@10, averaged over questions, per category and overall (1-4, 1-5).

            With --ingest turns each turn is one memory, "speaker: text [image: caption]", whose source is the \
            turn appended as a message dated at its session's date-time; with --ingest observe each turn is \
            observed. Results map to turns through \
            their source messages: in rank order, each result's source turns, each turn once.

            The database is a temporary SQLite file, deleted afterwards, unless --db or --database-url names one \
            ($ENGRAM_DB and $DATABASE_URL are not used); there the run's users are erased afterwards unless \
            --keep-users. Progress goes to standard error.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The LoCoMo JSON file (a list of samples).", valueName: "file"))
    var data: String

    @Option(name: .long, help: "The cut-off of the headline Recall@k; 1, 5, 10 and 20 are always reported.")
    var k = 10

    @Option(name: .long, help: "How turns are written: turns (a memory per turn) or observe.")
    var ingest: LocomoIngestMode = .turns

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("Only these conversations: sample ids (conv-26) or 1-based indexes.", valueName: "id"))
    var conversations: [String] = []

    @Option(name: .long, help: "table or json (--json is json).")
    var format: EvalFormat = .table

    @Flag(name: .long, help: "Keep the run's users in the database named by --db (they are erased by default).")
    var keepUsers = false

    @Flag(
        name: .long,
        help:
            "With --ingest observe: the share of LoCoMo's observations that an extracted fact of the same turn matches."
    )
    var observationCoverage = false

    @Option(name: .long, help: "The cosine at which an extracted fact matches an observation (--observation-coverage).")
    var coverageThreshold = 0.7

    /// Results asked of each recall: twice the turns a ranking needs, and at least 50.
    var recallDepth: Int { max(50, 2 * LocomoMetrics(k: k).depth) }

    func validate() throws {
        guard (1...500).contains(k) else { throw ValidationError("--k must be from 1 to 500.") }
        if observationCoverage, ingest != .observe {
            throw ValidationError("--observation-coverage measures extracted facts; add --ingest observe.")
        }
    }

    mutating func run() async throws {
        let conversations = try LocomoDataset.select(try LocomoDataset.load(path: data), self.conversations)
        var options = global
        var temporary: URL?
        if global.db == nil, global.databaseURL == nil {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "engram-eval-\(UUID().uuidString)")
            options.db = directory.appendingPathComponent("engram.sqlite").path
            temporary = directory
        }
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let database = temporary == nil ? options.databaseDescription() : "temporary SQLite file, deleted afterwards"
        let eraseUsers = temporary == nil && !keepUsers
        // Observed turns are replayed on a clock that follows the conversation, so that working facts expire and
        // sessions finish in the conversation's time, not today's.
        let replay = ingest == .observe ? ManualClock() : nil
        let report = try await options.withService(.write, clock: replay ?? SystemClock()) { service in
            try await evaluate(
                conversations, service: service, replay: replay, database: database, eraseUsers: eraseUsers)
        }
        if format == .json || global.json {
            try Output.json(report)
        } else {
            report.printText()
        }
    }

    /// Ingests and questions each conversation in turn, then sums and averages.
    private func evaluate(
        _ conversations: [LocomoConversation], service: MemoryService, replay: ManualClock?, database: String,
        eraseUsers: Bool
    ) async throws -> LocomoEvalReport {
        let clock = ContinuousClock()
        let started = clock.now
        let metrics = LocomoMetrics(k: k)
        let ingestor = LocomoIngestor(service: service, mode: ingest, replay: replay)
        let questioner = LocomoQuestioner(service: service, metrics: metrics, recallDepth: recallDepth)
        let run = UUID().uuidString.prefix(8).lowercased()
        var rows: [LocomoConversationReport] = []
        var scores: [ScoredQuestion] = []
        for (index, conversation) in conversations.enumerated() {
            let label = "eval: [\(index + 1)/\(conversations.count)] \(conversation.sampleID)"
            let ingestStart = clock.now
            let ingested = try await ingestor.ingest(conversation, userID: "locomo-\(run)-\(conversation.sampleID)")
            var counts = LocomoIngestCounts(ingested, statistics: try await service.statistics(userID: ingested.userID))
            if observationCoverage {
                counts.coverage = try await LocomoCoverage(service: service, threshold: coverageThreshold)
                    .measure(conversation, ingested: ingested)
            }
            let ingestSeconds = (clock.now - ingestStart).seconds
            Output.errorLine(
                "\(label): \(counts.turns) turns in \(counts.sessions) sessions ingested in "
                    + String(format: "%.1f s", ingestSeconds))
            let askStart = clock.now
            let asked = try await questioner.ask(conversation, ingested: ingested) { done, total in
                if done == total || done % 50 == 0 { Output.errorLine("\(label): \(done)/\(total) questions") }
            }
            scores += asked.scores
            rows.append(
                LocomoConversationReport(
                    sampleID: conversation.sampleID, userID: ingested.userID, ingested: counts,
                    questions: asked.counts, ingestSeconds: ingestSeconds,
                    questionSeconds: (clock.now - askStart).seconds))
            if eraseUsers { _ = try await service.eraseUser(ingested.userID) }
        }
        let totals = LocomoConversationReport(
            sampleID: "total", userID: "", ingested: rows.map(\.ingested).reduce(LocomoIngestCounts(), +),
            questions: rows.map(\.questions).reduce(LocomoQuestionCounts(), +),
            ingestSeconds: rows.map(\.ingestSeconds).reduce(0, +),
            questionSeconds: rows.map(\.questionSeconds).reduce(0, +))
        return LocomoEvalReport(
            data: data, database: database, embedder: EmbeddingModel(service.embedder).description,
            ingest: ingest, k: k, recallDepth: recallDepth, rankingDepth: metrics.depth, conversations: rows,
            totals: totals, summary: metrics.summary(scores), metrics: metrics.names,
            seconds: (clock.now - started).seconds)
    }
}

/// How `engram eval` prints its report.
enum EvalFormat: String, Sendable, CaseIterable, ExpressibleByArgument {
    case table, json
}
