import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    public func createUser(_ draft: UserDraft) async throws -> User {
        let id = try validator.identifier(draft.id, field: "user id")
        let name = try validator.optionalText(draft.name, field: "name") ?? id
        let info = draft.info
        _ = try validator.optionalText(info.jsonText, field: "info")
        let role = draft.role
        let date = now()
        // Row-level security on `users` shows a transaction only its own user's row: scope it to the new id.
        return try await transaction(userID: id) { connection in
            if let existing = try await connection.first(
                "SELECT * FROM users WHERE id = \(id)", logger: self.logger, Decode.user)
            {
                return existing
            }
            // A concurrent create of the same id may win the race: then return its row, unchanged.
            guard
                let user = try await connection.first(
                    """
                    INSERT INTO users (id, name, role, info, created_at, updated_at, last_activity_at)
                    VALUES (\(id), \(name), \(role.rawValue), \(info.jsonb), \(date.timestamp), \(date.timestamp),
                        \(date.timestamp))
                    ON CONFLICT (id) DO NOTHING
                    RETURNING *
                    """, logger: self.logger, Decode.user)
            else { return try await self.fetchUser(connection, id) }
            try await self.audit(
                connection, userID: id, action: "user.create", targetType: "user", targetID: id,
                before: Nothing?.none, after: user, at: date)
            return user
        }
    }

    public func user(_ id: String) async throws -> User {
        let id = try validator.identifier(id, field: "user id")
        return try await transaction(userID: id) { connection in try await self.fetchUser(connection, id) }
    }

    public func users() async throws -> [User] {
        try await transaction(userID: nil) { connection in
            try await connection.rows(
                #"SELECT * FROM users ORDER BY id COLLATE "C""#, logger: self.logger, Decode.user)
        }
    }

    public func updateUser(_ id: String, _ patch: UserPatch) async throws -> User {
        let id = try validator.identifier(id, field: "user id")
        let name = try validator.optionalText(patch.name, field: "name")
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw EngramError(.emptyContent, "name is empty; pass a name or omit it.")
        }
        if let info = patch.info { _ = try validator.optionalText(info.jsonText, field: "info") }
        let role = patch.role?.rawValue
        let info = patch.info?.jsonb
        let date = now()
        return try await transaction(userID: id) { connection in
            let before = try await self.fetchUser(connection, id, forUpdate: true)
            try await connection.query(
                """
                UPDATE users SET name = COALESCE(\(name), name), role = COALESCE(\(role), role),
                    info = COALESCE(\(info), info), updated_at = \(date.timestamp),
                    last_activity_at = greatest(last_activity_at, \(date.timestamp))
                WHERE id = \(id)
                """, logger: self.logger)
            let after = try await self.fetchUser(connection, id)
            try await self.audit(
                connection, userID: id, action: "user.update", targetType: "user", targetID: id, before: before,
                after: after, at: date)
            return after
        }
    }

    public func eraseUser(_ id: String) async throws -> ErasureReceipt {
        let id = try validator.identifier(id, field: "user id")
        let date = now()
        return try await transaction(userID: id) { connection in
            _ = try await self.fetchUser(connection, id, forUpdate: true)
            var deleted: [String: Int] = [:]
            // Children first, so that each count is the table's own rows, not a cascade's.
            for table in [
                "feedback", "emotions", "links", "embeddings", "session_state", "working_facts", "memories",
                "messages", "sessions", "agents", "audit_log",
            ] {
                deleted[table] = try await self.deleteCount(
                    connection, "DELETE FROM \(unescaped: table) WHERE user_id = \(id) RETURNING 1")
            }
            deleted["users"] = try await self.deleteCount(
                connection, "DELETE FROM users WHERE id = \(id) RETURNING 1")
            // The erasure itself stays on record: who, when, and what was removed (counts only).
            try await self.audit(
                connection, userID: id, action: "user.erase", targetType: "user", targetID: id,
                before: Nothing?.none, after: deleted, at: date)
            return ErasureReceipt(userID: id, deleted: deleted, erasedAt: date)
        }
    }

    func fetchUser(_ connection: PostgresConnection, _ id: String, forUpdate: Bool = false) async throws -> User {
        let lock = forUpdate ? " FOR UPDATE" : ""
        guard
            let user = try await connection.first(
                "SELECT * FROM users WHERE id = \(id)\(unescaped: lock)", logger: logger, Decode.user)
        else { throw EngramError.userNotFound }
        return user
    }

    /// How many rows a `DELETE … RETURNING 1` statement removed.
    private func deleteCount(_ connection: PostgresConnection, _ delete: PostgresQuery) async throws -> Int {
        var count = 0
        for try await _ in try await connection.query(delete, logger: logger) { count += 1 }
        return count
    }
}
