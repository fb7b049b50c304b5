import Foundation

/// Row operations on sessions, their messages (L1), working facts (L2) and module state.
public protocol ConversationRows {
    /// One session of a user.
    func session(userID: String, id: String) async throws -> Session?
    /// The user's sessions, most recently updated first, then by id.
    func sessions(userID: String, limit: Int) async throws -> [Session]
    /// Inserts a session with no messages.
    func insertSession(_ session: Session) async throws
    /// Writes the session's agent, title, metadata and `last_updated_at`.
    func updateSession(_ session: Session) async throws
    /// Deletes the session with its messages, working facts and state; memories drawn from it stay, without it.
    func deleteSession(userID: String, id: String) async throws
    /// Sets the session's message count and `last_updated_at` to `session`'s (after an import).
    func restoreCounters(of session: Session) async throws

    /// The highest sequence number of the session's messages, 0 when it has none. In a write transaction the
    /// session is locked until it ends, so that concurrent appends number their messages in turn.
    func lastSequence(userID: String, sessionID: String) async throws -> Int
    /// Inserts a message.
    func insertMessage(_ message: Message) async throws
    /// The session's messages with a sequence above `after`, in order, at most `limit`.
    func messages(userID: String, sessionID: String, after: Int, limit: Int) async throws -> [Message]
    /// The session's messages created after `since`, newest first, at most `limit`.
    func latestMessages(userID: String, sessionID: String, since: Date, limit: Int) async throws -> [Message]
    /// The user's messages with these ids, in any order; unknown ids are left out.
    func messages(userID: String, ids: [String]) async throws -> [Message]
    /// Deletes the user's messages created before `date`; returns them, in any order.
    func deleteMessages(userID: String, createdBefore date: Date) async throws -> [Message]

    /// One working fact of a user.
    func fact(userID: String, id: String) async throws -> WorkingFact?
    /// The user's working facts (of one session when `sessionID` is set), newest first, then by id; without
    /// `includeExpired`, only those that expire after `date`.
    func facts(userID: String, sessionID: String?, includeExpired: Bool, at date: Date) async throws -> [WorkingFact]
    /// Inserts a working fact.
    func insertFact(_ fact: WorkingFact) async throws
    /// Deletes one working fact.
    func deleteFact(userID: String, id: String) async throws
    /// Deletes the user's working facts that expired at or before `date`; returns them, in any order.
    func deleteFacts(userID: String, expiredAt date: Date) async throws -> [WorkingFact]

    /// A module's state value, if set.
    func state(_ key: SessionStateKey) async throws -> SessionState?
    /// Inserts the state, or replaces the value and `updated_at` of an existing one.
    func upsertState(_ state: SessionState) async throws
    /// Deletes a state value.
    func deleteState(_ key: SessionStateKey) async throws
}
