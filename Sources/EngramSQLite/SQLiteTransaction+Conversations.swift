import EngramCore
import Foundation
import GRDB

extension SQLiteTransaction: ConversationRows {
    func session(userID: String, id: String) async throws -> Session? {
        try await run { db in
            try db.row("SELECT * FROM sessions WHERE user_id = \(userID) AND id = \(id)").map(Decode.session)
        }
    }

    func sessions(userID: String, limit: Int) async throws -> [Session] {
        try await run { db in
            try db.rows(
                "SELECT * FROM sessions WHERE user_id = \(userID) ORDER BY last_updated_at DESC, id LIMIT \(limit)"
            ).map(Decode.session)
        }
    }

    func insertSession(_ session: Session) async throws {
        try await run { db in try Self.insert(db, session) }
    }

    static func insert(_ db: Database, _ session: Session) throws {
        try db.run(
            """
            INSERT INTO sessions (user_id, id, agent_id, title, metadata, created_at, last_updated_at, episode_id,
                consolidated_at)
            VALUES (\(session.userID), \(session.id), \(session.agentID), \(session.title), \(session.metadata.jsonText),
                \(session.createdAt.millis), \(session.lastUpdatedAt.millis), \(session.episodeID),
                \(session.consolidatedAt?.millis))
            """)
    }

    func updateSession(_ session: Session) async throws {
        try await run { db in
            try db.run(
                """
                UPDATE sessions SET agent_id = \(session.agentID), title = \(session.title),
                    metadata = \(session.metadata.jsonText), last_updated_at = \(session.lastUpdatedAt.millis),
                    episode_id = \(session.episodeID), consolidated_at = \(session.consolidatedAt?.millis)
                WHERE user_id = \(session.userID) AND id = \(session.id)
                """)
        }
    }

    func deleteSession(userID: String, id: String) async throws {
        try await run { db in
            try db.run("UPDATE memories SET session_id = NULL WHERE user_id = \(userID) AND session_id = \(id)")
            try db.run("DELETE FROM sessions WHERE user_id = \(userID) AND id = \(id)")
        }
    }

    func restoreCounters(of session: Session) async throws {
        try await run { db in
            try db.run(
                """
                UPDATE sessions SET message_count = \(session.messageCount),
                    last_updated_at = \(session.lastUpdatedAt.millis)
                WHERE user_id = \(session.userID) AND id = \(session.id)
                """)
        }
    }

    func lastSequence(userID: String, sessionID: String) async throws -> Int {
        try await run { db in
            try db.value(
                """
                SELECT sequence FROM messages WHERE user_id = \(userID) AND session_id = \(sessionID)
                ORDER BY sequence DESC LIMIT 1
                """, as: Int.self) ?? 0
        }
    }

    func insertMessage(_ message: Message) async throws {
        try await run { db in try Self.insert(db, message) }
    }

    static func insert(_ db: Database, _ message: Message) throws {
        try db.run(
            """
            INSERT INTO messages (user_id, id, session_id, sequence, role, content, thinking, metadata, input_tokens,
                output_tokens, created_at)
            VALUES (\(message.userID), \(message.id), \(message.sessionID), \(message.sequence), \(message.role.rawValue),
                \(message.content), \(message.thinking), \(message.metadata.jsonText), \(message.inputTokens),
                \(message.outputTokens), \(message.createdAt.millis))
            """)
    }

    func messages(userID: String, sessionID: String, after: Int, limit: Int) async throws -> [Message] {
        try await run { db in
            try db.rows(
                """
                SELECT * FROM messages WHERE user_id = \(userID) AND session_id = \(sessionID) AND sequence > \(after)
                ORDER BY sequence LIMIT \(limit)
                """
            ).map(Decode.message)
        }
    }

    func latestMessages(userID: String, sessionID: String, since: Date, limit: Int) async throws -> [Message] {
        try await run { db in
            try db.rows(
                """
                SELECT * FROM messages
                WHERE user_id = \(userID) AND session_id = \(sessionID) AND created_at > \(since.millis)
                ORDER BY sequence DESC LIMIT \(limit)
                """
            ).map(Decode.message)
        }
    }

    func messages(userID: String, ids: [String]) async throws -> [Message] {
        guard !ids.isEmpty else { return [] }
        return try await run { db in
            try db.rows(
                """
                SELECT * FROM messages
                WHERE user_id = \(userID) AND id IN (SELECT value FROM json_each(\(Column.strings(ids))))
                """
            ).map(Decode.message)
        }
    }

    func deleteMessages(userID: String, createdBefore date: Date) async throws -> [Message] {
        try await run { db in
            try db.rows("DELETE FROM messages WHERE user_id = \(userID) AND created_at < \(date.millis) RETURNING *")
                .map(Decode.message)
        }
    }

    func fact(userID: String, id: String) async throws -> WorkingFact? {
        try await run { db in
            try db.row("SELECT * FROM working_facts WHERE user_id = \(userID) AND id = \(id)").map(Decode.fact)
        }
    }

    func facts(userID: String, sessionID: String?, includeExpired: Bool, at date: Date) async throws -> [WorkingFact] {
        try await run { db in
            try db.rows(
                """
                SELECT * FROM working_facts
                WHERE user_id = \(userID) AND (\(sessionID) IS NULL OR session_id = \(sessionID))
                    AND (\(includeExpired) OR expires_at > \(date.millis))
                ORDER BY created_at DESC, id
                """
            ).map(Decode.fact)
        }
    }

    func insertFact(_ fact: WorkingFact) async throws {
        try await run { db in try Self.insert(db, fact) }
    }

    static func insert(_ db: Database, _ fact: WorkingFact) throws {
        try db.run(
            """
            INSERT INTO working_facts (user_id, id, session_id, agent_id, fact_type, content, confidence,
                source_message_ids, created_at, updated_at, expires_at, subject, predicate, value, keywords, entity_keys,
                occurred_at, reinforcement_count, confirmed, promoted_memory_id)
            VALUES (\(fact.userID), \(fact.id), \(fact.sessionID), \(fact.agentID), \(fact.factType.rawValue),
                \(fact.content), \(fact.confidence), \(Column.strings(fact.sourceMessageIDs)), \(fact.createdAt.millis),
                \(fact.updatedAt.millis), \(fact.expiresAt.millis), \(fact.parts?.subject), \(fact.parts?.predicate),
                \(fact.parts?.value), \(Column.strings(fact.keywords)), \(Column.strings(fact.entityKeys)),
                \(fact.occurredAt?.millis), \(fact.reinforcementCount), \(fact.confirmed), \(fact.promotedMemoryID))
            """)
    }

    func sessionsToConsolidate(userID: String, idleSince date: Date, limit: Int) async throws -> [Session] {
        try await run { db in
            try db.rows(
                """
                SELECT * FROM sessions WHERE user_id = \(userID) AND message_count > 0
                    AND last_updated_at <= \(date.millis)
                    AND (consolidated_at IS NULL OR consolidated_at < last_updated_at)
                ORDER BY last_updated_at, id LIMIT \(limit)
                """
            ).map(Decode.session)
        }
    }

    func updateFact(_ fact: WorkingFact) async throws {
        try await run { db in
            try db.run(
                """
                UPDATE working_facts SET fact_type = \(fact.factType.rawValue), content = \(fact.content),
                    confidence = \(fact.confidence), source_message_ids = \(Column.strings(fact.sourceMessageIDs)),
                    updated_at = \(fact.updatedAt.millis), expires_at = \(fact.expiresAt.millis),
                    keywords = \(Column.strings(fact.keywords)), entity_keys = \(Column.strings(fact.entityKeys)),
                    occurred_at = \(fact.occurredAt?.millis), reinforcement_count = \(fact.reinforcementCount),
                    confirmed = \(fact.confirmed), promoted_memory_id = \(fact.promotedMemoryID)
                WHERE user_id = \(fact.userID) AND id = \(fact.id)
                """)
        }
    }

    func facts(userID: String, subjects: [String], at date: Date) async throws -> [WorkingFact] {
        guard !subjects.isEmpty else { return [] }
        return try await run { db in
            try db.rows(
                """
                SELECT * FROM working_facts WHERE user_id = \(userID) AND subject IN (SELECT value FROM json_each(\(Column.strings(subjects))))
                    AND expires_at > \(date.millis) ORDER BY created_at, id
                """
            ).map(Decode.fact)
        }
    }

    func deleteFact(userID: String, id: String) async throws {
        try await run { db in try db.run("DELETE FROM working_facts WHERE user_id = \(userID) AND id = \(id)") }
    }

    func deleteFacts(userID: String, expiredAt date: Date) async throws -> [WorkingFact] {
        try await run { db in
            try db.rows(
                "DELETE FROM working_facts WHERE user_id = \(userID) AND expires_at <= \(date.millis) RETURNING *"
            ).map(Decode.fact)
        }
    }

    func state(_ key: SessionStateKey) async throws -> SessionState? {
        try await run { db in
            try db.row(
                """
                SELECT * FROM session_state
                WHERE user_id = \(key.userID) AND session_id = \(key.sessionID) AND agent_id = \(key.agentID)
                    AND module = \(key.module) AND key = \(key.key)
                """
            ).map(Decode.state)
        }
    }

    func upsertState(_ state: SessionState) async throws {
        try await run { db in
            try Self.insert(
                db, state,
                onConflict:
                    "ON CONFLICT (user_id, session_id, agent_id, module, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
            )
        }
    }

    static func insert(_ db: Database, _ state: SessionState, onConflict: String = "") throws {
        try db.run(
            """
            INSERT INTO session_state (user_id, session_id, agent_id, module, key, value, created_at, updated_at)
            VALUES (\(state.userID), \(state.sessionID), \(state.agentID), \(state.module), \(state.key),
                \(state.value.jsonText), \(state.createdAt.millis), \(state.updatedAt.millis))
            \(sql: onConflict)
            """)
    }

    func deleteState(_ key: SessionStateKey) async throws {
        try await run { db in
            try db.run(
                """
                DELETE FROM session_state
                WHERE user_id = \(key.userID) AND session_id = \(key.sessionID) AND agent_id = \(key.agentID)
                    AND module = \(key.module) AND key = \(key.key)
                """)
        }
    }
}
