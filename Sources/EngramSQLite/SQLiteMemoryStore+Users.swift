import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
    public func createUser(_ draft: UserDraft) async throws -> User {
        let id = try validator.identifier(draft.id, field: "user id")
        let name = try validator.optionalText(draft.name, field: "name") ?? id
        let info = draft.info
        _ = try validator.optionalText(info.jsonText, field: "info")
        let role = draft.role
        let date = now()
        return try await write { db in
            if let row = try Row.fetchOne(db, cached: "SELECT * FROM users WHERE id = ?", arguments: [id]) {
                return try Decode.user(row)
            }
            try db.run(
                sql: """
                    INSERT INTO users (id, name, role, info, created_at, updated_at, last_activity_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, name, role.rawValue, info.jsonText, date.millis, date.millis, date.millis])
            let user = try self.fetchUser(db, id)
            try self.audit(
                db, userID: id, action: "user.create", targetType: "user", targetID: id, before: Nothing?.none,
                after: user, at: date)
            return user
        }
    }

    public func user(_ id: String) async throws -> User {
        let id = try validator.identifier(id, field: "user id")
        return try await read { db in try self.fetchUser(db, id) }
    }

    public func users() async throws -> [User] {
        try await read { db in
            try Row.fetchAll(db, cached: "SELECT * FROM users ORDER BY id").map(Decode.user)
        }
    }

    public func updateUser(_ id: String, _ patch: UserPatch) async throws -> User {
        let id = try validator.identifier(id, field: "user id")
        let name = try validator.optionalText(patch.name, field: "name")
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw EngramError(.emptyContent, "name is empty; pass a name or omit it.")
        }
        if let info = patch.info { _ = try validator.optionalText(info.jsonText, field: "info") }
        let date = now()
        return try await write { db in
            let before = try self.fetchUser(db, id)
            try db.run(
                sql: """
                    UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role), info = COALESCE(?, info),
                        updated_at = ?, last_activity_at = max(last_activity_at, ?)
                    WHERE id = ?
                    """,
                arguments: [name, patch.role?.rawValue, patch.info?.jsonText, date.millis, date.millis, id])
            let after = try self.fetchUser(db, id)
            try self.audit(
                db, userID: id, action: "user.update", targetType: "user", targetID: id, before: before, after: after,
                at: date)
            return after
        }
    }

    public func eraseUser(_ id: String) async throws -> ErasureReceipt {
        let id = try validator.identifier(id, field: "user id")
        let date = now()
        let receipt = try await write { db in
            try self.requireUser(db, id)
            var deleted: [String: Int] = [:]
            // Children first, so that each count is the table's own rows, not a cascade's.
            for table in [
                "feedback", "emotions", "links", "embeddings", "session_state", "working_facts", "memories",
                "messages", "sessions", "agents", "audit_log",
            ] {
                try db.run(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [id])
                deleted[table] = db.changesCount
            }
            try db.run(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
            deleted["users"] = db.changesCount
            // The erasure itself stays on record: who, when, and what was removed (counts only).
            try self.audit(
                db, userID: id, action: "user.erase", targetType: "user", targetID: id, before: Nothing?.none,
                after: deleted, at: date)
            return ErasureReceipt(userID: id, deleted: deleted, erasedAt: date)
        }
        vectors.invalidate(userID: id)
        return receipt
    }

    func fetchUser(_ db: Database, _ id: String) throws -> User {
        guard let row = try Row.fetchOne(db, cached: "SELECT * FROM users WHERE id = ?", arguments: [id]) else {
            throw EngramError.userNotFound
        }
        return try Decode.user(row)
    }
}
