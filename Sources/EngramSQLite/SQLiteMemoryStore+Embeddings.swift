import EngramCore
import Foundation
import GRDB

/// Embedding models: which one recall ranks with, and `reembed`, which moves the store to the configured one.
extension SQLiteMemoryStore {
    /// The model recall ranks with, when one is set.
    static func activeModel(_ db: Database) throws -> EmbeddingModel? {
        try Row.fetchOne(db, cached: "SELECT model, dimension FROM embedding_models WHERE active = 1").map {
            EmbeddingModel(model: $0[0], dimension: $0[1])
        }
    }

    /// Records `configured` and makes it active when nothing is, or when every memory already has its vector
    /// (an empty store switches at once). Returns the active model.
    static func settleActiveModel(_ db: Database, configured: EmbeddingModel, at date: Date) throws -> EmbeddingModel {
        try db.execute(
            sql: "INSERT OR IGNORE INTO embedding_models (model, dimension, created_at) VALUES (?, ?, ?)",
            arguments: [configured.model, configured.dimension, date.millis])
        if let active = try activeModel(db) {
            if active == configured { return active }
            if try missingCount(db, configured, limit: 1) > 0 { return active }
        }
        try db.execute(sql: "UPDATE embedding_models SET active = 0 WHERE active = 1")
        try db.execute(
            sql: "UPDATE embedding_models SET active = 1, activated_at = ? WHERE model = ? AND dimension = ?",
            arguments: [date.millis, configured.model, configured.dimension])
        return configured
    }

    /// Memories (of every user) without a vector of `model`; stops counting at `limit`.
    static func missingCount(_ db: Database, _ model: EmbeddingModel, limit: Int = .max) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT count(*) FROM (SELECT 1 FROM memories m WHERE NOT EXISTS (
                    SELECT 1 FROM embeddings e WHERE e.user_id = m.user_id AND e.memory_id = m.id
                        AND e.model = ? AND e.dimension = ?) LIMIT ?)
                """, arguments: [model.model, model.dimension, limit]) ?? 0
    }

    /// The active model as of now (another process may have switched it).
    func activeModel() async throws -> EmbeddingModel? {
        try await read { db in try Self.activeModel(db) }
    }

    public func embeddingStatus() async throws -> EmbeddingStatus {
        let configured = EmbeddingModel(embedder)
        return try await read { db in
            var vectors: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT model, dimension, count(*) FROM embeddings GROUP BY model, dimension")
            {
                vectors[EmbeddingModel(model: row[0], dimension: row[1]).description] = row[2]
            }
            return EmbeddingStatus(
                configured: configured, active: try Self.activeModel(db) ?? configured,
                memories: try Int.fetchOne(db, sql: "SELECT count(*) FROM memories") ?? 0,
                missing: try Self.missingCount(db, configured), vectors: vectors)
        }
    }

    public func reembed(
        batchSize: Int, prune: Bool, progress: @Sendable (ReembedProgress) -> Void
    ) async throws -> ReembedReport {
        let batchSize = try validator.count(batchSize, field: "batch size", in: 1...InputValidator.maxBatch)
        let target = EmbeddingModel(embedder)
        let total = try await read { db in try Self.missingCount(db, target) }
        var embedded = 0
        var after: Int64 = 0
        progress(ReembedProgress(embedded: 0, total: total))
        while true {
            let cursor = after
            let pending = try await read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT m.seq, m.user_id, m.id, m.content, m.content_hash FROM memories m
                        WHERE m.seq > ? AND NOT EXISTS (
                            SELECT 1 FROM embeddings e WHERE e.user_id = m.user_id AND e.memory_id = m.id
                                AND e.model = ? AND e.dimension = ?)
                        ORDER BY m.seq LIMIT ?
                        """, arguments: [cursor, target.model, target.dimension, batchSize]
                ).map { Pending(seq: $0[0], userID: $0[1], id: $0[2], content: $0[3], contentHash: $0[4]) }
            }
            guard let last = pending.last else { break }
            after = last.seq
            let vectors = try await embedder.embed(pending.map(\.content))
            let date = now()
            let changes = try await write { db in
                try Self.insertReembedded(db, pending, vectors, model: target, at: date)
            }
            for change in changes {
                self.vectors.apply(
                    userID: change.userID, before: change.before, after: change.after,
                    upserts: [target: change.upserts], removals: [])
            }
            embedded += pending.count
            progress(ReembedProgress(embedded: embedded, total: max(total, embedded)))
        }
        let settled = try await write { db in try Self.settleActiveModel(db, configured: target, at: self.now()) }
        var pruned = 0
        if prune, settled == target {
            pruned = try await write { db in
                try db.execute(
                    sql: "DELETE FROM embeddings WHERE model <> ? OR dimension <> ?",
                    arguments: [target.model, target.dimension])
                return db.changesCount
            }
            vectors.invalidateAll()
        }
        return ReembedReport(embedded: embedded, switched: settled == target, active: settled, pruned: pruned)
    }

    /// A memory without a vector of the configured model.
    private struct Pending: Sendable {
        var seq: Int64
        var userID: String
        var id: String
        var content: String
        var contentHash: String
    }

    /// One user's vectors written by a batch, between two vector versions.
    private struct Change: Sendable {
        var userID: String
        var before: Int64
        var after: Int64
        var upserts: [(Int64, [Float])]
    }

    /// Writes vectors of `model` for memories that still have the content they were embedded from.
    private static func insertReembedded(
        _ db: Database, _ pending: [Pending], _ vectors: [[Float]], model: EmbeddingModel, at date: Date
    ) throws -> [Change] {
        var changes: [String: Change] = [:]
        for (memory, vector) in zip(pending, vectors) {
            if changes[memory.userID] == nil {
                let version = try VectorCache.version(db, userID: memory.userID)
                changes[memory.userID] = Change(userID: memory.userID, before: version, after: version, upserts: [])
            }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO embeddings (user_id, memory_id, sector, model, dimension, vector, created_at)
                    SELECT user_id, id, sector, ?, ?, ?, ? FROM memories
                    WHERE user_id = ? AND id = ? AND content_hash = ?
                    """,
                arguments: [
                    model.model, model.dimension, Column.vector(vector), date.millis, memory.userID, memory.id,
                    memory.contentHash,
                ])
            if db.changesCount > 0 { changes[memory.userID]?.upserts.append((memory.seq, vector)) }
        }
        for userID in changes.keys { changes[userID]?.after = try VectorCache.version(db, userID: userID) }
        return Array(changes.values)
    }
}
