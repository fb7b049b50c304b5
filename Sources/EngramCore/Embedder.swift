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
