import Foundation

/// What a stored vector was made with: a model name and a dimension.
public struct EmbeddingModel: Hashable, Sendable, Codable, CustomStringConvertible {
    public var model: String
    public var dimension: Int

    public init(model: String, dimension: Int) {
        self.model = model
        self.dimension = dimension
    }

    /// The model of `embedder`.
    public init(_ embedder: any Embedder) {
        self.init(model: embedder.model, dimension: embedder.dimension)
    }

    public var description: String { "\(model) (\(dimension))" }
}

/// The embedders a store works with: the configured one, which every new vector is made with and which
/// `reembed` builds a full set of, and others it can still embed queries with while a model switch is under way.
///
/// Recall ranks with one model only, the store's *active* model: the configured one once every memory has a
/// vector of it, the previous one until then. No ranking ever mixes models.
public struct EmbedderSet: Sendable {
    /// The configured embedder.
    public let configured: any Embedder
    /// Other embedders available in this process, by model.
    public let others: [any Embedder]

    public init(configured: any Embedder, others: [any Embedder] = []) {
        self.configured = configured
        self.others = others.filter { EmbeddingModel($0) != EmbeddingModel(configured) }
    }

    /// The embedder of `model`, when this process has it.
    public func embedder(for model: EmbeddingModel) -> (any Embedder)? {
        ([configured] + others).first { EmbeddingModel($0) == model }
    }

    /// What recall embeds queries with when `active` is the store's active model: its embedder, or the configured
    /// one when this process lacks it.
    public func recallEmbedder(active: EmbeddingModel?) -> any Embedder {
        active.flatMap(embedder(for:)) ?? configured
    }

    /// What writes embed with: the configured embedder, and the active one too while a switch is under way, so
    /// memories written during the switch are found by both models.
    public func writeEmbedders(active: EmbeddingModel?) -> [any Embedder] {
        guard let active, active != EmbeddingModel(configured), let previous = embedder(for: active) else {
            return [configured]
        }
        return [configured, previous]
    }
}

/// Where a store stands on its embedding models.
public struct EmbeddingStatus: Sendable, Hashable, Codable {
    /// The model new vectors are made with.
    public var configured: EmbeddingModel
    /// The model recall ranks with.
    public var active: EmbeddingModel
    /// Memories in the store (all users).
    public var memories: Int
    /// Memories without a vector of the configured model; `reembed` fills them.
    public var missing: Int
    /// Memories without a vector of the active model: recall finds them by full text only.
    public var missingActive: Int
    /// Vectors per model in the store.
    public var vectors: [String: Int]

    public init(
        configured: EmbeddingModel, active: EmbeddingModel, memories: Int, missing: Int, missingActive: Int,
        vectors: [String: Int]
    ) {
        self.configured = configured
        self.active = active
        self.memories = memories
        self.missing = missing
        self.missingActive = missingActive
        self.vectors = vectors
    }

    /// Whether recall still ranks with an older model.
    public var isSwitching: Bool { active != configured }
}

/// How far a `reembed` run has come.
public struct ReembedProgress: Sendable, Hashable {
    /// Memories embedded so far in this run.
    public var embedded: Int
    /// Memories that lacked a vector of the configured model when the run started.
    public var total: Int

    public init(embedded: Int, total: Int) {
        self.embedded = embedded
        self.total = total
    }
}

/// What a `reembed` run did.
public struct ReembedReport: Sendable, Hashable, Codable {
    /// Memories embedded with the configured model.
    public var embedded: Int
    /// Whether recall switched to the configured model at the end.
    public var switched: Bool
    /// The model recall ranks with now.
    public var active: EmbeddingModel
    /// Vectors of other models deleted (with `prune`).
    public var pruned: Int

    public init(embedded: Int, switched: Bool, active: EmbeddingModel, pruned: Int) {
        self.embedded = embedded
        self.switched = switched
        self.active = active
        self.pruned = pruned
    }
}
