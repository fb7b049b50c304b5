import Foundation

/// Turns text into vectors. Implementations: ``HashingEmbedder`` now; MiniLM and HTTP embedders later.
public protocol Embedder: Sendable {
    /// A stable model name, stored beside every vector (such as `hashing-v1`).
    var model: String { get }
    /// The length of every vector this embedder returns.
    var dimension: Int { get }
    /// Embeds `texts`, returning one L2-normalised vector per text, in order.
    func embed(_ texts: [String]) async throws -> [[Float]]
}

extension Embedder {
    /// Embeds one text.
    public func embed(_ text: String) async throws -> [Float] {
        try await embed([text])[0]
    }
}

/// Vectors of a batch of drafts, by model and by the draft's position in the batch.
public struct DraftVectors: Sendable {
    /// Model → draft position → vector.
    public var byModel: [EmbeddingModel: [Int: [Float]]] = [:]

    public init() {}

    /// The positions that have a vector of every model.
    public var positions: Set<Int> {
        byModel.values.map { Set($0.keys) }.reduce(nil as Set<Int>?) { $0?.intersection($1) ?? $1 } ?? []
    }

    /// Adds `other`'s vectors (replacing any of the same model and position).
    public mutating func merge(_ other: DraftVectors) {
        for (model, vectors) in other.byModel { byModel[model, default: [:]].merge(vectors) { _, new in new } }
    }

    /// The rows to store for `memory`, whose content is that of the draft at `source`: one per model.
    public func embeddings(of memory: Memory, source: Int, at date: Date) -> [StoredEmbedding] {
        byModel.sorted { $0.key.model < $1.key.model }.compactMap { model, vectors in
            vectors[source].map {
                StoredEmbedding(
                    memoryID: memory.id, userID: memory.userID, sector: memory.sector, model: model.model,
                    dimension: model.dimension, vector: $0, createdAt: date)
            }
        }
    }
}

extension EmbedderSet {
    /// The vectors of every model in `models` (that this process can embed with) for the drafts at `positions`,
    /// one batch per model; a draft's own embedding stands for the configured model. A draft with a `preceding`
    /// turn is embedded with it (``Embedder/memoryVectors(_:preceding:)``).
    public func vectors(
        for drafts: [MemoryDraft], at positions: Set<Int>, models: [EmbeddingModel], preceding: [Int: String] = [:]
    ) async throws -> DraftVectors {
        var result = DraftVectors()
        let positions = positions.sorted()
        for model in models {
            guard let embedder = embedder(for: model) else { continue }
            let given = model == EmbeddingModel(configured)
            let missing = positions.filter { !given || drafts[$0].embedding == nil }
            let computed = try await embedder.memoryVectors(
                missing.map { drafts[$0].content }, preceding: missing.map { preceding[$0] })
            var vectors: [Int: [Float]] = [:]
            for position in positions where given { vectors[position] = drafts[position].embedding }
            for (position, vector) in zip(missing, computed) { vectors[position] = vector }
            result.byModel[model, default: [:]].merge(vectors) { _, new in new }
        }
        return result
    }
}

extension Embedder {
    /// The vectors memories are stored with, in one batch: a memory's own content's, or for a memory with the turn
    /// before its own (``MemoryService/precedingTurns(_:userID:sources:pending:)``) the normalised sum of that and
    /// the vector of the preceding turn and the content together (``MemoryService/embeddingText(of:after:)``), so
    /// that its own words keep their weight.
    public func memoryVectors(_ contents: [String], preceding: [String?]) async throws -> [[Float]] {
        let withTurn = contents.indices.filter { preceding[$0]?.isEmpty == false }
        let vectors = try await embed(
            contents + withTurn.map { MemoryService.embeddingText(of: contents[$0], after: preceding[$0]) })
        var result = Array(vectors.prefix(contents.count))
        for (offset, index) in withTurn.enumerated() {
            result[index] = MemoryService.turnVector(own: result[index], inContext: vectors[contents.count + offset])
        }
        return result
    }
}
