import Foundation

/// Everything Engram can do with a user's memory. Implemented by `SQLiteMemoryStore` (embedded default)
/// and the PostgreSQL store; the CLI, HTTP and MCP layers call only this protocol.
///
/// Every method is scoped by a user id and never reads or writes another user's rows. Every mutating
/// method runs in one transaction: when it throws, the store is as it was. Invalid input throws an
/// ``EngramError`` with a stable code before anything is written.
public protocol MemoryStore: Sendable {
    /// The embedder the store uses for memories and queries.
    var embedder: any Embedder { get }

    // MARK: Users

    /// Creates a user, or returns the existing one unchanged when the id is taken (idempotent).
    func createUser(_ draft: UserDraft) async throws -> User
    /// The user with `id`.
    func user(_ id: String) async throws -> User
    /// All users, by id. An administrative listing.
    func users() async throws -> [User]
    /// Changes a user.
    func updateUser(_ id: String, _ patch: UserPatch) async throws -> User
    /// Erases the user and every row that belongs to it; returns rows deleted per table.
    func eraseUser(_ id: String) async throws -> ErasureReceipt

    // MARK: Agents

    /// Creates an agent (persona) of a user.
    func createAgent(_ draft: AgentDraft) async throws -> Agent
    /// One agent.
    func agent(userID: String, id: String) async throws -> Agent
    /// The user's agents, by name.
    func agents(userID: String) async throws -> [Agent]
    /// Changes an agent.
    func updateAgent(userID: String, id: String, _ patch: AgentPatch) async throws -> Agent
    /// Deletes an agent; its sessions and memories stay, no longer tied to it.
    func deleteAgent(userID: String, id: String) async throws

    // MARK: Sessions

    /// Creates a session (chat) of a user.
    func createSession(_ draft: SessionDraft) async throws -> Session
    /// One session.
    func session(userID: String, id: String) async throws -> Session
    /// The user's sessions, most recently updated first.
    func sessions(userID: String, limit: Int) async throws -> [Session]
    /// Renames a session.
    func renameSession(userID: String, id: String, title: String?) async throws -> Session
    /// Deletes a session and its messages, facts and state; its memories stay.
    func deleteSession(userID: String, id: String) async throws

    // MARK: Messages (L1)

    /// Appends a message; it gets the next sequence number of its session.
    func appendMessage(_ draft: MessageDraft) async throws -> Message
    /// The session's messages in order, from sequence `after + 1`, at most `limit`.
    func messages(userID: String, sessionID: String, after: Int, limit: Int) async throws -> [Message]
    /// The active context: the last `window.turns` messages younger than `window.ttl`, oldest first.
    func activeContext(userID: String, sessionID: String, window: ContextWindow?) async throws -> [Message]

    // MARK: Working facts (L2)

    /// Adds a working fact that expires after its TTL.
    func addFact(_ draft: WorkingFactDraft) async throws -> WorkingFact
    /// Unexpired facts of a user, optionally of one session, newest first.
    func facts(userID: String, sessionID: String?, includeExpired: Bool) async throws -> [WorkingFact]
    /// Deletes one fact.
    func deleteFact(userID: String, id: String) async throws

    // MARK: Long-term memories (L3/L4)

    /// Stores a memory. Same content hash for the user → reinforces the existing memory;
    /// same entity `(system, id)` → merges the entity data and counts the update.
    func remember(_ draft: MemoryDraft) async throws -> RememberOutcome
    /// Stores many memories of one user in one transaction, embedding them in one batch: the bulk path.
    /// Each draft follows `remember`'s rules in order, so a later draft with the same content reinforces an
    /// earlier one. All or nothing; at most ``InputValidator/maxBatch`` drafts.
    func rememberAll(_ drafts: [MemoryDraft]) async throws -> [RememberOutcome]
    /// One memory.
    func memory(userID: String, id: String) async throws -> Memory
    /// Memories matching `filters`, newest first.
    func memories(userID: String, filters: RecallFilters, limit: Int, offset: Int) async throws -> [Memory]
    /// Changes a memory; new content is re-hashed and re-embedded.
    func updateMemory(userID: String, id: String, _ patch: MemoryPatch) async throws -> Memory
    /// Soft-forgets (closes `valid_to`) or hard-erases a memory.
    func forget(userID: String, id: String, mode: ForgetMode) async throws
    /// Sets the emotional annotation of a memory.
    func setEmotion(_ emotion: Emotion) async throws -> Emotion
    /// The emotional annotation of a memory, if any.
    func emotion(userID: String, memoryID: String) async throws -> Emotion?

    // MARK: Links

    /// Links two memories of one user; linking the same pair and type again updates the weight.
    func link(_ draft: LinkDraft) async throws -> Link
    /// Removes links from `sourceID` to `targetID` (of `type`, or all types); returns how many.
    func unlink(userID: String, sourceID: String, targetID: String, type: LinkType?) async throws -> Int
    /// Memories reachable from `memoryID` in 1…`depth` hops, in either direction, nearest first.
    func neighbours(userID: String, memoryID: String, depth: Int, types: Set<LinkType>) async throws -> [Neighbour]

    // MARK: Session state

    /// Sets a module's state value for a session.
    func setState(_ key: SessionStateKey, value: JSONValue) async throws -> SessionState
    /// A module's state value, if set.
    func state(_ key: SessionStateKey) async throws -> SessionState?
    /// Removes a state value; returns whether it existed.
    func deleteState(_ key: SessionStateKey) async throws -> Bool

    // MARK: Recall

    /// Ranked memories for a query, each with its score breakdown and source messages.
    func recall(_ query: RecallQuery) async throws -> [RecallResult]
    /// Records whether a recalled memory was useful; useful results gain salience, useless ones lose it.
    func feedback(userID: String, memoryID: String, query: String?, useful: Bool) async throws -> Feedback

    // MARK: Inspection and upkeep

    /// Counts and averages of one user's memory.
    func statistics(userID: String) async throws -> UserStatistics
    /// The user's audit trail, newest first.
    func auditLog(userID: String, limit: Int) async throws -> [AuditEntry]
    /// Decay sweep, TTL expiry, orphan cleanup and age-based purge for one user.
    func maintain(userID: String, options: MaintenanceOptions) async throws -> MaintenanceReport

    /// The configured and active embedding models and how many memories lack a vector of the configured one.
    func embeddingStatus() async throws -> EmbeddingStatus
    /// Embeds, in batches of `batchSize`, every memory (of every user) that lacks a vector of the configured model,
    /// reporting progress after each batch; then switches recall to the configured model. Recall keeps using the
    /// previous model's vectors until the set is complete. With `prune`, vectors of other models are then deleted.
    /// Safe to interrupt and run again: it resumes where it stopped.
    func reembed(batchSize: Int, prune: Bool, progress: @Sendable (ReembedProgress) -> Void) async throws
        -> ReembedReport

    /// Checks the connection, the schema and the database's own integrity.
    func health() async -> StoreHealth

    // MARK: Export and import

    /// Every row of every table of one user, parents before children.
    func export(userID: String) async throws -> [ExportRecord]
    /// Writes rows exactly as exported, all or nothing. Existing rows with the same keys are an error.
    func importRecords(_ records: [ExportRecord]) async throws -> ImportReport
}
