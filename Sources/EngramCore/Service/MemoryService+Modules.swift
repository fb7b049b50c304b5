import Foundation

extension MemoryService {
    // MARK: Modules

    /// Creates a module of the user's personas. A name the user already gave a module is `already_exists`.
    public func createModule(_ draft: ModuleDraft) async throws -> Module {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let id = try validator.optionalIdentifier(draft.id, field: "module id") ?? newID()
        let draft = try validator.module(draft)
        let date = now()
        let module = Module(
            id: id, userID: userID, name: draft.name, description: draft.description, content: draft.content,
            type: draft.type, triggerPattern: draft.triggerPattern, script: draft.script,
            executionContext: draft.executionContext, requiresAIInference: draft.requiresAIInference,
            stagePriority: draft.stagePriority, isActive: draft.isActive, createdAt: date, updatedAt: date)
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            if try await tx.module(userID: userID, id: id) != nil {
                throw EngramError(
                    .alreadyExists, "A module with this id already exists for this user; pick another id.")
            }
            try await self.requireFreeModuleName(tx, userID: userID, module.name, except: nil)
            try await tx.insertModule(module)
            try await tx.touchUser(userID, at: date)
            try await self.audit(
                tx, userID: userID, AuditEvent("module.create", "module", id, before: nil, after: module), at: date)
            return module
        }
    }

    /// One module.
    public func module(userID: String, id: String) async throws -> Module {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "module id")
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await self.requireModule(tx, userID: userID, id)
        }
    }

    /// The user's modules, by stage priority then name; only the active ones unless `includeInactive`.
    public func modules(userID: String, includeInactive: Bool = false) async throws -> [Module] {
        let userID = try validator.identifier(userID, field: "user id")
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await tx.modules(userID: userID, activeOnly: !includeInactive)
        }
    }

    /// The active modules whose trigger pattern matches somewhere in `text`, by stage priority then name: what an
    /// agent runtime asks for on each turn. Modules without a trigger pattern never match.
    public func modules(userID: String, matching text: String) async throws -> [Module] {
        let userID = try validator.identifier(userID, field: "user id")
        let text = try validator.content(text, field: "text")
        let modules = try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await tx.modules(userID: userID, activeOnly: true)
        }
        return modules.filter { module in
            guard let pattern = module.triggerPattern, let trigger = try? ModuleTrigger(pattern) else { return false }
            return trigger.matches(text)
        }
    }

    /// Changes a module. The patched module must still meet the rules of its type.
    public func updateModule(userID: String, id: String, _ patch: ModulePatch) async throws -> Module {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "module id")
        let patch = try validator.module(patch)
        let date = now()
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let before = try await self.requireModule(tx, userID: userID, id)
            var after = patch.applied(to: before)
            try self.validator.moduleRules(after)
            if after.name != before.name {
                try await self.requireFreeModuleName(tx, userID: userID, after.name, except: id)
            }
            after.updatedAt = date
            try await tx.updateModule(after)
            try await self.audit(
                tx, userID: userID, AuditEvent("module.update", "module", id, before: before, after: after), at: date)
            return after
        }
    }

    /// Deletes a module.
    public func deleteModule(userID: String, id: String) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "module id")
        let date = now()
        try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let before = try await self.requireModule(tx, userID: userID, id)
            try await tx.deleteModule(userID: userID, id: id)
            try await self.audit(
                tx, userID: userID, AuditEvent("module.delete", "module", id, before: before, after: nil), at: date)
        }
    }

    /// The module, or `module_not_found`.
    @discardableResult
    func requireModule(_ tx: any StorageTransaction, userID: String, _ id: String) async throws -> Module {
        guard let module = try await tx.module(userID: userID, id: id) else { throw EngramError.moduleNotFound }
        return module
    }

    /// Throws `already_exists` when another module of the user (not `except`) has `name`.
    func requireFreeModuleName(
        _ tx: any StorageTransaction, userID: String, _ name: String, except id: String?
    ) async throws {
        if let other = try await tx.module(userID: userID, named: name), other.id != id {
            throw EngramError(
                .alreadyExists, "Another module of this user has this name; pick another name or update that module.")
        }
    }
}
