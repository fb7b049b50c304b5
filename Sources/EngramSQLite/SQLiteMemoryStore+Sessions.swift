import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
    // MARK: Agents

    public func createAgent(_ draft: AgentDraft) async throws -> Agent {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let id = try validator.optionalIdentifier(draft.id, field: "agent id") ?? UUID().uuidString.lowercased()
        let name = try validator.content(draft.name, field: "name")
        let description = try validator.optionalText(draft.description, field: "description")
        let instructions = try validator.optionalText(draft.instructions, field: "instructions")
        let isActive = draft.isActive
        let date = now()
        return try await write { db in
            try self.requireUser(db, userID)
            try db.run(
                sql: """
                    INSERT INTO agents (user_id, id, name, description, instructions, is_active, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [userID, id, name, description, instructions, isActive, date.millis, date.millis])
            let agent = try self.fetchAgent(db, userID: userID, id)
            try self.audit(
                db, userID: userID, action: "agent.create", targetType: "agent", targetID: id, before: Nothing?.none,
                after: agent, at: date)
            try self.touchUser(db, userID, at: date)
            return agent
        }
    }

    public func agent(userID: String, id: String) async throws -> Agent {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "agent id")
        return try await read { db in try self.fetchAgent(db, userID: userID, id) }
    }

    public func agents(userID: String) async throws -> [Agent] {
        let userID = try validator.identifier(userID, field: "user id")
        return try await read { db in
            try self.requireUser(db, userID)
            return try Row.fetchAll(
                db, cached: "SELECT * FROM agents WHERE user_id = ? ORDER BY name, id", arguments: [userID]
            ).map(Decode.agent)
        }
    }

    public func updateAgent(userID: String, id: String, _ patch: AgentPatch) async throws -> Agent {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "agent id")
        let name = try patch.name.map { try validator.content($0, field: "name") }
        let description = try validator.optionalText(patch.description, field: "description")
        let instructions = try validator.optionalText(patch.instructions, field: "instructions")
        let isActive = patch.isActive
        let date = now()
        return try await write { db in
            let before = try self.fetchAgent(db, userID: userID, id)
            try db.run(
                sql: """
                    UPDATE agents SET name = COALESCE(?, name), description = COALESCE(?, description),
                        instructions = COALESCE(?, instructions), is_active = COALESCE(?, is_active), updated_at = ?
                    WHERE user_id = ? AND id = ?
                    """,
                arguments: [name, description, instructions, isActive, date.millis, userID, id])
            let after = try self.fetchAgent(db, userID: userID, id)
            try self.audit(
                db, userID: userID, action: "agent.update", targetType: "agent", targetID: id, before: before,
                after: after, at: date)
            return after
        }
    }

    public func deleteAgent(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "agent id")
        let date = now()
        try await write { db in
            let before = try self.fetchAgent(db, userID: userID, id)
            for table in ["sessions", "memories", "working_facts"] {
                try db.run(
                    sql: "UPDATE \(table) SET agent_id = NULL WHERE user_id = ? AND agent_id = ?",
                    arguments: [userID, id])
            }
            try db.run(sql: "DELETE FROM agents WHERE user_id = ? AND id = ?", arguments: [userID, id])
            try self.audit(
                db, userID: userID, action: "agent.delete", targetType: "agent", targetID: id, before: before,
                after: Nothing?.none, at: date)
        }
    }

    func fetchAgent(_ db: Database, userID: String, _ id: String) throws -> Agent {
        try requireUser(db, userID)
        guard
            let row = try Row.fetchOne(
                db, cached: "SELECT * FROM agents WHERE user_id = ? AND id = ?", arguments: [userID, id])
        else { throw EngramError.agentNotFound }
        return try Decode.agent(row)
    }

    // MARK: Sessions

    public func createSession(_ draft: SessionDraft) async throws -> Session {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let id = try validator.optionalIdentifier(draft.id, field: "session id") ?? UUID().uuidString.lowercased()
        let agentID = try validator.optionalIdentifier(draft.agentID, field: "agent id")
        let title = try validator.optionalText(draft.title, field: "title")
        let metadata = draft.metadata
        _ = try validator.optionalText(metadata.jsonText, field: "metadata")
        let date = now()
        return try await write { db in
            try self.requireUser(db, userID)
            if let agentID { try self.requireAgent(db, userID: userID, agentID) }
            try db.run(
                sql: """
                    INSERT INTO sessions (user_id, id, agent_id, title, metadata, created_at, last_updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [userID, id, agentID, title, metadata.jsonText, date.millis, date.millis])
            let session = try self.fetchSession(db, userID: userID, id)
            try self.audit(
                db, userID: userID, action: "session.create", targetType: "session", targetID: id,
                before: Nothing?.none, after: session, at: date)
            try self.touchUser(db, userID, at: date)
            return session
        }
    }

    public func session(userID: String, id: String) async throws -> Session {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "session id")
        return try await read { db in try self.fetchSession(db, userID: userID, id) }
    }

    public func sessions(userID: String, limit: Int) async throws -> [Session] {
        let userID = try validator.identifier(userID, field: "user id")
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        return try await read { db in
            try self.requireUser(db, userID)
            return try Row.fetchAll(
                db,
                cached: "SELECT * FROM sessions WHERE user_id = ? ORDER BY last_updated_at DESC, id LIMIT ?",
                arguments: [userID, limit]
            ).map(Decode.session)
        }
    }

    public func renameSession(userID: String, id: String, title: String?) async throws -> Session {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "session id")
        let title = try validator.optionalText(title, field: "title")
        let date = now()
        return try await write { db in
            let before = try self.fetchSession(db, userID: userID, id)
            try db.run(
                sql: "UPDATE sessions SET title = ?, last_updated_at = ? WHERE user_id = ? AND id = ?",
                arguments: [title, date.millis, userID, id])
            let after = try self.fetchSession(db, userID: userID, id)
            try self.audit(
                db, userID: userID, action: "session.rename", targetType: "session", targetID: id, before: before,
                after: after, at: date)
            return after
        }
    }

    public func deleteSession(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "session id")
        let date = now()
        try await write { db in
            let before = try self.fetchSession(db, userID: userID, id)
            try db.run(
                sql: "UPDATE memories SET session_id = NULL WHERE user_id = ? AND session_id = ?",
                arguments: [userID, id])
            try db.run(sql: "DELETE FROM sessions WHERE user_id = ? AND id = ?", arguments: [userID, id])
            try self.audit(
                db, userID: userID, action: "session.delete", targetType: "session", targetID: id, before: before,
                after: Nothing?.none, at: date)
        }
    }

    func fetchSession(_ db: Database, userID: String, _ id: String) throws -> Session {
        try requireUser(db, userID)
        guard
            let row = try Row.fetchOne(
                db, cached: "SELECT * FROM sessions WHERE user_id = ? AND id = ?", arguments: [userID, id])
        else { throw EngramError.sessionNotFound }
        return try Decode.session(row)
    }

    // MARK: Messages

    public func appendMessage(_ draft: MessageDraft) async throws -> Message {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let sessionID = try validator.identifier(draft.sessionID, field: "session id")
        let content = try validator.content(draft.content)
        let thinking = try validator.optionalText(draft.thinking, field: "thinking")
        let metadata = draft.metadata
        _ = try validator.optionalText(metadata.jsonText, field: "metadata")
        for (name, tokens) in [("input tokens", draft.inputTokens), ("output tokens", draft.outputTokens)] {
            if let tokens { _ = try validator.count(tokens, field: name, in: 0...Int(Int32.max)) }
        }
        let role = draft.role
        let (inputTokens, outputTokens) = (draft.inputTokens, draft.outputTokens)
        let id = UUID().uuidString.lowercased()
        let date = now()
        return try await write { db in
            try self.requireUser(db, userID)
            try self.requireSession(db, userID: userID, sessionID)
            let next =
                try Int.fetchOne(
                    db,
                    cached: """
                        SELECT COALESCE((SELECT sequence FROM messages WHERE user_id = ? AND session_id = ?
                            ORDER BY sequence DESC LIMIT 1), 0) + 1
                        """,
                    arguments: [userID, sessionID]) ?? 1
            try db.run(
                sql: """
                    INSERT INTO messages (user_id, id, session_id, sequence, role, content, thinking, metadata,
                        input_tokens, output_tokens, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    userID, id, sessionID, next, role.rawValue, content, thinking, metadata.jsonText, inputTokens,
                    outputTokens, date.millis,
                ])
            return Message(
                id: id, userID: userID, sessionID: sessionID, sequence: next, role: role, content: content,
                thinking: thinking, metadata: metadata, inputTokens: inputTokens, outputTokens: outputTokens,
                createdAt: date)
        }
    }

    public func messages(userID: String, sessionID: String, after: Int, limit: Int) async throws -> [Message] {
        let userID = try validator.identifier(userID, field: "user id")
        let sessionID = try validator.identifier(sessionID, field: "session id")
        let after = try validator.count(after, field: "after", in: 0...Int(Int32.max))
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        return try await read { db in
            try self.requireUser(db, userID)
            try self.requireSession(db, userID: userID, sessionID)
            return try Row.fetchAll(
                db,
                cached: """
                    SELECT * FROM messages WHERE user_id = ? AND session_id = ? AND sequence > ?
                    ORDER BY sequence LIMIT ?
                    """,
                arguments: [userID, sessionID, after, limit]
            ).map(Decode.message)
        }
    }

    public func activeContext(userID: String, sessionID: String, window: ContextWindow?) async throws -> [Message] {
        let userID = try validator.identifier(userID, field: "user id")
        let sessionID = try validator.identifier(sessionID, field: "session id")
        let window = window ?? configuration.contextWindow
        let turns = try validator.count(window.turns, field: "turns", in: 1...10_000)
        let ttl = try validator.duration(window.ttl, field: "ttl")
        let cutoff = now().addingTimeInterval(-ttl)
        return try await read { db in
            try self.requireUser(db, userID)
            try self.requireSession(db, userID: userID, sessionID)
            let newestFirst = try Row.fetchAll(
                db,
                cached: """
                    SELECT * FROM messages WHERE user_id = ? AND session_id = ? AND created_at > ?
                    ORDER BY sequence DESC LIMIT ?
                    """,
                arguments: [userID, sessionID, cutoff.millis, turns]
            ).map(Decode.message)
            return newestFirst.reversed()
        }
    }
}
