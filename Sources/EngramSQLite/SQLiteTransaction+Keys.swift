import EngramCore
import Foundation
import GRDB

extension SQLiteTransaction: KeyRows {
    func insertKey(_ key: APIKey, secretHash: String) async throws {
        try await run { db in
            try db.run(
                """
                INSERT INTO api_keys (id, user_id, name, prefix, secret_hash, created_at, revoked_at)
                VALUES (\(key.id), \(key.userID), \(key.name), \(key.prefix), \(secretHash), \(key.createdAt.millis),
                    \(key.revokedAt?.millis))
                """)
        }
    }

    func key(id: String) async throws -> APIKey? {
        try await run { db in try db.row("SELECT \(Decode.keyColumns) FROM api_keys WHERE id = \(id)").map(Decode.key) }
    }

    func key(secretHash: String) async throws -> (key: APIKey, secretHash: String)? {
        try await run { db in
            try db.row("SELECT \(Decode.keyColumns), secret_hash FROM api_keys WHERE secret_hash = \(secretHash)").map {
                (Decode.key($0), $0["secret_hash"])
            }
        }
    }

    func keys(userID: String?) async throws -> [APIKey] {
        try await run { db in
            try db.rows(
                """
                SELECT \(Decode.keyColumns) FROM api_keys WHERE \(userID) IS NULL OR user_id = \(userID)
                ORDER BY created_at DESC, id DESC
                """
            ).map(Decode.key)
        }
    }

    func revokeKey(id: String, at date: Date) async throws -> Bool {
        try await run { db in
            try db.run("UPDATE api_keys SET revoked_at = \(date.millis) WHERE id = \(id) AND revoked_at IS NULL") > 0
        }
    }
}

extension Decode {
    /// The columns of `api_keys` that ``key(_:)`` reads: never the secret's digest.
    static let keyColumns: SQL = "id, user_id, name, prefix, created_at, revoked_at"

    static func key(_ row: Row) -> APIKey {
        APIKey(
            id: row["id"], userID: row["user_id"], name: row["name"], prefix: row["prefix"],
            createdAt: Column.date(row, "created_at"), revokedAt: Column.optionalDate(row, "revoked_at"))
    }
}
