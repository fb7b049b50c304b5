import EngramCore
import Foundation
import PostgresNIO

/// Embedding models: which one recall ranks with, and `reembed`, which moves the store to the configured one.
extension PostgresMemoryStore {
    /// The model recall ranks with. Settled on first use (the configured model becomes active when nothing is,
    /// or when every memory already has its vector), then re-read at most once a second.
    func activeModel() async throws -> EmbeddingModel {
        let now = ContinuousClock.now
        if let cached = activeModelCache.withLock({ $0 }), now - cached.read < .seconds(1) { return cached.model }
        let date = self.now()
        let configured = EmbeddingModel(embedder)
        let active = try await transaction(userID: nil) { connection in
            try await self.settleActiveModel(connection, configured: configured, at: date)
        }
        activeModelCache.withLock { $0 = (active, now) }
        return active
    }

    private func settleActiveModel(
        _ connection: PostgresConnection, configured: EmbeddingModel, at date: Date
    ) async throws -> EmbeddingModel {
        func current() async throws -> EmbeddingModel? {
            try await connection.first("SELECT model, dimension FROM embedding_models WHERE active", logger: logger) {
                let (model, dimension) = try $0.decode((String, Int32).self)
                return EmbeddingModel(model: model, dimension: Int(dimension))
            }
        }
        if let active = try await current(), active == configured { return active }
        // Serialise the rest: concurrent first uses would otherwise race to insert and activate.
        try await connection.query("LOCK TABLE embedding_models IN SHARE ROW EXCLUSIVE MODE", logger: logger)
        let active = try await current()
        if active == configured { return configured }
        try await connection.query(
            """
            INSERT INTO embedding_models (model, dimension, created_at)
            VALUES (\(configured.model), \(Int32(configured.dimension)), \(date.timestamp))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        if let active, try await missingCount(connection, configured, limit: 1) > 0 { return active }
        try await connection.query("UPDATE embedding_models SET active = false WHERE active", logger: logger)
        try await connection.query(
            """
            UPDATE embedding_models SET active = true, activated_at = \(date.timestamp)
            WHERE model = \(configured.model) AND dimension = \(Int32(configured.dimension))
            """, logger: logger)
        return configured
    }

    /// Memories (of every user; needs whole-store access) without a vector of `model`; stops counting at `limit`.
    private func missingCount(
        _ connection: PostgresConnection, _ model: EmbeddingModel, limit: Int = Int(Int32.max)
    ) async throws -> Int {
        try await connection.first(
            """
            SELECT count(*)::int FROM (SELECT 1 FROM memories m WHERE NOT EXISTS (
                SELECT 1 FROM embeddings e WHERE e.user_id = m.user_id AND e.memory_id = m.id
                    AND e.model = \(model.model) AND e.dimension = \(Int32(model.dimension))) LIMIT \(Int64(limit))) x
            """, logger: logger
        ) { try $0.decode(Int.self) } ?? 0
    }

    public func embeddingStatus() async throws -> EmbeddingStatus {
        let configured = EmbeddingModel(embedder)
        let active = try await activeModel()
        return try await transaction(userID: nil) { connection in
            var vectors: [String: Int] = [:]
            for row in try await connection.rows(
                "SELECT model, dimension, count(*)::int FROM embeddings GROUP BY model, dimension", logger: self.logger,
                { try $0.decode((String, Int32, Int).self) })
            {
                vectors[EmbeddingModel(model: row.0, dimension: Int(row.1)).description] = row.2
            }
            let memories =
                try await connection.first("SELECT count(*)::int FROM memories", logger: self.logger) {
                    try $0.decode(Int.self)
                } ?? 0
            return EmbeddingStatus(
                configured: configured, active: active, memories: memories,
                missing: try await self.missingCount(connection, configured), vectors: vectors)
        }
    }

    public func reembed(
        batchSize: Int, prune: Bool, progress: @Sendable (ReembedProgress) -> Void
    ) async throws -> ReembedReport {
        let batchSize = try validator.count(batchSize, field: "batch size", in: 1...InputValidator.maxBatch)
        let target = EmbeddingModel(embedder)
        try await ensureVectorIndex(model: target.model, dimension: target.dimension)
        let total = try await transaction(userID: nil) { connection in
            try await self.missingCount(connection, target)
        }
        progress(ReembedProgress(embedded: 0, total: total))
        var embedded = 0
        var after: Int64 = 0
        while true {
            let cursor = after
            let pending = try await transaction(userID: nil) { connection in
                try await connection.rows(
                    """
                    SELECT m.seq, m.user_id, m.id, m.content, m.content_hash FROM memories m
                    WHERE m.seq > \(cursor) AND NOT EXISTS (
                        SELECT 1 FROM embeddings e WHERE e.user_id = m.user_id AND e.memory_id = m.id
                            AND e.model = \(target.model) AND e.dimension = \(Int32(target.dimension)))
                    ORDER BY m.seq LIMIT \(Int64(batchSize))
                    """, logger: self.logger, { try $0.decode((Int64, String, String, String, String).self) })
            }
            guard let last = pending.last else { break }
            after = last.0
            let vectors = try await embedder.embed(pending.map(\.3))
            let date = now()
            try await transaction(userID: nil) { connection in
                let oid = try await self.vectorType(connection)
                for (memory, vector) in zip(pending, vectors) {
                    // Only while the memory still has the content the vector was made from.
                    try await connection.query(
                        """
                        INSERT INTO embeddings (user_id, memory_id, sector, model, dimension, embedding, created_at)
                        SELECT user_id, id, sector, \(target.model), \(Int32(target.dimension)),
                            \(PGVector(vector, oid: oid)), \(date.timestamp)
                        FROM memories WHERE user_id = \(memory.1) AND id = \(memory.2) AND content_hash = \(memory.4)
                        ON CONFLICT DO NOTHING
                        """, logger: self.logger)
                }
            }
            embedded += pending.count
            progress(ReembedProgress(embedded: embedded, total: max(total, embedded)))
        }
        let date = now()
        let settled = try await transaction(userID: nil) { connection in
            try await self.settleActiveModel(connection, configured: target, at: date)
        }
        activeModelCache.withLock { $0 = (settled, ContinuousClock.now) }
        var pruned = 0
        if prune, settled == target {
            pruned = try await transaction(userID: nil) { connection in
                try await self.deletedCount(
                    connection,
                    """
                    DELETE FROM embeddings WHERE model <> \(target.model) OR dimension <> \(Int32(target.dimension))
                    RETURNING 1
                    """)
            }
        }
        return ReembedReport(embedded: embedded, switched: settled == target, active: settled, pruned: pruned)
    }
}
