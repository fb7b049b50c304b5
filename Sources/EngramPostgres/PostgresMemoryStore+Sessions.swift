import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    // MARK: Agents

    public func createAgent(_ draft: AgentDraft) async throws -> Agent {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let id = try validator.optionalIdentifier(draft.id, field: "agent id") ?? UUID().uuidString.lowercased()
        let name = try validator.content(draft.name, field: "name")
        let description = try validator.optionalText(draft.description, field: "description")
        let instructions = try validator.optionalText(draft.instructions, field: "instructions")
        let isActive = draft.isActive
        let date = now()
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            guard
                let agent = try await connection.first(
                    """
                    INSERT INTO agents (user_id, id, name, description, instructions, is_active, created_at, updated_at)
                    VALUES (\(userID), \(id), \(name), \(description), \(instructions), \(isActive), \(date.timestamp),
                        \(date.timestamp))
                    RETURNING *
                    """, logger: self.logger, Decode.agent)
            else { throw EngramError.agentNotFound }
            try await self.audit(
                connection, userID: userID, action: "agent.create", targetType: "agent", targetID: id,
                before: Nothing?.none, after: agent, at: date)
            try await self.touchUser(connection, userID, at: date)
            return agent
        }
    }

    public func agent(userID: String, id: String) async throws -> Agent {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "agent id")
        return try await transaction(userID: userID) { connection in
            try await self.fetchAgent(connection, userID: userID, id)
        }
    }

    public func agents(userID: String) async throws -> [Agent] {
        let userID = try validator.identifier(userID, field: "user id")
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            return try await connection.rows(
                #"SELECT * FROM agents WHERE user_id = \#(userID) ORDER BY name COLLATE "C", id COLLATE "C""#,
                logger: self.logger, Decode.agent)
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
        return try await transaction(userID: userID) { connection in
            let before = try await self.fetchAgent(connection, userID: userID, id, forUpdate: true)
            try await connection.query(
                """
                UPDATE agents SET name = COALESCE(\(name), name), description = COALESCE(\(description), description),
                    instructions = COALESCE(\(instructions), instructions),
                    is_active = COALESCE(\(isActive), is_active), updated_at = \(date.timestamp)
                WHERE user_id = \(userID) AND id = \(id)
                """, logger: self.logger)
            let after = try await self.fetchAgent(connection, userID: userID, id)
            try await self.audit(
                connection, userID: userID, action: "agent.update", targetType: "agent", targetID: id,
                before: before, after: after, at: date)
            return after
        }
    }

    public func deleteAgent(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "agent id")
        let date = now()
        try await transaction(userID: userID) { connection in
            let before = try await self.fetchAgent(connection, userID: userID, id, forUpdate: true)
            for table in ["sessions", "memories", "working_facts"] {
                try await connection.query(
                    "UPDATE \(unescaped: table) SET agent_id = NULL WHERE user_id = \(userID) AND agent_id = \(id)",
                    logger: self.logger)
            }
            try await connection.query(
                "DELETE FROM agents WHERE user_id = \(userID) AND id = \(id)", logger: self.logger)
            try await self.audit(
                connection, userID: userID, action: "agent.delete", targetType: "agent", targetID: id,
                before: before, after: Nothing?.none, at: date)
        }
    }

    func fetchAgent(
        _ connection: PostgresConnection, userID: String, _ id: String, forUpdate: Bool = false
    ) async throws -> Agent {
        try await requireUser(connection, userID)
        let lock = forUpdate ? " FOR UPDATE" : ""
        guard
            let agent = try await connection.first(
                "SELECT * FROM agents WHERE user_id = \(userID) AND id = \(id)\(unescaped: lock)", logger: logger,
                Decode.agent)
        else { throw EngramError.agentNotFound }
        return agent
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
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            if let agentID { try await self.requireAgent(connection, userID: userID, agentID) }
            try await connection.query(
                """
                INSERT INTO sessions (user_id, id, agent_id, title, metadata, created_at, last_updated_at)
                VALUES (\(userID), \(id), \(agentID), \(title), \(metadata.jsonb), \(date.timestamp),
                    \(date.timestamp))
                """, logger: self.logger)
            let session = try await self.fetchSession(connection, userID: userID, id)
            try await self.audit(
                connection, userID: userID, action: "session.create", targetType: "session", targetID: id,
                before: Nothing?.none, after: session, at: date)
            try await self.touchUser(connection, userID, at: date)
            return session
        }
    }

    public func session(userID: String, id: String) async throws -> Session {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "session id")
        return try await transaction(userID: userID) { connection in
            try await self.fetchSession(connection, userID: userID, id)
        }
    }

    public func sessions(userID: String, limit: Int) async throws -> [Session] {
        let userID = try validator.identifier(userID, field: "user id")
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            return try await connection.rows(
                #"""
                SELECT * FROM sessions WHERE user_id = \#(userID)
                ORDER BY last_updated_at DESC, id COLLATE "C" LIMIT \#(limit)
                """#, logger: self.logger, Decode.session)
        }
    }

    public func renameSession(userID: String, id: String, title: String?) async throws -> Session {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "session id")
        let title = try validator.optionalText(title, field: "title")
        let date = now()
        return try await transaction(userID: userID) { connection in
            let before = try await self.fetchSession(connection, userID: userID, id, forUpdate: true)
            try await connection.query(
                """
                UPDATE sessions SET title = \(title), last_updated_at = \(date.timestamp)
                WHERE user_id = \(userID) AND id = \(id)
                """, logger: self.logger)
            let after = try await self.fetchSession(connection, userID: userID, id)
            try await self.audit(
                connection, userID: userID, action: "session.rename", targetType: "session", targetID: id,
                before: before, after: after, at: date)
            return after
        }
    }

    public func deleteSession(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "session id")
        let date = now()
        try await transaction(userID: userID) { connection in
            let before = try await self.fetchSession(connection, userID: userID, id, forUpdate: true)
            try await connection.query(
                "UPDATE memories SET session_id = NULL WHERE user_id = \(userID) AND session_id = \(id)",
                logger: self.logger)
            try await connection.query(
                "DELETE FROM sessions WHERE user_id = \(userID) AND id = \(id)", logger: self.logger)
            try await self.audit(
                connection, userID: userID, action: "session.delete", targetType: "session", targetID: id,
                before: before, after: Nothing?.none, at: date)
        }
    }

    func fetchSession(
        _ connection: PostgresConnection, userID: String, _ id: String, forUpdate: Bool = false
    ) async throws -> Session {
        try await requireUser(connection, userID)
        let lock = forUpdate ? " FOR UPDATE" : ""
        guard
            let session = try await connection.first(
                "SELECT * FROM sessions WHERE user_id = \(userID) AND id = \(id)\(unescaped: lock)", logger: logger,
                Decode.session)
        else { throw EngramError.sessionNotFound }
        return session
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
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            // Locking the session row serialises concurrent appends to it, so each gets its own sequence.
            let locked = try await connection.first(
                "SELECT 1 FROM sessions WHERE user_id = \(userID) AND id = \(sessionID) FOR UPDATE",
                logger: self.logger
            ) { _ in true }
            guard locked == true else { throw EngramError.sessionNotFound }
            let last = try await connection.first(
                """
                SELECT sequence FROM messages WHERE user_id = \(userID) AND session_id = \(sessionID)
                ORDER BY sequence DESC LIMIT 1
                """, logger: self.logger
            ) { try $0.decode(Int.self) }
            let next = (last ?? 0) + 1
            try await connection.query(
                """
                INSERT INTO messages (user_id, id, session_id, sequence, role, content, thinking, metadata,
                    input_tokens, output_tokens, created_at)
                VALUES (\(userID), \(id), \(sessionID), \(next), \(role.rawValue), \(content), \(thinking),
                    \(metadata.jsonb), \(inputTokens), \(outputTokens), \(date.timestamp))
                """, logger: self.logger)
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
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            try await self.requireSession(connection, userID: userID, sessionID)
            return try await connection.rows(
                """
                SELECT * FROM messages WHERE user_id = \(userID) AND session_id = \(sessionID) AND sequence > \(after)
                ORDER BY sequence LIMIT \(limit)
                """, logger: self.logger, Decode.message)
        }
    }

    public func activeContext(userID: String, sessionID: String, window: ContextWindow?) async throws -> [Message] {
        let userID = try validator.identifier(userID, field: "user id")
        let sessionID = try validator.identifier(sessionID, field: "session id")
        let window = window ?? configuration.contextWindow
        let turns = try validator.count(window.turns, field: "turns", in: 1...10_000)
        let ttl = try validator.duration(window.ttl, field: "ttl")
        let cutoff = now().addingTimeInterval(-ttl)
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            try await self.requireSession(connection, userID: userID, sessionID)
            let newestFirst = try await connection.rows(
                """
                SELECT * FROM messages
                WHERE user_id = \(userID) AND session_id = \(sessionID) AND created_at > \(cutoff.timestamp)
                ORDER BY sequence DESC LIMIT \(turns)
                """, logger: self.logger, Decode.message)
            return Array(newestFirst.reversed())
        }
    }
}
