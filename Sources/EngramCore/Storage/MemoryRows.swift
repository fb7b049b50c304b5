import Foundation

/// Row operations on long-term memories, their emotions, feedback and links.
public protocol MemoryRows {
    /// One memory of a user; with `forUpdate`, locked until the transaction ends.
    func memory(userID: String, id: String, forUpdate: Bool) async throws -> Memory?
    /// The user's memories with these ids, in any order; unknown ids are left out.
    func memories(userID: String, ids: [String]) async throws -> [Memory]
    /// The user's memories matching `filters` at `date`, newest first, a page of `limit` from `offset`.
    func memories(userID: String, filters: RecallFilters, at date: Date, limit: Int, offset: Int) async throws
        -> [Memory]
    /// What `remember` can merge into or reinforce, oldest first: the memories of `entityIDs`, and the memories
    /// with no entity, a content hash in `hashes`, valid at `date`. With `lockKeys` (in a write transaction), takes
    /// those locks first, in their order, and locks the rows, so that concurrent writers of one entity or one
    /// content wait for each other.
    func rememberTargets(
        userID: String, entityIDs: [String], hashes: [String], validAt date: Date, lockKeys: [String]?
    ) async throws -> [Memory]
    /// The user's memories valid at `date`, locked: what a decay sweep reads.
    func validMemories(userID: String, at date: Date) async throws -> [Memory]
    /// The user's memories created before `date` (of `contextTypes`, or of any type when empty), locked.
    func memories(userID: String, createdBefore date: Date, contextTypes: Set<ContextType>) async throws -> [Memory]
    /// Inserts memories as they are.
    func insertMemories(_ memories: [Memory]) async throws
    /// Writes every field of each memory (found by user and id).
    func updateMemories(_ memories: [Memory]) async throws
    /// Records the accesses of each memory: its strength and `last_reinforced_at` / `last_accessed_at` (the
    /// access's date) set, its access count raised by the access's count. Rows are written in the given order.
    func recordAccesses(userID: String, _ accesses: [MemoryAccess]) async throws
    /// Writes decayed strengths as of `date` (`last_reinforced_at` becomes `date`).
    func updateStrengths(userID: String, strengths: [(id: String, strength: Double)], at date: Date) async throws
    /// Clears the parent of the memories whose parent is `parentID`.
    func clearParent(userID: String, parentID: String) async throws
    /// Deletes a memory with its vectors, links, emotion and feedback.
    func deleteMemory(userID: String, id: String) async throws

    /// The emotional annotation of a memory.
    func emotion(userID: String, memoryID: String) async throws -> Emotion?
    /// Inserts or replaces the emotional annotation of a memory.
    func upsertEmotion(_ emotion: Emotion) async throws
    /// Inserts a feedback row.
    func insertFeedback(_ feedback: Feedback) async throws

    /// The links from `sourceID` to `targetID`, of `type` or of every type.
    func links(userID: String, sourceID: String, targetID: String, type: LinkType?) async throws -> [Link]
    /// The user's links with either end in `ids` (of `types`, or of any type when empty), strongest first, then
    /// by id.
    func links(userID: String, touching ids: [String], types: Set<LinkType>) async throws -> [Link]
    /// Inserts a link, unless one of the same source, target and type exists (written by a concurrent writer);
    /// returns whether it did.
    func insertLink(_ link: Link) async throws -> Bool
    /// Writes the link's weight, origin and metadata.
    func updateLink(_ link: Link) async throws
    /// Deletes one link.
    func deleteLink(userID: String, id: String) async throws
    /// Raises each link's traversal count by the given count. Rows are written in the given order.
    func countTraversals(userID: String, _ traversals: [LinkTraversal]) async throws
}
