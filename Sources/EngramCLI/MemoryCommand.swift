import ArgumentParser
import EngramCore

/// `engram memory`: one memory by id, a page of memories, or a change to one.
struct MemoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Show, list or update long-term memories (remember, recall and forget have their own commands).",
        subcommands: [Show.self, List.self, Update.self],
        defaultSubcommand: List.self)

    /// `engram memory show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every field of one memory.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The memory id.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.read) { store in
                let memory = try await store.memory(userID: global.userID, id: id)
                if global.json { return try Output.json(memory) }
                MemoryCommand.print(memory)
            }
        }
    }

    /// `engram memory list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the user's memories, newest first.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "At most this many (1…100000).")
        var limit = 50

        @Option(help: "Skip this many first.")
        var offset = 0

        @Option(name: .customLong("sector"), help: "Only this sector (repeatable).")
        var sectors: [String] = []

        @Option(name: .customLong("tag"), help: "Only memories with this tag (repeatable; all must match).")
        var tags: [String] = []

        @Option(help: "Only memories of this session.")
        var session: String?

        @Flag(name: .customLong("include-invalid"), help: "Include superseded and soft-forgotten memories.")
        var includeInvalid = false

        mutating func run() async throws {
            let filters = RecallFilters(
                sectors: try ArgumentValues.set(sectors, as: Sector.self), tags: Set(tags), sessionID: session,
                includeInvalid: includeInvalid)
            let (limit, offset) = (self.limit, self.offset)
            try await global.withService(.read) { store in
                let memories = try await store.memories(
                    userID: global.userID, filters: filters, limit: limit, offset: offset)
                if global.json { return try Output.json(memories) }
                Output.printTable(
                    ["ID", "SECTOR", "CREATED", "STRENGTH", "CONTENT"],
                    memories.map {
                        [
                            $0.id, $0.sector.rawValue, Output.date($0.createdAt), Output.score($0.strength),
                            Output.truncate($0.content),
                        ]
                    }, empty: "No memories.")
            }
        }
    }

    /// `engram memory update ID`.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a memory; new content is re-hashed and re-embedded, a new sector takes its decay rate.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The memory id.")
        var id: String

        @Option(help: "The new content.")
        var content: String?

        @Option(help: "The new summary.")
        var summary: String?

        @Option(help: "The new sector.")
        var sector: String?

        @Option(name: .customLong("context-type"), help: "The new context type.")
        var contextType: String?

        @Option(help: "The new salience, 0…1.")
        var salience: Double?

        @Option(help: "The new importance, 0…1.")
        var importance: Double?

        @Option(name: .customLong("tag"), help: "A tag (repeatable); the tags given replace the memory's tags.")
        var tags: [String] = []

        @Option(name: .customLong("keyword"), help: "A keyword (repeatable); the keywords given replace them all.")
        var keywords: [String] = []

        @Option(help: "The new category.")
        var category: String?

        @Option(help: "New metadata, a JSON object (replaces the old).")
        var metadata: String?

        mutating func run() async throws {
            let patch = MemoryPatch(
                content: content, summary: summary, sector: try sector.map(Sector.parse),
                contextType: try contextType.map(ContextType.parse), salience: salience, importance: importance,
                tags: tags.isEmpty ? nil : tags, keywords: keywords.isEmpty ? nil : keywords, category: category,
                metadata: try ArgumentValues.json(metadata, field: "--metadata"))
            guard patch != MemoryPatch() else {
                throw ValidationError("Pass at least one field to change, such as --content or --salience.")
            }
            try await global.withService(.write) { store in
                let memory = try await store.updateMemory(userID: global.userID, id: id, patch)
                if global.json { return try Output.json(memory) }
                MemoryCommand.print(memory)
            }
        }
    }

    /// Prints one memory as aligned fields.
    static func print(_ memory: Memory) {
        var fields: [(String, String)] = [
            ("id", memory.id), ("content", memory.content), ("sector", memory.sector.rawValue),
            ("context type", memory.contextType.rawValue), ("salience", Output.score(memory.salience)),
            ("importance", Output.score(memory.importance)), ("strength", Output.score(memory.strength)),
            ("access count", "\(memory.accessCount)"), ("created", Output.date(memory.createdAt)),
            ("updated", Output.date(memory.updatedAt)), ("valid from", Output.date(memory.validFrom)),
            ("valid to", Output.date(memory.validTo)), ("tags", memory.tags.joined(separator: ", ")),
            ("keywords", memory.keywords.joined(separator: ", ")), ("metadata", memory.metadata.jsonText),
        ]
        if let summary = memory.summary { fields.append(("summary", summary)) }
        if let category = memory.category { fields.append(("category", category)) }
        if let session = memory.sessionID { fields.append(("session", session)) }
        if let agent = memory.agentID { fields.append(("agent", agent)) }
        if let entity = memory.entity {
            fields.append(("entity", "\(entity.system)/\(entity.id)" + (entity.type.map { " (\($0))" } ?? "")))
            fields.append(("entity data", memory.entityData?.jsonText ?? "{}"))
        }
        if !memory.sourceMessageIDs.isEmpty {
            fields.append(("source messages", memory.sourceMessageIDs.joined(separator: ", ")))
        }
        Output.printFields(fields)
    }
}
