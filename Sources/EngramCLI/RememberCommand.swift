import ArgumentParser
import EngramCore

/// `engram remember TEXT`: stores a long-term memory. `engram remember --file PATH` stores one memory per line,
/// in batches of one transaction each (the bulk path).
struct RememberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remember",
        abstract: "Store a memory; the same text again reinforces it, the same entity again merges it.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "What to remember (or use --file).")
    var text: String?

    @Option(help: "Remember every non-empty line of this file ('-' for standard input), with the options below.")
    var file: String?

    @Option(help: "Memories per transaction with --file (1…10000).")
    var batch = 500

    @Option(help: "episodic, semantic, procedural, emotional or reflective.")
    var sector = Sector.semantic.rawValue

    @Option(name: .customLong("context-type"), help: "Where it came from, such as conversation_fact or tool_output.")
    var contextType = ContextType.conversationFact.rawValue

    @Option(help: "How much it stands out, 0…1.")
    var salience = 0.5

    @Option(help: "How much it matters to the user, 0…1.")
    var importance = 0.5

    @Option(name: .customLong("tag"), help: "A tag (repeatable).")
    var tags: [String] = []

    @Option(name: .customLong("keyword"), help: "A keyword (repeatable).")
    var keywords: [String] = []

    @Option(help: "A category.")
    var category: String?

    @Option(help: "The session it came from.")
    var session: String?

    @Option(help: "The agent it belongs to.")
    var agent: String?

    @Option(help: "shared (every agent of the user, the default) or private (only --agent recalls it).")
    var visibility = Visibility.shared.rawValue

    @Option(name: .customLong("entity-system"), help: "The external system of the entity it describes.")
    var entitySystem: String?

    @Option(name: .customLong("entity-id"), help: "The entity's id in that system.")
    var entityID: String?

    @Option(name: .customLong("entity-type"), help: "The entity's type.")
    var entityType: String?

    @Option(name: .customLong("entity-data"), help: "The entity's data as a JSON object; merged when remembered again.")
    var entityData: String?

    @Option(help: "Metadata as a JSON object.")
    var metadata: String?

    @Option(name: .customLong("source-message"), help: "The id of a message it was drawn from (repeatable).")
    var sourceMessages: [String] = []

    /// A remembered memory and what the store did with it.
    struct Report: Codable {
        var action: RememberAction
        var id: String
        var memory: Memory
    }

    /// What a `--file` run did.
    struct FileReport: Codable, Sendable {
        var memories: Int
        var batches: Int
        var actions: [String: Int]
    }

    func validate() throws {
        if (text == nil) == (file == nil) {
            throw ValidationError("Pass the text to remember, or --file PATH, but not both.")
        }
        if !(1...InputValidator.maxBatch).contains(batch) {
            throw ValidationError("--batch must be between 1 and \(InputValidator.maxBatch).")
        }
        if (entitySystem == nil) != (entityID == nil) {
            throw ValidationError("Pass --entity-system and --entity-id together to name an entity.")
        }
        if entitySystem == nil, entityType != nil || entityData != nil {
            throw ValidationError(
                "--entity-type and --entity-data need an entity; add --entity-system and --entity-id.")
        }
    }

    mutating func run() async throws {
        var draft = MemoryDraft(
            userID: global.userID, content: text ?? "", agentID: agent, sessionID: session,
            sector: try Sector.parse(sector), contextType: try ContextType.parse(contextType),
            salience: salience, importance: importance, tags: tags, keywords: keywords, category: category,
            metadata: try ArgumentValues.json(metadata, field: "--metadata") ?? .emptyObject,
            sourceMessageIDs: sourceMessages, visibility: try Visibility.parse(visibility))
        if let entitySystem, let entityID {
            draft.entity = EntityReference(system: entitySystem, id: entityID, type: entityType)
            draft.entityData = try ArgumentValues.json(entityData, field: "--entity-data")
        }
        if let file {
            try await rememberLines(of: file, like: draft)
            return
        }
        try await global.withService(.write) { store in
            let outcome = try await store.remember(draft)
            if global.json {
                try Output.json(Report(action: outcome.action, id: outcome.memory.id, memory: outcome.memory))
            } else {
                Output.line("\(outcome.action.rawValue) \(outcome.memory.id)")
            }
        }
    }

    /// One memory per non-empty line, `batch` per transaction. Batches before a failing one stay stored; the
    /// error says how many lines were stored.
    private func rememberLines(of path: String, like template: MemoryDraft) async throws {
        let lines = try ArgumentValues.lines(of: path).filter { !$0.allSatisfy(\.isWhitespace) }
        let batchSize = batch
        try await global.withService(.write) { store in
            // A large file is a bulk load: PostgreSQL's vector index is built once, after the last batch.
            let report = try await store.bulkLoad(memories: lines.count) {
                try await Self.remember(lines, like: template, batchSize: batchSize, into: store)
            }
            if global.json {
                try Output.json(report)
            } else {
                let actions = report.actions.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                Output.line(
                    "\(report.memories) memories in \(report.batches) batches: \(actions.joined(separator: ", "))")
            }
        }
    }

    /// Remembers `lines` like `template`, `batchSize` per transaction.
    private static func remember(
        _ lines: [String], like template: MemoryDraft, batchSize: Int, into store: MemoryService
    ) async throws -> FileReport {
        var report = FileReport(memories: 0, batches: 0, actions: [:])
        var next = 0
        do {
            try await store.rememberBatches {
                guard next < lines.count else { return nil }
                defer { next += batchSize }
                return lines[next..<min(next + batchSize, lines.count)].map { line in
                    var draft = template
                    draft.content = line
                    return draft
                }
            } stored: { outcomes in
                report.memories += outcomes.count
                report.batches += 1
                for outcome in outcomes { report.actions[outcome.action.rawValue, default: 0] += 1 }
            }
        } catch let error as EngramError {
            let first = report.memories + 1
            throw EngramError(
                error.code,
                "Lines \(first)–\(min(first + batchSize - 1, lines.count)) were not stored (\(report.memories) before them were): \(error.message)"
            )
        }
        return report
    }
}
