import Foundation

/// Row operations that memory formation needs: facts by subject, sessions ready to consolidate, entity aliases.
public protocol FormationRows {
    /// The user's working facts about any of `subjects` that expire after `date`, oldest first.
    func facts(userID: String, subjects: [String], at date: Date) async throws -> [WorkingFact]
    /// Writes every field of a working fact but its ids, session, agent and creation time.
    func updateFact(_ fact: WorkingFact) async throws
    /// The user's sessions with messages, unchanged since `date`, changed since consolidation last summarised them
    /// (or never summarised), least recently updated first, at most `limit`.
    func sessionsToConsolidate(userID: String, idleSince date: Date, limit: Int) async throws -> [Session]
    /// The user's memories about any of `subjects` (with parts) valid at `date`, oldest first.
    func memories(userID: String, subjects: [String], validAt date: Date) async throws -> [Memory]
    /// Alias → entity memory id, for the aliases the user has.
    func entityAliases(userID: String, aliases: [String]) async throws -> [String: String]
    /// Records aliases (alias → entity memory id); an alias the user already has keeps its memory.
    func insertEntityAliases(userID: String, aliases: [String: String], at date: Date) async throws
    /// Points the aliases of one entity memory at another (when two entities are merged).
    func moveEntityAliases(userID: String, from sourceID: String, to targetID: String) async throws
}
