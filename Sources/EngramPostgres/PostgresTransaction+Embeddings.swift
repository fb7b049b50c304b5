import EngramCore
import Foundation
import PostgresNIO

extension PostgresTransaction: EmbeddingRows {
    func replaceEmbeddings(userID: String, memoryIDs: [String], with embeddings: [StoredEmbedding]) async throws {
        if !memoryIDs.isEmpty {
            try await execute("DELETE FROM embeddings WHERE user_id = \(userID) AND memory_id = ANY(\(memoryIDs))")
        }
        try await insertEmbeddings(embeddings)
    }

    /// Multi-row statements of up to 1,000 vectors, bound in binary.
    func insertEmbeddings(_ embeddings: [StoredEmbedding]) async throws {
        guard !embeddings.isEmpty else { return }
        let oid = try await vectorType()
        for chunk in embeddings.indices.chunked(by: 1_000) {
            var query = PostgresQuery(
                unsafeSQL:
                    "INSERT INTO embeddings (user_id, memory_id, sector, model, dimension, embedding, created_at) VALUES"
            )
            for index in chunk {
                let embedding = embeddings[index]
                query.sql += index == chunk.lowerBound ? " " : ", "
                query.sql += try query.row(
                    embedding.userID, embedding.memoryID, embedding.sector.rawValue, embedding.model,
                    embedding.dimension, PGVector(embedding.vector, oid: oid), embedding.createdAt.timestamp)
            }
            try await execute(query)
        }
    }

    func moveEmbeddings(userID: String, memoryID: String, to sector: Sector) async throws {
        try await execute(
            "UPDATE embeddings SET sector = \(sector.rawValue) WHERE user_id = \(userID) AND memory_id = \(memoryID)")
    }

    func activeModel() async throws -> EmbeddingModel? {
        try await first("SELECT model, dimension FROM embedding_models WHERE active") {
            let (model, dimension) = try $0.decode((String, Int).self)
            return EmbeddingModel(model: model, dimension: dimension)
        }
    }

    /// Concurrent model switches (and first uses) wait for this transaction.
    func lockModels() async throws {
        try await execute("LOCK TABLE embedding_models IN SHARE ROW EXCLUSIVE MODE")
    }

    func registerModel(_ model: EmbeddingModel, at date: Date) async throws {
        try await execute(
            """
            INSERT INTO embedding_models (model, dimension, created_at)
            VALUES (\(model.model), \(model.dimension), \(date.timestamp))
            ON CONFLICT DO NOTHING
            """)
    }

    func activateModel(_ model: EmbeddingModel, at date: Date) async throws {
        try await execute("UPDATE embedding_models SET active = false WHERE active")
        try await execute(
            """
            UPDATE embedding_models SET active = true, activated_at = \(date.timestamp)
            WHERE model = \(model.model) AND dimension = \(model.dimension)
            """)
    }

    func memoryCount() async throws -> Int {
        try await integer("SELECT count(*) FROM memories")
    }

    func vectorCounts() async throws -> [EmbeddingModel: Int] {
        var counts: [EmbeddingModel: Int] = [:]
        for (model, dimension, count) in try await rows(
            "SELECT model, dimension, count(*) FROM embeddings GROUP BY model, dimension",
            { try $0.decode((String, Int, Int).self) })
        {
            counts[EmbeddingModel(model: model, dimension: dimension)] = count
        }
        return counts
    }

    func countMemoriesWithoutVector(of model: EmbeddingModel, limit: Int) async throws -> Int {
        try await integer(
            """
            SELECT count(*) FROM (SELECT 1 FROM memories m WHERE NOT EXISTS (
                SELECT 1 FROM embeddings e WHERE e.user_id = m.user_id AND e.memory_id = m.id AND e.sector = m.sector
                    AND e.model = \(model.model) AND e.dimension = \(model.dimension))
                LIMIT \(limit)) missing
            """)
    }

    func memoriesWithoutVector(of model: EmbeddingModel, after cursor: Int64, limit: Int) async throws
        -> [VectorlessMemory]
    {
        try await rows(
            """
            SELECT m.seq, m.user_id, m.id, m.sector, m.content, m.content_hash FROM memories m
            WHERE m.seq > \(cursor) AND NOT EXISTS (
                SELECT 1 FROM embeddings e WHERE e.user_id = m.user_id AND e.memory_id = m.id AND e.sector = m.sector
                    AND e.model = \(model.model) AND e.dimension = \(model.dimension))
            ORDER BY m.seq LIMIT \(limit)
            """
        ) { row in
            let columns = Columns(row)
            return VectorlessMemory(
                cursor: try columns["seq"], userID: try columns["user_id"], id: try columns["id"],
                sector: try columns.enumValue("sector"), content: try columns["content"],
                contentHash: try columns["content_hash"])
        }
    }

    /// One statement per 1,000 vectors, each written only while its memory still has the content and sector it
    /// was made from.
    func insertVectors(
        _ vectors: [(memory: VectorlessMemory, vector: [Float])], model: EmbeddingModel, at date: Date
    ) async throws -> [VectorlessMemory] {
        guard !vectors.isEmpty else { return [] }
        let oid = try await vectorType()
        var written: Set<[String]> = []
        for chunk in vectors.indices.chunked(by: 1_000) {
            var values = PostgresQuery(unsafeSQL: "")
            for index in chunk {
                let (memory, vector) = vectors[index]
                values.sql += index == chunk.lowerBound ? "" : ", "
                values.sql += try values.row(
                    memory.userID, memory.id, memory.contentHash, memory.sector.rawValue, PGVector(vector, oid: oid))
            }
            var query = values
            query.sql = """
                INSERT INTO embeddings (user_id, memory_id, sector, model, dimension, embedding, created_at)
                SELECT m.user_id, m.id, m.sector, \(try query.bind(model.model)), \(try query.bind(model.dimension)),
                    v.embedding, \(try query.bind(date.timestamp))
                FROM (VALUES \(values.sql)) AS v(user_id, id, content_hash, sector, embedding)
                JOIN memories m ON m.user_id = v.user_id AND m.id = v.id AND m.content_hash = v.content_hash
                    AND m.sector = v.sector
                ON CONFLICT DO NOTHING
                RETURNING user_id, memory_id
                """
            for key in try await rows(query, { try [Columns($0)["user_id"], Columns($0)["memory_id"]] as [String] }) {
                written.insert(key)
            }
        }
        return vectors.map(\.memory).filter { written.contains([$0.userID, $0.id]) }
    }

    func deleteVectors(except model: EmbeddingModel) async throws -> [PrunedVectors] {
        try await rows(
            """
            WITH deleted AS (
                DELETE FROM embeddings WHERE model <> \(model.model) OR dimension <> \(model.dimension)
                RETURNING user_id, model, dimension)
            SELECT user_id, model, dimension, count(*) AS n FROM deleted GROUP BY user_id, model, dimension
            """
        ) { row in
            let c = Columns(row)
            return PrunedVectors(
                userID: try c["user_id"], model: EmbeddingModel(model: try c["model"], dimension: try c["dimension"]),
                count: try c["n"])
        }
    }
}
