import Foundation

extension MemoryService {
    // MARK: Users

    /// Creates a user, or returns the existing one unchanged when the id is taken (idempotent).
    public func createUser(_ draft: UserDraft) async throws -> User {
        let id = try validator.identifier(draft.id, field: "user id")
        let name = try validator.optionalText(draft.name, field: "name") ?? id
        let info = try validator.jsonObject(draft.info, field: "info")
        let date = now()
        let user = User(
            id: id, name: name, role: draft.role, info: info, createdAt: date, updatedAt: date, lastActivityAt: date,
            counters: UserCounters())
        return try await write(.user(id)) { tx in
            if let existing = try await tx.user(id, forUpdate: false) { return existing }
            guard try await tx.insertUser(user) else { return try await self.requireUser(tx, id) }
            try await self.audit(
                tx, userID: id, AuditEvent("user.create", "user", id, before: nil, after: user), at: date)
            return user
        }
    }

    /// The user with `id`.
    public func user(_ id: String) async throws -> User {
        let id = try validator.identifier(id, field: "user id")
        return try await read(.user(id)) { tx in try await self.requireUser(tx, id) }
    }

    /// All users, by id. An administrative listing.
    public func users() async throws -> [User] {
        try await read(.store) { tx in try await tx.users() }
    }

    /// Changes a user's name, role or info.
    public func updateUser(_ id: String, _ patch: UserPatch) async throws -> User {
        let id = try validator.identifier(id, field: "user id")
        let name = try patch.name.map { try validator.content($0, field: "name") }
        let info = try patch.info.map { try validator.jsonObject($0, field: "info") }
        let date = now()
        return try await write(.user(id)) { tx in
            let before = try await self.requireUser(tx, id, forUpdate: true)
            var after = before
            after.name = name ?? before.name
            after.role = patch.role ?? before.role
            after.info = info ?? before.info
            after.updatedAt = date
            after.lastActivityAt = max(before.lastActivityAt, date)
            try await tx.updateUser(after)
            try await self.audit(
                tx, userID: id, AuditEvent("user.update", "user", id, before: before, after: after), at: date)
            return after
        }
    }

    /// Erases the user and every row that belongs to it, beyond recovery from the database files where the
    /// engine allows; returns the rows deleted per table.
    ///
    /// The erasure itself stays on record as one audit line (counts only), numbered after the user's last line, so
    /// that audit numbers are never reused: the user's own export imports cleanly afterwards.
    public func eraseUser(_ id: String) async throws -> ErasureReceipt {
        let id = try validator.identifier(id, field: "user id")
        let date = now()
        return try await write(.user(id)) { tx in
            try await self.requireUser(tx, id, forUpdate: true)
            let lastAuditID = try await tx.lastAuditID(userID: id)
            var deleted: [String: Int] = [:]
            for table in StorageTable.erasureOrder {
                deleted[table.rawValue] = try await tx.deleteRows(of: table, userID: id)
            }
            try await tx.scrubDeletedData()
            try await tx.insertAuditEntries([
                AuditEntry(
                    id: lastAuditID + 1, userID: id, actor: self.configuration.actor, action: "user.erase",
                    targetType: "user", targetID: id, beforeDigest: nil, afterDigest: ContentHash.digest(deleted),
                    reason: "erasure: every row of the user deleted", createdAt: date)
            ])
            return ErasureReceipt(userID: id, deleted: deleted, erasedAt: date)
        }
    }

    // MARK: Agents

    /// Creates an agent (persona) of a user.
    public func createAgent(_ draft: AgentDraft) async throws -> Agent {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let date = now()
        let agent = Agent(
            id: try validator.optionalIdentifier(draft.id, field: "agent id") ?? newID(), userID: userID,
            name: try validator.content(draft.name, field: "name"),
            description: try validator.optionalText(draft.description, field: "description"),
            instructions: try validator.optionalText(draft.instructions, field: "instructions"),
            persona: try validator.persona(draft.persona), isActive: draft.isActive, createdAt: date, updatedAt: date)
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            if try await tx.agent(userID: userID, id: agent.id) != nil {
                throw EngramError(
                    .alreadyExists, "An agent with this id already exists for this user; pick another id.")
            }
            try await tx.insertAgent(agent)
            try await tx.touchUser(userID, at: date)
            try await self.audit(
                tx, userID: userID, AuditEvent("agent.create", "agent", agent.id, before: nil, after: agent), at: date)
            return agent
        }
    }

    /// One agent.
    public func agent(userID: String, id: String) async throws -> Agent {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "agent id")
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await self.requireAgent(tx, userID: userID, id)
        }
    }

    /// The user's agents, by name.
    public func agents(userID: String) async throws -> [Agent] {
        let userID = try validator.identifier(userID, field: "user id")
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await tx.agents(userID: userID)
        }
    }

    /// Changes an agent; an empty persona field clears it.
    public func updateAgent(userID: String, id: String, _ patch: AgentPatch) async throws -> Agent {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "agent id")
        let name = try patch.name.map { try validator.content($0, field: "name") }
        let description = try validator.optionalText(patch.description, field: "description")
        let instructions = try validator.optionalText(patch.instructions, field: "instructions")
        let persona = try validator.persona(patch.persona, clearing: true)
        let date = now()
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let before = try await self.requireAgent(tx, userID: userID, id)
            var after = before
            after.name = name ?? before.name
            after.description = description ?? before.description
            after.instructions = instructions ?? before.instructions
            after.persona = persona.applied(to: before.persona)
            after.isActive = patch.isActive ?? before.isActive
            after.updatedAt = date
            try await tx.updateAgent(after)
            try await self.audit(
                tx, userID: userID, AuditEvent("agent.update", "agent", id, before: before, after: after), at: date)
            return after
        }
    }

    /// Deletes an agent; its sessions, memories and working facts stay, no longer tied to it.
    public func deleteAgent(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "agent id")
        let date = now()
        try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let before = try await self.requireAgent(tx, userID: userID, id)
            for reference in AgentReference.allCases {
                try await tx.detachAgent(userID: userID, id: id, from: reference)
            }
            try await tx.deleteAgent(userID: userID, id: id)
            try await self.audit(
                tx, userID: userID, AuditEvent("agent.delete", "agent", id, before: before, after: nil), at: date)
        }
    }
}
