import EngramCore
import Foundation
import PostgresNIO

extension PostgresTransaction: KeyRows {
    func insertKey(_ key: APIKey, secretHash: String) async throws {
        try await execute(
            """
            INSERT INTO api_keys (id, user_id, name, prefix, secret_hash, created_at, revoked_at)
            VALUES (\(key.id), \(key.userID), \(key.name), \(key.prefix), \(secretHash), \(key.createdAt.timestamp),
                \(key.revokedAt?.timestamp))
            """)
    }

    func key(id: String) async throws -> APIKey? {
        try await first("SELECT \(unescaped: Decode.keyColumns) FROM api_keys WHERE id = \(id)", Decode.key)
    }

    func key(secretHash: String) async throws -> (key: APIKey, secretHash: String)? {
        try await first(
            "SELECT \(unescaped: Decode.keyColumns), secret_hash FROM api_keys WHERE secret_hash = \(secretHash)"
        ) { (try Decode.key($0), try Columns($0)["secret_hash"]) }
    }

    func keys(userID: String?) async throws -> [APIKey] {
        try await rows(
            #"""
            SELECT \#(unescaped: Decode.keyColumns) FROM api_keys
            WHERE \#(userID)::text IS NULL OR user_id = \#(userID)
            ORDER BY created_at DESC, id COLLATE "C" DESC
            """#, Decode.key)
    }

    func revokeKey(id: String, at date: Date) async throws -> Bool {
        try await changes(
            "UPDATE api_keys SET revoked_at = \(date.timestamp) WHERE id = \(id) AND revoked_at IS NULL") > 0
    }
}

extension Decode {
    /// The columns of `api_keys` that ``key(_:)`` reads: never the secret's digest.
    static let keyColumns = "id, user_id, name, prefix, created_at, revoked_at"

    static func key(_ row: PostgresRow) throws -> APIKey {
        let c = Columns(row)
        return APIKey(
            id: try c["id"], userID: try c["user_id"], name: try c["name"], prefix: try c["prefix"],
            createdAt: try c.date("created_at"), revokedAt: try c.optionalDate("revoked_at"))
    }
}
