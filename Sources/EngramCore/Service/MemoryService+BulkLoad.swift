import Foundation

extension MemoryService {
    /// How many memories a load must bring before ``bulkLoad(memories:deferringIndexesFrom:_:)`` drops the vector
    /// indexes for it: below this, inserting into the live index costs less than building it again.
    public static let bulkLoadIndexThreshold = 5_000

    /// Runs a large load (`remember --file`, an import, a benchmark fill) that writes about `count` memories.
    ///
    /// When the load brings at least `threshold` memories, and at least as many as the index of a model it writes
    /// holds vectors (or the model has no index yet), that model's approximate vector index (PostgreSQL's HNSW) is dropped for the load and
    /// built once after it, over every vector: measured on PostgreSQL, inserting a vector into an HNSW graph cost
    /// several times what building the graph costs per vector. Recall stays correct meanwhile (those vectors are
    /// searched exactly, which is slower) and concurrent writes go on. The index is built again when `body` throws
    /// too; a process killed during the load leaves it to the next write, which creates a missing index.
    /// On SQLite, which has no such index, this only runs `body`.
    public func bulkLoad<T: Sendable>(
        memories count: Int, deferringIndexesFrom threshold: Int = bulkLoadIndexThreshold,
        _ body: () async throws -> T
    ) async throws -> T {
        try await bulkLoad(memories: count, models: try await writeModels(), threshold: threshold, body)
    }

    /// ``bulkLoad(memories:deferringIndexesFrom:_:)`` for the vectors of `models`.
    func bulkLoad<T: Sendable>(
        memories count: Int, models: [EmbeddingModel], threshold: Int = bulkLoadIndexThreshold,
        _ body: () async throws -> T
    ) async throws -> T {
        guard count >= threshold, !models.isEmpty else { return try await body() }
        // The vectors each index holds (a driver without indexes has none, and defers nothing below).
        try await ready()
        var stored: [EmbeddingModel: Int] = [:]
        for index in try await driver.vectorIndexStatistics() {
            stored[EmbeddingModel(model: index.model, dimension: index.dimension)] = index.rows
        }
        let deferred = models.filter { count >= stored[$0, default: 0] }
        guard !deferred.isEmpty else { return try await body() }
        logger.debug(
            "bulk load: vector indexes deferred until the load ends",
            metadata: ["memories": "\(count)", "models": "\(deferred.map(\.description))"])
        let result: T
        do {
            try await driver.deferVectorIndexes(for: deferred)
            result = try await body()
        } catch {
            do {
                try await driver.buildDeferredVectorIndexes()
            } catch let rebuild {
                logger.error(
                    "bulk load: the deferred vector indexes were not built again; run engram index rebuild",
                    metadata: ["error": "\(rebuild)"])
            }
            throw error
        }
        try await driver.buildDeferredVectorIndexes()
        return result
    }
}
