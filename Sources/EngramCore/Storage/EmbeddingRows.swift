import Foundation

/// Row operations on vectors and on the store's embedding models.
public protocol EmbeddingRows {
    /// Deletes every vector of the memories in `memoryIDs`, then inserts `embeddings`.
    func replaceEmbeddings(userID: String, memoryIDs: [String], with embeddings: [StoredEmbedding]) async throws
    /// Files the memory's vectors under `sector` (its sector changed; the vectors did not).
    func moveEmbeddings(userID: String, memoryID: String, to sector: Sector) async throws

    /// The model recall ranks with, when one is set.
    func activeModel() async throws -> EmbeddingModel?
    /// Makes concurrent model switches wait for this transaction.
    func lockModels() async throws
    /// Records `model` as known to the store, unless it is.
    func registerModel(_ model: EmbeddingModel, at date: Date) async throws
    /// Makes `model` (registered) the one recall ranks with.
    func activateModel(_ model: EmbeddingModel, at date: Date) async throws
    /// Memories of every user.
    func memoryCount() async throws -> Int
    /// Vectors per model, of every user.
    func vectorCounts() async throws -> [EmbeddingModel: Int]
    /// Memories (of every user) without a vector of `model`; stops counting at `limit`.
    func countMemoriesWithoutVector(of model: EmbeddingModel, limit: Int) async throws -> Int
    /// Memories (of every user) without a vector of `model`, in row order after `cursor`, at most `limit`.
    func memoriesWithoutVector(of model: EmbeddingModel, after cursor: Int64, limit: Int) async throws
        -> [VectorlessMemory]
    /// Inserts the vectors of `model` of memories that still have the content they were made from (and none of
    /// that model yet); returns the memories whose vector was written, in any order.
    func insertVectors(
        _ vectors: [(memory: VectorlessMemory, vector: [Float])], model: EmbeddingModel, at date: Date
    ) async throws -> [VectorlessMemory]
    /// Deletes every vector not of `model`; returns how many of each user and model.
    func deleteVectors(except model: EmbeddingModel) async throws -> [PrunedVectors]
}

/// How many vectors of one model and user a prune deleted.
public struct PrunedVectors: Sendable, Hashable {
    public var userID: String
    public var model: EmbeddingModel
    public var count: Int

    public init(userID: String, model: EmbeddingModel, count: Int) {
        self.userID = userID
        self.model = model
        self.count = count
    }
}

/// A memory that lacks a vector of some model, as `reembed` reads it.
public struct VectorlessMemory: Sendable, Hashable {
    /// Where it sits in row order: `reembed` resumes after the last one it saw.
    public var cursor: Int64
    public var userID: String
    public var id: String
    public var sector: Sector
    public var content: String
    public var contentHash: String

    public init(cursor: Int64, userID: String, id: String, sector: Sector, content: String, contentHash: String) {
        self.cursor = cursor
        self.userID = userID
        self.id = id
        self.sector = sector
        self.content = content
        self.contentHash = contentHash
    }
}
