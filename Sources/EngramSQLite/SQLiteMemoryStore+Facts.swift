import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
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
            createdAt: date, updatedAt: date, expiresAt: date.addingTimeInterval(ttl).stored)
        return try await write { db in
            try self.requireUser(db, userID)
            if let sessionID { try self.requireSession(db, userID: userID, sessionID) }
            if let agentID { try self.requireAgent(db, userID: userID, agentID) }
            try self.requireMessages(db, userID: userID, sources)
            try self.insertFact(db, fact)
            try self.audit(
                db, userID: userID, action: "fact.create", targetType: "working_fact", targetID: fact.id,
                before: Nothing?.none, after: fact, at: date)
            try self.touchUser(db, userID, at: date)
            return fact
        }
    }

    public func facts(userID: String, sessionID: String?, includeExpired: Bool) async throws -> [WorkingFact] {
        let userID = try validator.identifier(userID, field: "user id")
        let sessionID = try validator.optionalIdentifier(sessionID, field: "session id")
        let date = now()
        return try await read { db in
            try self.requireUser(db, userID)
            if let sessionID { try self.requireSession(db, userID: userID, sessionID) }
            return try Row.fetchAll(
                db,
                cached: """
                    SELECT * FROM working_facts WHERE user_id = ? AND (? IS NULL OR session_id = ?)
                        AND (? OR expires_at > ?)
                    ORDER BY created_at DESC, id
                    """,
                arguments: [userID, sessionID, sessionID, includeExpired, date.millis]
            ).map(Decode.fact)
        }
    }

    public func deleteFact(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "fact id")
        let date = now()
        try await write { db in
            try self.requireUser(db, userID)
            guard
                let row = try Row.fetchOne(
                    db, cached: "SELECT * FROM working_facts WHERE user_id = ? AND id = ?", arguments: [userID, id])
            else { throw EngramError.factNotFound }
            let before = try Decode.fact(row)
            try db.run(sql: "DELETE FROM working_facts WHERE user_id = ? AND id = ?", arguments: [userID, id])
            try self.audit(
                db, userID: userID, action: "fact.delete", targetType: "working_fact", targetID: id, before: before,
                after: Nothing?.none, at: date)
        }
    }

    func insertFact(_ db: Database, _ fact: WorkingFact) throws {
        try db.run(
            sql: """
                INSERT INTO working_facts (user_id, id, session_id, agent_id, fact_type, content, confidence,
                    source_message_ids, created_at, updated_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                fact.userID, fact.id, fact.sessionID, fact.agentID, fact.factType.rawValue, fact.content,
                fact.confidence, Column.strings(fact.sourceMessageIDs), fact.createdAt.millis, fact.updatedAt.millis,
                fact.expiresAt.millis,
            ])
    }

    // MARK: Session state

    public func setState(_ key: SessionStateKey, value: JSONValue) async throws -> SessionState {
        let key = try validate(key)
        _ = try validator.optionalText(value.jsonText, field: "state value")
        let date = now()
        return try await write { db in
            try self.requireUser(db, key.userID)
            try self.requireSession(db, userID: key.userID, key.sessionID)
            if !key.agentID.isEmpty { try self.requireAgent(db, userID: key.userID, key.agentID) }
            let before = try self.fetchState(db, key)
            try db.run(
                sql: """
                    INSERT INTO session_state (user_id, session_id, agent_id, module, key, value, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (user_id, session_id, agent_id, module, key)
                    DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """,
                arguments: [
                    key.userID, key.sessionID, key.agentID, key.module, key.key, value.jsonText, date.millis,
                    date.millis,
                ])
            guard let after = try self.fetchState(db, key) else { throw EngramError.sessionNotFound }
            try self.audit(
                db, userID: key.userID, action: "state.set", targetType: "session_state",
                targetID: "\(key.sessionID)/\(key.module)/\(key.key)", before: before, after: after, at: date)
            return after
        }
    }

    public func state(_ key: SessionStateKey) async throws -> SessionState? {
        let key = try validate(key)
        return try await read { db in
            try self.requireUser(db, key.userID)
            try self.requireSession(db, userID: key.userID, key.sessionID)
            return try self.fetchState(db, key)
        }
    }

    public func deleteState(_ key: SessionStateKey) async throws -> Bool {
        let key = try validate(key)
        let date = now()
        return try await write { db in
            try self.requireUser(db, key.userID)
            try self.requireSession(db, userID: key.userID, key.sessionID)
            guard let before = try self.fetchState(db, key) else { return false }
            try db.run(
                sql: """
                    DELETE FROM session_state
                    WHERE user_id = ? AND session_id = ? AND agent_id = ? AND module = ? AND key = ?
                    """,
                arguments: [key.userID, key.sessionID, key.agentID, key.module, key.key])
            try self.audit(
                db, userID: key.userID, action: "state.delete", targetType: "session_state",
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

    func fetchState(_ db: Database, _ key: SessionStateKey) throws -> SessionState? {
        try Row.fetchOne(
            db,
            cached: """
                SELECT * FROM session_state
                WHERE user_id = ? AND session_id = ? AND agent_id = ? AND module = ? AND key = ?
                """,
            arguments: [key.userID, key.sessionID, key.agentID, key.module, key.key]
        ).map(Decode.state)
    }

    func insertState(_ db: Database, _ state: SessionState) throws {
        try db.run(
            sql: """
                INSERT INTO session_state (user_id, session_id, agent_id, module, key, value, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                state.userID, state.sessionID, state.agentID, state.module, state.key, state.value.jsonText,
                state.createdAt.millis, state.updatedAt.millis,
            ])
    }
}
