import Foundation

extension MemoryService {
    // MARK: Sessions

    /// Creates a session (chat) of a user.
    public func createSession(_ draft: SessionDraft) async throws -> Session {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let date = now()
        let session = Session(
            id: try validator.optionalIdentifier(draft.id, field: "session id") ?? newID(), userID: userID,
            agentID: try validator.optionalIdentifier(draft.agentID, field: "agent id"),
            title: try validator.optionalText(draft.title, field: "title"), messageCount: 0,
            metadata: try validator.jsonObject(draft.metadata, field: "metadata"), createdAt: date,
            lastUpdatedAt: date)
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            if let agentID = session.agentID { try await self.requireAgent(tx, userID: userID, agentID) }
            if try await tx.session(userID: userID, id: session.id) != nil {
                throw EngramError(
                    .alreadyExists, "A session with this id already exists for this user; pick another id.")
            }
            try await tx.insertSession(session)
            try await tx.touchUser(userID, at: date)
            try await self.audit(
                tx, userID: userID, AuditEvent("session.create", "session", session.id, before: nil, after: session),
                at: date)
            return session
        }
    }

    /// One session.
    public func session(userID: String, id: String) async throws -> Session {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "session id")
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await self.requireSession(tx, userID: userID, id)
        }
    }

    /// The user's sessions, most recently updated first.
    public func sessions(userID: String, limit: Int) async throws -> [Session] {
        let userID = try validator.identifier(userID, field: "user id")
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await tx.sessions(userID: userID, limit: limit)
        }
    }

    /// Renames a session (`nil` removes the title).
    public func renameSession(userID: String, id: String, title: String?) async throws -> Session {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "session id")
        let title = try validator.optionalText(title, field: "title")
        let date = now()
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let before = try await self.requireSession(tx, userID: userID, id)
            var after = before
            after.title = title
            after.lastUpdatedAt = max(before.lastUpdatedAt, date)
            try await tx.updateSession(after)
            try await self.audit(
                tx, userID: userID, AuditEvent("session.rename", "session", id, before: before, after: after), at: date)
            return after
        }
    }

    /// Deletes a session with its messages, working facts and state; memories drawn from it stay.
    public func deleteSession(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "session id")
        let date = now()
        try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let before = try await self.requireSession(tx, userID: userID, id)
            try await tx.deleteSession(userID: userID, id: id)
            try await self.audit(
                tx, userID: userID, AuditEvent("session.delete", "session", id, before: before, after: nil), at: date)
        }
    }

    // MARK: Messages (L1)

    /// Appends a message; it gets the next sequence number of its session.
    public func appendMessage(_ draft: MessageDraft) async throws -> Message {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let sessionID = try validator.identifier(draft.sessionID, field: "session id")
        let content = try validator.content(draft.content)
        let thinking = try validator.optionalText(draft.thinking, field: "thinking")
        let metadata = try validator.jsonObject(draft.metadata, field: "metadata")
        for (name, tokens) in [("input tokens", draft.inputTokens), ("output tokens", draft.outputTokens)] {
            if let tokens { _ = try validator.count(tokens, field: name, in: 0...Int(Int32.max)) }
        }
        let id = newID()
        let date = try draft.createdAt.map { try validator.date($0, field: "created at") } ?? now()
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            try await self.requireSession(tx, userID: userID, sessionID)
            if draft.createdAt != nil {
                let latest = try await tx.latestMessages(
                    userID: userID, sessionID: sessionID, since: .distantPast, limit: 1)
                try Self.requireOrder(date, after: latest.first)
            }
            let message = Message(
                id: id, userID: userID, sessionID: sessionID,
                sequence: try await tx.lastSequence(userID: userID, sessionID: sessionID) + 1, role: draft.role,
                content: content, thinking: thinking, metadata: metadata, inputTokens: draft.inputTokens,
                outputTokens: draft.outputTokens, createdAt: date)
            try await tx.insertMessage(message)
            try await self.indexConversation(tx, userID: userID, sessionID: sessionID, around: [message.sequence])
            try await self.audit(
                tx, userID: userID, AuditEvent("message.append", "message", id, before: nil, after: message), at: date)
            return message
        }
    }

    /// The session's messages in order, from sequence `after + 1`, at most `limit`.
    public func messages(userID: String, sessionID: String, after: Int, limit: Int) async throws -> [Message] {
        let userID = try validator.identifier(userID, field: "user id")
        let sessionID = try validator.identifier(sessionID, field: "session id")
        let after = try validator.count(after, field: "after", in: 0...Int(Int32.max))
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            try await self.requireSession(tx, userID: userID, sessionID)
            return try await tx.messages(userID: userID, sessionID: sessionID, after: after, limit: limit)
        }
    }

    /// The active context: the last `window.turns` messages younger than `window.ttl`, oldest first.
    public func activeContext(userID: String, sessionID: String, window: ContextWindow?) async throws -> [Message] {
        let userID = try validator.identifier(userID, field: "user id")
        let sessionID = try validator.identifier(sessionID, field: "session id")
        let window = window ?? configuration.contextWindow
        let turns = try validator.count(window.turns, field: "turns", in: 1...10_000)
        let ttl = try validator.duration(window.ttl, field: "ttl")
        let cutoff = now().addingTimeInterval(-ttl)
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            try await self.requireSession(tx, userID: userID, sessionID)
            return try await tx.latestMessages(userID: userID, sessionID: sessionID, since: cutoff, limit: turns)
                .reversed()
        }
    }

    // MARK: Working facts (L2)

    /// Adds a working fact that expires after its TTL.
    public func addFact(_ draft: WorkingFactDraft) async throws -> WorkingFact {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let ttl = try validator.duration(draft.ttl ?? configuration.workingFactTTL, field: "ttl")
        let date = now()
        let fact = WorkingFact(
            id: newID(), userID: userID,
            sessionID: try validator.optionalIdentifier(draft.sessionID, field: "session id"),
            agentID: try validator.optionalIdentifier(draft.agentID, field: "agent id"), factType: draft.factType,
            content: try validator.content(draft.content),
            confidence: try validator.number(draft.confidence, field: "confidence"),
            sourceMessageIDs: try draft.sourceMessageIDs.map {
                try validator.identifier($0, field: "source message id")
            },
            createdAt: date, updatedAt: date, expiresAt: date.addingTimeInterval(ttl).roundedToMillisecond)
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            if let sessionID = fact.sessionID { try await self.requireSession(tx, userID: userID, sessionID) }
            if let agentID = fact.agentID { try await self.requireAgent(tx, userID: userID, agentID) }
            try await self.requireMessages(tx, userID: userID, fact.sourceMessageIDs)
            try await tx.insertFact(fact)
            try await tx.touchUser(userID, at: date)
            try await self.audit(
                tx, userID: userID, AuditEvent("fact.create", "working_fact", fact.id, before: nil, after: fact),
                at: date)
            return fact
        }
    }

    /// Unexpired facts of a user (all of them with `includeExpired`), optionally of one session, newest first.
    public func facts(userID: String, sessionID: String?, includeExpired: Bool) async throws -> [WorkingFact] {
        let userID = try validator.identifier(userID, field: "user id")
        let sessionID = try validator.optionalIdentifier(sessionID, field: "session id")
        let date = now()
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            if let sessionID { try await self.requireSession(tx, userID: userID, sessionID) }
            return try await tx.facts(userID: userID, sessionID: sessionID, includeExpired: includeExpired, at: date)
        }
    }

    /// Deletes one working fact.
    public func deleteFact(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "fact id")
        let date = now()
        try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            guard let before = try await tx.fact(userID: userID, id: id) else { throw EngramError.factNotFound }
            try await tx.deleteFact(userID: userID, id: id)
            try await self.audit(
                tx, userID: userID, AuditEvent("fact.delete", "working_fact", id, before: before, after: nil), at: date)
        }
    }

    // MARK: Module state

    /// Sets a module's state value for a session.
    public func setState(_ key: SessionStateKey, value: JSONValue) async throws -> SessionState {
        let key = try validator.stateKey(key)
        _ = try validator.optionalText(value.jsonText, field: "state value")
        let date = now()
        return try await write(.user(key.userID)) { tx in
            try await self.requireStateScope(tx, key)
            let before = try await tx.state(key)
            let after = SessionState(
                userID: key.userID, sessionID: key.sessionID, agentID: key.agentID, module: key.module, key: key.key,
                value: value, createdAt: before?.createdAt ?? date, updatedAt: date)
            try await tx.upsertState(after)
            try await self.audit(
                tx, userID: key.userID,
                AuditEvent("state.set", "session_state", key.auditTarget, before: before, after: after), at: date)
            return after
        }
    }

    /// A module's state value, if set.
    public func state(_ key: SessionStateKey) async throws -> SessionState? {
        let key = try validator.stateKey(key)
        return try await read(.user(key.userID)) { tx in
            try await self.requireStateScope(tx, key, agent: false)
            return try await tx.state(key)
        }
    }

    /// Removes a state value; returns whether it existed.
    public func deleteState(_ key: SessionStateKey) async throws -> Bool {
        let key = try validator.stateKey(key)
        let date = now()
        return try await write(.user(key.userID)) { tx in
            try await self.requireStateScope(tx, key, agent: false)
            guard let before = try await tx.state(key) else { return false }
            try await tx.deleteState(key)
            try await self.audit(
                tx, userID: key.userID,
                AuditEvent("state.delete", "session_state", key.auditTarget, before: before, after: nil), at: date)
            return true
        }
    }

    /// The user and the session of a state key must exist; and, with `agent`, the agent it names.
    private func requireStateScope(_ tx: any StorageTransaction, _ key: SessionStateKey, agent: Bool = true)
        async throws
    {
        try await requireUser(tx, key.userID)
        try await requireSession(tx, userID: key.userID, key.sessionID)
        if agent, !key.agentID.isEmpty { try await requireAgent(tx, userID: key.userID, key.agentID) }
    }
}

extension SessionStateKey {
    /// How the audit log names the state value.
    var auditTarget: String { "\(sessionID)/\(module)/\(key)" }
}
