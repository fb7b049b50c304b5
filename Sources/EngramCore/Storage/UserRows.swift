import Foundation

/// Row operations on users and their agents. Every method runs inside the caller's transaction.
public protocol UserRows {
    /// The user with `id`; with `forUpdate`, locked until the transaction ends.
    func user(_ id: String, forUpdate: Bool) async throws -> User?
    /// Every user, by id.
    func users() async throws -> [User]
    /// Inserts a user with zero counters, unless the id is taken (by a concurrent writer); returns whether it did.
    func insertUser(_ user: User) async throws -> Bool
    /// Writes the user's name, role, info, `updated_at` and `last_activity_at`; the counters stay the triggers'.
    func updateUser(_ user: User) async throws
    /// Records `date` as the user's latest activity, unless a later one is recorded.
    func touchUser(_ id: String, at date: Date) async throws
    /// Sets the user's counters and times to `user`'s: after an import, whose rows the triggers counted as they came.
    func restoreCounters(of user: User) async throws

    /// One agent of a user.
    func agent(userID: String, id: String) async throws -> Agent?
    /// The user's agents, by name then id.
    func agents(userID: String) async throws -> [Agent]
    /// Inserts an agent.
    func insertAgent(_ agent: Agent) async throws
    /// Writes every field of the agent.
    func updateAgent(_ agent: Agent) async throws
    /// Clears `table`'s references to the agent (sets its `agent_id` to NULL); the rows stay.
    func detachAgent(userID: String, id: String, from table: AgentReference) async throws
    /// Deletes the agent row only: the caller detaches every ``AgentReference`` first.
    func deleteAgent(userID: String, id: String) async throws
}

/// The tables whose rows may name one of the user's agents (`agent_id`). Deleting an agent detaches each of them:
/// the sessions, memories and working facts stay, no longer tied to it.
public enum AgentReference: String, CaseIterable, Sendable {
    case sessions
    case memories
    case workingFacts = "working_facts"

    /// The table's name, the same on every driver.
    public var table: String { rawValue }
}
