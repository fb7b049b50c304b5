import EngramCore
import Foundation
import GRDB

extension SQLiteTransaction: EmbeddingRows {
    func replaceEmbeddings(userID: String, memoryIDs: [String], with embeddings: [StoredEmbedding]) async throws {
        guard !memoryIDs.isEmpty || !embeddings.isEmpty else { return }
        try await willChangeVectors(of: userID)
        let (removed, written) = try await run { db -> ([Int64], [EmbeddingModel: [(Int64, [Float])]]) in
            let ids = Array(Set(memoryIDs).union(embeddings.map(\.memoryID)))
            var seqs: [String: Int64] = [:]
            for row in try db.rows(
                """
                SELECT id, seq FROM memories
                WHERE user_id = \(userID) AND id IN (SELECT value FROM json_each(\(Column.strings(ids))))
                """)
            {
                seqs[row[0]] = row[1]
            }
            if !memoryIDs.isEmpty {
                try db.run(
                    """
                    DELETE FROM embeddings
                    WHERE user_id = \(userID) AND memory_id IN (SELECT value FROM json_each(\(Column.strings(memoryIDs))))
                    """)
            }
            try db.insert(Self.insertEmbedding, rows: embeddings.map(Self.values))
            var written: [EmbeddingModel: [(Int64, [Float])]] = [:]
            for embedding in embeddings {
                if let seq = seqs[embedding.memoryID] {
                    written[EmbeddingModel(model: embedding.model, dimension: embedding.dimension), default: []].append(
                        (seq, embedding.vector))
                }
            }
            return (memoryIDs.compactMap { seqs[$0] }, written)
        }
        recordVectors(of: userID, upserts: written, removals: removed)
    }

    static func insert(_ db: Database, _ embedding: StoredEmbedding) throws {
        try db.insert(insertEmbedding, values(of: embedding))
    }

    /// An embedding's row, in the columns of `insertEmbedding`.
    private static func values(of embedding: StoredEmbedding) -> [(any DatabaseValueConvertible)?] {
        [
            embedding.userID, embedding.memoryID, embedding.sector.rawValue, embedding.model, embedding.dimension,
            Column.vector(embedding.vector), embedding.createdAt.millis,
        ]
    }

    private static let insertEmbedding = InsertStatement(
        "embeddings", ["user_id", "memory_id", "sector", "model", "dimension", "vector", "created_at"])

    func moveEmbeddings(userID: String, memoryID: String, to sector: Sector) async throws {
        try await willChangeVectors(of: userID)
        try await run { db in
            try db.run(
                "UPDATE embeddings SET sector = \(sector.rawValue) WHERE user_id = \(userID) AND memory_id = \(memoryID)"
            )
        }
    }

    func activeModel() async throws -> EmbeddingModel? {
        try await run { db in
            try db.row("SELECT model, dimension FROM embedding_models WHERE active = 1").map {
                EmbeddingModel(model: $0[0], dimension: $0[1])
            }
        }
    }

    /// A write transaction holds the whole file: model switches already wait for each other.
    func lockModels() async throws {}

    func registerModel(_ model: EmbeddingModel, at date: Date) async throws {
        try await run { db in
            try db.run(
                """
                INSERT OR IGNORE INTO embedding_models (model, dimension, created_at)
                VALUES (\(model.model), \(model.dimension), \(date.millis))
                """)
        }
    }

    func activateModel(_ model: EmbeddingModel, at date: Date) async throws {
        try await run { db in
            try db.run("UPDATE embedding_models SET active = 0 WHERE active = 1")
            try db.run(
                """
                UPDATE embedding_models SET active = 1, activated_at = \(date.millis)
                WHERE model = \(model.model) AND dimension = \(model.dimension)
                """)
        }
    }

    func memoryCount() async throws -> Int {
        try await run { db in try db.value("SELECT count(*) FROM memories", as: Int.self) ?? 0 }
    }

    func vectorCounts() async throws -> [EmbeddingModel: Int] {
        try await run { db in
            var counts: [EmbeddingModel: Int] = [:]
            for row in try db.rows("SELECT model, dimension, count(*) FROM embeddings GROUP BY model, dimension") {
                counts[EmbeddingModel(model: row[0], dimension: row[1])] = row[2]
            }
            return counts
        }
    }

    func countMemoriesWithoutVector(of model: EmbeddingModel, limit: Int) async throws -> Int {
        try await run { db in
            try db.value(
                """
                SELECT count(*) FROM (SELECT 1 FROM memories m WHERE NOT EXISTS (
                    SELECT 1 FROM embeddings e WHERE e.user_id = m.user_id AND e.memory_id = m.id
                        AND e.sector = m.sector AND e.model = \(model.model) AND e.dimension = \(model.dimension))
                    LIMIT \(limit))
                """, as: Int.self) ?? 0
        }
    }

    func memoriesWithoutVector(of model: EmbeddingModel, after cursor: Int64, limit: Int) async throws
        -> [VectorlessMemory]
    {
        try await run { db in
            try db.rows(
                """
                SELECT m.seq, m.user_id, m.id, m.sector, m.content, m.content_hash FROM memories m
                WHERE m.seq > \(cursor) AND NOT EXISTS (
                    SELECT 1 FROM embeddings e WHERE e.user_id = m.user_id AND e.memory_id = m.id
                        AND e.sector = m.sector AND e.model = \(model.model) AND e.dimension = \(model.dimension))
                ORDER BY m.seq LIMIT \(limit)
                """
            ).map {
                VectorlessMemory(
                    cursor: $0[0], userID: $0[1], id: $0[2], sector: try Decode.enumValue($0, "sector"),
                    content: $0[4], contentHash: $0[5])
            }
        }
    }

    func insertVectors(
        _ vectors: [(memory: VectorlessMemory, vector: [Float])], model: EmbeddingModel, at date: Date
    ) async throws -> [VectorlessMemory] {
        let rows = vectors.map { PendingVector(memory: $0.memory, vector: $0.vector) }
        for userID in Set(rows.map(\.memory.userID)).sorted() { try await willChangeVectors(of: userID) }
        let written = try await run { db -> [PendingVector] in
            try rows.filter { row in
                // Only while the memory still has the content (and sector) the vector was made from.
                try db.run(
                    """
                    INSERT OR IGNORE INTO embeddings (user_id, memory_id, sector, model, dimension, vector, created_at)
                    SELECT user_id, id, sector, \(model.model), \(model.dimension), \(Column.vector(row.vector)),
                        \(date.millis)
                    FROM memories WHERE user_id = \(row.memory.userID) AND id = \(row.memory.id)
                        AND content_hash = \(row.memory.contentHash) AND sector = \(row.memory.sector.rawValue)
                    """) > 0
            }
        }
        for row in written {
            recordVectors(of: row.memory.userID, upserts: [model: [(row.memory.cursor, row.vector)]])
        }
        return written.map(\.memory)
    }

    func deleteVectors(except model: EmbeddingModel) async throws -> [PrunedVectors] {
        invalidateAllVectors()
        let deleted = try await run { db in
            try db.rows(
                """
                DELETE FROM embeddings WHERE model <> \(model.model) OR dimension <> \(model.dimension)
                RETURNING user_id, model, dimension
                """
            ).map { row -> PrunedVectors in
                PrunedVectors(userID: row[0], model: EmbeddingModel(model: row[1], dimension: row[2]), count: 1)
            }
        }
        // Each deleted vector counts 1: equal rows are the vectors of one user and model.
        return Dictionary(grouping: deleted) { $0 }.map {
            PrunedVectors(userID: $0.key.userID, model: $0.key.model, count: $0.value.count)
        }
    }
}

/// A vector waiting to be written by `reembed`.
private struct PendingVector: Sendable {
    var memory: VectorlessMemory
    var vector: [Float]
}
