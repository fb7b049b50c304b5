import EngramCore
import Synchronization

/// An embedder whose real embedder is made on first use: a store can list a large local model among its
/// embedders without loading its weights unless a query or a write needs them.
public final class LazyEmbedder: Embedder {
    public let model: String
    public let dimension: Int
    private let make: @Sendable () throws -> any Embedder
    private let loaded = Mutex<(any Embedder)?>(nil)

    public init(model: String, dimension: Int, make: @escaping @Sendable () throws -> any Embedder) {
        self.model = model
        self.dimension = dimension
        self.make = make
    }

    /// The real embedder, made now if it was not yet.
    public func resolve() throws -> any Embedder {
        try loaded.withLock { loaded in
            if let loaded { return loaded }
            let made = try make()
            loaded = made
            return made
        }
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try await resolve().embed(texts)
    }
}
