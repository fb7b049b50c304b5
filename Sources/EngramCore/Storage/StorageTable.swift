/// The tables of Engram's schema, in dependency order: a parent before the rows that refer to it.
public enum StorageTable: String, Sendable, Hashable, CaseIterable, Codable {
    case users
    case agents
    /// The modules of the user's personas.
    case modules
    case sessions
    case messages
    case workingFacts = "working_facts"
    case memories
    case entityAliases = "entity_aliases"
    case embeddings
    case links
    case emotions
    case sessionState = "session_state"
    case feedback
    case auditLog = "audit_log"
    /// API keys: credentials, not memory. Erased with their user, never exported (a driver exports no rows of it).
    case apiKeys = "api_keys"

    /// The order an export writes (and an import reads): parents first. Every table but ``apiKeys``.
    public static let exportOrder: [StorageTable] = allCases.filter { $0 != .apiKeys }

    /// Where rows point at a memory (`table.column`): the orphan sweep deletes a row whose memory is gone.
    public static let memoryReferences: [(table: StorageTable, column: String)] = [
        (.embeddings, "memory_id"), (.emotions, "memory_id"), (.feedback, "memory_id"), (.links, "source_id"),
        (.links, "target_id"),
    ]

    /// The tables whose rows may name a session (`session_id`): the orphan sweep deletes a row whose session is gone.
    public static let sessionReferences: [StorageTable] = [.messages, .sessionState, .workingFacts]

    /// The order erasure deletes a user's rows: children first, so that each count is the table's own rows and
    /// not a cascade's. The user row itself comes last.
    public static let erasureOrder: [StorageTable] = [
        .feedback, .emotions, .links, .embeddings, .sessionState, .workingFacts, .entityAliases, .memories, .messages,
        .sessions, .modules, .agents, .auditLog, .apiKeys, .users,
    ]
}
