import EngramCore
import Foundation
import PostgresNIO

/// Lookups and the audit trail shared by every operation; each runs inside a caller's transaction.
extension PostgresMemoryStore {
    func requireUser(_ connection: PostgresConnection, _ id: String) async throws {
        let found = try await connection.first("SELECT 1 FROM users WHERE id = \(id)", logger: logger) { _ in true }
        guard found == true else { throw EngramError.userNotFound }
    }

    func requireSession(_ connection: PostgresConnection, userID: String, _ id: String) async throws {
        let found = try await connection.first(
            "SELECT 1 FROM sessions WHERE user_id = \(userID) AND id = \(id)", logger: logger
        ) { _ in true }
        guard found == true else { throw EngramError.sessionNotFound }
    }

    func requireAgent(_ connection: PostgresConnection, userID: String, _ id: String) async throws {
        let found = try await connection.first(
            "SELECT 1 FROM agents WHERE user_id = \(userID) AND id = \(id)", logger: logger
        ) { _ in true }
        guard found == true else { throw EngramError.agentNotFound }
    }

    func requireMessages(_ connection: PostgresConnection, userID: String, _ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        let found =
            try await connection.first(
                "SELECT count(*)::int FROM messages WHERE user_id = \(userID) AND id = ANY(\(ids))", logger: logger
            ) { try $0.decode(Int.self) } ?? 0
        guard found == Set(ids).count else { throw EngramError.messageNotFound }
    }

    /// The memory with `id` of `userID`, and its stable row number.
    func fetchMemory(
        _ connection: PostgresConnection, userID: String, _ id: String, forUpdate: Bool = false
    ) async throws -> (seq: Int64, memory: Memory) {
        let lock = forUpdate ? " FOR UPDATE" : ""
        let found = try await connection.first(
            "SELECT seq, \(unescaped: Decode.memoryColumns) FROM memories WHERE user_id = \(userID) AND id = \(id)\(unescaped: lock)",
            logger: logger
        ) { row in (try Columns(row)["seq", as: Int64.self], try Decode.memory(row)) }
        guard let found else { throw EngramError.memoryNotFound }
        return found
    }

    /// Appends one line to the user's audit trail, numbered per user.
    func audit(
        _ connection: PostgresConnection, userID: String, action: String, targetType: String, targetID: String,
        before: (some Encodable)?, after: (some Encodable)?, at date: Date
    ) async throws {
        let beforeDigest = before.map { ContentHash.digest($0) }
        let afterDigest = after.map { ContentHash.digest($0) }
        try await connection.query(
            """
            INSERT INTO audit_log (user_id, id, actor, action, target_type, target_id, before_digest, after_digest,
                created_at)
            VALUES (\(userID),
                COALESCE((SELECT id FROM audit_log WHERE user_id = \(userID) ORDER BY id DESC LIMIT 1), 0) + 1,
                \(configuration.actor), \(action), \(targetType), \(targetID), \(beforeDigest), \(afterDigest),
                \(date.timestamp))
            """, logger: logger)
    }

    /// Records a write as the user's latest activity.
    func touchUser(_ connection: PostgresConnection, _ userID: String, at date: Date) async throws {
        try await connection.query(
            "UPDATE users SET last_activity_at = greatest(last_activity_at, \(date.timestamp)) WHERE id = \(userID)",
            logger: logger)
    }

    /// The `vector` type's OID in this database (it differs per database), looked up once per store.
    func vectorType(_ connection: PostgresConnection) async throws -> PostgresDataType {
        if let known = vectorOID.withLock({ $0 }) { return known }
        let oid = try await connection.first("SELECT 'vector'::regtype::oid::int8", logger: logger) {
            try $0.decode(Int64.self)
        }
        guard let oid else {
            throw EngramError(
                .storageFailure, "The pgvector extension is missing; a superuser must run CREATE EXTENSION vector once."
            )
        }
        let type = PostgresDataType(UInt32(oid))
        vectorOID.withLock { $0 = type }
        return type
    }
}

/// A placeholder type for audit calls with no before or after value.
struct Nothing: Encodable {}

/// Batch lookups shared by recall, links and neighbours.
extension PostgresMemoryStore {
    /// Links of the user with either end in `ids` (optionally only of `types`), strongest first.
    func links(
        _ connection: PostgresConnection, userID: String, touching ids: [String], types: Set<LinkType> = []
    ) async throws -> [Link] {
        guard !ids.isEmpty else { return [] }
        let typeList = types.map(\.rawValue).sorted()
        return try await connection.rows(
            """
            SELECT * FROM links
            WHERE user_id = \(userID) AND (source_id = ANY(\(ids)) OR target_id = ANY(\(ids)))
                AND (cardinality(\(typeList)::text[]) = 0 OR type = ANY(\(typeList)))
            ORDER BY weight DESC, id
            """, logger: logger, Decode.link)
    }

    /// The user's memories with the given ids, by id.
    func memories(_ connection: PostgresConnection, userID: String, ids: [String]) async throws -> [String: Memory] {
        guard !ids.isEmpty else { return [:] }
        let memories = try await connection.rows(
            "SELECT \(unescaped: Decode.memoryColumns) FROM memories WHERE user_id = \(userID) AND id = ANY(\(ids))",
            logger: logger, Decode.memory)
        return Dictionary(memories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The user's messages with the given ids, by id.
    func messages(_ connection: PostgresConnection, userID: String, ids: [String]) async throws -> [String: Message] {
        guard !ids.isEmpty else { return [:] }
        let messages = try await connection.rows(
            "SELECT * FROM messages WHERE user_id = \(userID) AND id = ANY(\(ids))", logger: logger, Decode.message)
        return Dictionary(messages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
