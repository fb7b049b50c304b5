import EngramCore
import Foundation
import PostgresNIO

extension PostgresTransaction: ConversationRows {
    func session(userID: String, id: String) async throws -> Session? {
        try await first("SELECT * FROM sessions WHERE user_id = \(userID) AND id = \(id)", Decode.session)
    }

    func sessions(userID: String, limit: Int) async throws -> [Session] {
        try await rows(
            #"""
            SELECT * FROM sessions WHERE user_id = \#(userID)
            ORDER BY last_updated_at DESC, id COLLATE "C" LIMIT \#(limit)
            """#, Decode.session)
    }

    func insertSession(_ session: Session) async throws {
        try await execute(
            """
            INSERT INTO sessions (user_id, id, agent_id, title, metadata, created_at, last_updated_at, episode_id,
                consolidated_at)
            VALUES (\(session.userID), \(session.id), \(session.agentID), \(session.title), \(session.metadata.jsonb),
                \(session.createdAt.timestamp), \(session.lastUpdatedAt.timestamp), \(session.episodeID),
                \(session.consolidatedAt?.timestamp))
            """)
    }

    func updateSession(_ session: Session) async throws {
        try await execute(
            """
            UPDATE sessions SET agent_id = \(session.agentID), title = \(session.title),
                metadata = \(session.metadata.jsonb), last_updated_at = \(session.lastUpdatedAt.timestamp),
                episode_id = \(session.episodeID), consolidated_at = \(session.consolidatedAt?.timestamp)
            WHERE user_id = \(session.userID) AND id = \(session.id)
            """)
    }

    /// Messages, working facts and state go with the session (their foreign keys cascade).
    func deleteSession(userID: String, id: String) async throws {
        try await execute("UPDATE memories SET session_id = NULL WHERE user_id = \(userID) AND session_id = \(id)")
        try await execute("DELETE FROM sessions WHERE user_id = \(userID) AND id = \(id)")
    }

    func restoreCounters(of session: Session) async throws {
        try await execute(
            """
            UPDATE sessions SET message_count = \(session.messageCount),
                last_updated_at = \(session.lastUpdatedAt.timestamp)
            WHERE user_id = \(session.userID) AND id = \(session.id)
            """)
    }

    /// Locks the session's row first (in a write transaction), so that concurrent appends to one session read the
    /// highest sequence in turn and each gets its own.
    func lastSequence(userID: String, sessionID: String) async throws -> Int {
        try await execute("SELECT 1 FROM sessions WHERE user_id = \(userID) AND id = \(sessionID) FOR UPDATE")
        return try await integer(
            "SELECT max(sequence) FROM messages WHERE user_id = \(userID) AND session_id = \(sessionID)")
    }

    func insertMessage(_ message: Message) async throws {
        try await execute(
            """
            INSERT INTO messages (user_id, id, session_id, sequence, role, content, thinking, metadata, input_tokens,
                output_tokens, created_at)
            VALUES (\(message.userID), \(message.id), \(message.sessionID), \(message.sequence),
                \(message.role.rawValue), \(message.content), \(message.thinking), \(message.metadata.jsonb),
                \(message.inputTokens), \(message.outputTokens), \(message.createdAt.timestamp))
            """)
    }

    func messages(userID: String, sessionID: String, after: Int, limit: Int) async throws -> [Message] {
        try await rows(
            """
            SELECT * FROM messages WHERE user_id = \(userID) AND session_id = \(sessionID) AND sequence > \(after)
            ORDER BY sequence LIMIT \(limit)
            """, Decode.message)
    }

    func latestMessages(userID: String, sessionID: String, since: Date, limit: Int) async throws -> [Message] {
        try await rows(
            """
            SELECT * FROM messages
            WHERE user_id = \(userID) AND session_id = \(sessionID) AND created_at > \(since.timestamp)
            ORDER BY sequence DESC LIMIT \(limit)
            """, Decode.message)
    }

    func messages(userID: String, ids: [String]) async throws -> [Message] {
        guard !ids.isEmpty else { return [] }
        return try await rows("SELECT * FROM messages WHERE user_id = \(userID) AND id = ANY(\(ids))", Decode.message)
    }

    func deleteMessages(userID: String, createdBefore date: Date) async throws -> [Message] {
        try await rows(
            "DELETE FROM messages WHERE user_id = \(userID) AND created_at < \(date.timestamp) RETURNING *",
            Decode.message)
    }

    func fact(userID: String, id: String) async throws -> WorkingFact? {
        try await first("SELECT * FROM working_facts WHERE user_id = \(userID) AND id = \(id)", Decode.fact)
    }

    func facts(userID: String, sessionID: String?, includeExpired: Bool, at date: Date) async throws -> [WorkingFact] {
        try await rows(
            #"""
            SELECT * FROM working_facts
            WHERE user_id = \#(userID) AND (\#(sessionID)::text IS NULL OR session_id = \#(sessionID))
                AND (\#(includeExpired) OR expires_at > \#(date.timestamp))
            ORDER BY created_at DESC, id COLLATE "C"
            """#, Decode.fact)
    }

    func insertFact(_ fact: WorkingFact) async throws {
        try await execute(
            """
            INSERT INTO working_facts (user_id, id, session_id, agent_id, fact_type, content, confidence,
                source_message_ids, created_at, updated_at, expires_at, subject, predicate, value, keywords, entity_keys,
                occurred_at, reinforcement_count, confirmed, promoted_memory_id)
            VALUES (\(fact.userID), \(fact.id), \(fact.sessionID), \(fact.agentID), \(fact.factType.rawValue),
                \(fact.content), \(fact.confidence), \(fact.sourceMessageIDs), \(fact.createdAt.timestamp),
                \(fact.updatedAt.timestamp), \(fact.expiresAt.timestamp), \(fact.parts?.subject),
                \(fact.parts?.predicate), \(fact.parts?.value), \(fact.keywords), \(fact.entityKeys),
                \(fact.occurredAt?.timestamp), \(fact.reinforcementCount), \(fact.confirmed), \(fact.promotedMemoryID))
            """)
    }

    func updateFact(_ fact: WorkingFact) async throws {
        try await execute(
            """
            UPDATE working_facts SET fact_type = \(fact.factType.rawValue), content = \(fact.content),
                confidence = \(fact.confidence), source_message_ids = \(fact.sourceMessageIDs),
                updated_at = \(fact.updatedAt.timestamp), expires_at = \(fact.expiresAt.timestamp),
                keywords = \(fact.keywords), entity_keys = \(fact.entityKeys),
                occurred_at = \(fact.occurredAt?.timestamp), reinforcement_count = \(fact.reinforcementCount),
                confirmed = \(fact.confirmed), promoted_memory_id = \(fact.promotedMemoryID)
            WHERE user_id = \(fact.userID) AND id = \(fact.id)
            """)
    }

    func facts(userID: String, subjects: [String], at date: Date) async throws -> [WorkingFact] {
        guard !subjects.isEmpty else { return [] }
        return try await rows(
            #"""
            SELECT * FROM working_facts WHERE user_id = \#(userID) AND subject = ANY(\#(subjects))
                AND expires_at > \#(date.timestamp)
            ORDER BY created_at, id COLLATE "C"
            """#, Decode.fact)
    }

    func sessionsToConsolidate(userID: String, idleSince date: Date, limit: Int) async throws -> [Session] {
        try await rows(
            #"""
            SELECT * FROM sessions WHERE user_id = \#(userID) AND message_count > 0
                AND last_updated_at <= \#(date.timestamp)
                AND (consolidated_at IS NULL OR consolidated_at < last_updated_at)
            ORDER BY last_updated_at, id COLLATE "C" LIMIT \#(limit)
            """#, Decode.session)
    }

    func deleteFact(userID: String, id: String) async throws {
        try await execute("DELETE FROM working_facts WHERE user_id = \(userID) AND id = \(id)")
    }

    func deleteFacts(userID: String, expiredAt date: Date) async throws -> [WorkingFact] {
        try await rows(
            "DELETE FROM working_facts WHERE user_id = \(userID) AND expires_at <= \(date.timestamp) RETURNING *",
            Decode.fact)
    }

    func state(_ key: SessionStateKey) async throws -> SessionState? {
        try await first(
            """
            SELECT * FROM session_state
            WHERE user_id = \(key.userID) AND session_id = \(key.sessionID) AND agent_id = \(key.agentID)
                AND module = \(key.module) AND key = \(key.key)
            """, Decode.state)
    }

    func upsertState(_ state: SessionState) async throws {
        try await insert(
            state,
            onConflict:
                " ON CONFLICT (user_id, session_id, agent_id, module, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        )
    }

    /// Inserts a state row verbatim, with an optional `ON CONFLICT` clause (SQL text, no values).
    func insert(_ state: SessionState, onConflict: String = "") async throws {
        try await execute(
            """
            INSERT INTO session_state (user_id, session_id, agent_id, module, key, value, created_at, updated_at)
            VALUES (\(state.userID), \(state.sessionID), \(state.agentID), \(state.module), \(state.key),
                \(state.value.jsonb), \(state.createdAt.timestamp), \(state.updatedAt.timestamp))\(unescaped: onConflict)
            """)
    }

    func deleteState(_ key: SessionStateKey) async throws {
        try await execute(
            """
            DELETE FROM session_state
            WHERE user_id = \(key.userID) AND session_id = \(key.sessionID) AND agent_id = \(key.agentID)
                AND module = \(key.module) AND key = \(key.key)
            """)
    }
}
