import ArgumentParser
import EngramCore

/// `engram remember TEXT`: stores a long-term memory.
struct RememberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remember",
        abstract: "Store a memory; the same text again reinforces it, the same entity again merges it.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "What to remember.")
    var text: String

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

    func validate() throws {
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
            userID: global.userID, content: text, agentID: agent, sessionID: session,
            sector: try Sector.parse(sector), contextType: try ContextType.parse(contextType),
            salience: salience, importance: importance, tags: tags, keywords: keywords, category: category,
            metadata: try ArgumentValues.json(metadata, field: "--metadata") ?? .emptyObject,
            sourceMessageIDs: sourceMessages)
        if let entitySystem, let entityID {
            draft.entity = EntityReference(system: entitySystem, id: entityID, type: entityType)
            draft.entityData = try ArgumentValues.json(entityData, field: "--entity-data")
        }
        try await global.withStore { store in
            let outcome = try await store.remember(draft)
            if global.json {
                try Output.json(Report(action: outcome.action, id: outcome.memory.id, memory: outcome.memory))
            } else {
                Output.line("\(outcome.action.rawValue) \(outcome.memory.id)")
            }
        }
    }
}
