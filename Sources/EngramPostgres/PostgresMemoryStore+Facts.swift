import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    // MARK: Working facts

    public func addFact(_ draft: WorkingFactDraft) async throws -> WorkingFact {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let sessionID = try validator.optionalIdentifier(draft.sessionID, field: "session id")
        let agentID = try validator.optionalIdentifier(draft.agentID, field: "agent id")
        let content = try validator.content(draft.content)
        let confidence = try validator.number(draft.confidence, field: "confidence")
        let ttl = try validator.duration(draft.ttl ?? configuration.workingFactTTL, field: "ttl")
        let sources = try draft.sourceMessageIDs.map { try validator.identifier($0, field: "source message id") }
        let date = now()
        let fact = WorkingFact(
            id: UUID().uuidString.lowercased(), userID: userID, sessionID: sessionID, agentID: agentID,
            factType: draft.factType, content: content, confidence: confidence, sourceMessageIDs: sources,
            createdAt: date, updatedAt: date, expiresAt: date.addingTimeInterval(ttl).timestamp.date)
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            if let sessionID { try await self.requireSession(connection, userID: userID, sessionID) }
            if let agentID { try await self.requireAgent(connection, userID: userID, agentID) }
            try await self.requireMessages(connection, userID: userID, sources)
            try await self.insertFact(connection, fact)
            try await self.audit(
                connection, userID: userID, action: "fact.create", targetType: "working_fact", targetID: fact.id,
                before: Nothing?.none, after: fact, at: date)
            try await self.touchUser(connection, userID, at: date)
            return fact
        }
    }

    public func facts(userID: String, sessionID: String?, includeExpired: Bool) async throws -> [WorkingFact] {
        let userID = try validator.identifier(userID, field: "user id")
        let sessionID = try validator.optionalIdentifier(sessionID, field: "session id")
        let date = now()
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            if let sessionID { try await self.requireSession(connection, userID: userID, sessionID) }
            return try await connection.rows(
                """
                SELECT * FROM working_facts
                WHERE user_id = \(userID) AND (\(sessionID)::text IS NULL OR session_id = \(sessionID))
                    AND (\(includeExpired) OR expires_at > \(date.timestamp))
                ORDER BY created_at DESC, id
                """, logger: self.logger, Decode.fact)
        }
    }

    public func deleteFact(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "fact id")
        let date = now()
        try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            guard
                let before = try await connection.first(
                    "SELECT * FROM working_facts WHERE user_id = \(userID) AND id = \(id) FOR UPDATE",
                    logger: self.logger, Decode.fact)
            else { throw EngramError.factNotFound }
            try await connection.query(
                "DELETE FROM working_facts WHERE user_id = \(userID) AND id = \(id)", logger: self.logger)
            try await self.audit(
                connection, userID: userID, action: "fact.delete", targetType: "working_fact", targetID: id,
                before: before, after: Nothing?.none, at: date)
        }
    }

    func insertFact(_ connection: PostgresConnection, _ fact: WorkingFact) async throws {
        try await connection.query(
            """
            INSERT INTO working_facts (user_id, id, session_id, agent_id, fact_type, content, confidence,
                source_message_ids, created_at, updated_at, expires_at)
            VALUES (\(fact.userID), \(fact.id), \(fact.sessionID), \(fact.agentID), \(fact.factType.rawValue),
                \(fact.content), \(fact.confidence), \(fact.sourceMessageIDs), \(fact.createdAt.timestamp),
                \(fact.updatedAt.timestamp), \(fact.expiresAt.timestamp))
            """, logger: logger)
    }

    // MARK: Session state

    public func setState(_ key: SessionStateKey, value: JSONValue) async throws -> SessionState {
        let key = try validate(key)
        _ = try validator.optionalText(value.jsonText, field: "state value")
        let date = now()
        return try await transaction(userID: key.userID) { connection in
            try await self.requireUser(connection, key.userID)
            try await self.requireSession(connection, userID: key.userID, key.sessionID)
            if !key.agentID.isEmpty { try await self.requireAgent(connection, userID: key.userID, key.agentID) }
            let before = try await self.fetchState(connection, key, forUpdate: true)
            try await connection.query(
                """
                INSERT INTO session_state (user_id, session_id, agent_id, module, key, value, created_at, updated_at)
                VALUES (\(key.userID), \(key.sessionID), \(key.agentID), \(key.module), \(key.key), \(value.jsonb),
                    \(date.timestamp), \(date.timestamp))
                ON CONFLICT (user_id, session_id, agent_id, module, key)
                DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """, logger: self.logger)
            guard let after = try await self.fetchState(connection, key) else { throw EngramError.sessionNotFound }
            try await self.audit(
                connection, userID: key.userID, action: "state.set", targetType: "session_state",
                targetID: "\(key.sessionID)/\(key.module)/\(key.key)", before: before, after: after, at: date)
            return after
        }
    }

    public func state(_ key: SessionStateKey) async throws -> SessionState? {
        let key = try validate(key)
        return try await transaction(userID: key.userID) { connection in
            try await self.requireUser(connection, key.userID)
            try await self.requireSession(connection, userID: key.userID, key.sessionID)
            return try await self.fetchState(connection, key)
        }
    }

    public func deleteState(_ key: SessionStateKey) async throws -> Bool {
        let key = try validate(key)
        let date = now()
        return try await transaction(userID: key.userID) { connection in
            try await self.requireUser(connection, key.userID)
            try await self.requireSession(connection, userID: key.userID, key.sessionID)
            guard let before = try await self.fetchState(connection, key, forUpdate: true) else { return false }
            try await connection.query(
                """
                DELETE FROM session_state
                WHERE user_id = \(key.userID) AND session_id = \(key.sessionID) AND agent_id = \(key.agentID)
                    AND module = \(key.module) AND key = \(key.key)
                """, logger: self.logger)
            try await self.audit(
                connection, userID: key.userID, action: "state.delete", targetType: "session_state",
                targetID: "\(key.sessionID)/\(key.module)/\(key.key)", before: before, after: Nothing?.none, at: date)
            return true
        }
    }

    private func validate(_ key: SessionStateKey) throws -> SessionStateKey {
        SessionStateKey(
            userID: try validator.identifier(key.userID, field: "user id"),
            sessionID: try validator.identifier(key.sessionID, field: "session id"),
            agentID: try validator.optionalIdentifier(key.agentID, field: "agent id") ?? "",
            module: try validator.optionalIdentifier(key.module, field: "module") ?? "",
            key: try validator.identifier(key.key, field: "state key"))
    }

    func fetchState(
        _ connection: PostgresConnection, _ key: SessionStateKey, forUpdate: Bool = false
    ) async throws -> SessionState? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await connection.first(
            """
            SELECT * FROM session_state
            WHERE user_id = \(key.userID) AND session_id = \(key.sessionID) AND agent_id = \(key.agentID)
                AND module = \(key.module) AND key = \(key.key)\(unescaped: lock)
            """, logger: logger, Decode.state)
    }

    func insertState(_ connection: PostgresConnection, _ state: SessionState) async throws {
        try await connection.query(
            """
            INSERT INTO session_state (user_id, session_id, agent_id, module, key, value, created_at, updated_at)
            VALUES (\(state.userID), \(state.sessionID), \(state.agentID), \(state.module), \(state.key),
                \(state.value.jsonb), \(state.createdAt.timestamp), \(state.updatedAt.timestamp))
            """, logger: logger)
    }
}
