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

extension Embedder {
    /// One vector per draft: the draft's own embedding when it brings one, the others embedded in one batch.
    public func vectors(for drafts: [MemoryDraft]) async throws -> [[Float]] {
        let missing = drafts.indices.filter { drafts[$0].embedding == nil }
        let embedded = try await embed(missing.map { drafts[$0].content })
        var vectors = drafts.map { $0.embedding ?? [] }
        for (index, vector) in zip(missing, embedded) { vectors[index] = vector }
        return vectors
    }
}
