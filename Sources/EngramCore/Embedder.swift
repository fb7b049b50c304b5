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

/// Vectors of one model for a batch of texts.
public struct EmbeddedBatch: Sendable {
    public var model: EmbeddingModel
    public var vectors: [[Float]]
}

extension EmbedderSet {
    /// The vectors of every write model for `texts`, configured model first. A text's `precomputed` vector (when
    /// given) stands for the configured model; everything else is embedded in one batch per model.
    public func vectors(
        for texts: [String], precomputed: [[Float]?] = [], active: EmbeddingModel?
    ) async throws -> [EmbeddedBatch] {
        var batches: [EmbeddedBatch] = []
        for (position, embedder) in writeEmbedders(active: active).enumerated() {
            let given = position == 0 ? precomputed : []
            let missing = texts.indices.filter { $0 >= given.count || given[$0] == nil }
            let embedded = try await embedder.embed(missing.map { texts[$0] })
            var vectors = texts.indices.map { $0 < given.count ? given[$0] ?? [] : [] }
            for (index, vector) in zip(missing, embedded) { vectors[index] = vector }
            batches.append(EmbeddedBatch(model: EmbeddingModel(embedder), vectors: vectors))
        }
        return batches
    }

    /// The vectors of every write model for `drafts`; a draft's own embedding stands for the configured model.
    public func vectors(for drafts: [MemoryDraft], active: EmbeddingModel?) async throws -> [EmbeddedBatch] {
        try await vectors(for: drafts.map(\.content), precomputed: drafts.map(\.embedding), active: active)
    }
}
