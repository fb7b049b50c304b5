import Foundation

/// Everything a store needs to know besides where its data lives. A `Sendable` value with defaults.
public struct EngramConfiguration: Sendable, Hashable {
    /// The longest content accepted, in UTF-8 bytes (default 64 KiB).
    public var maxContentBytes: Int = 64 * 1024
    /// The longest identifier accepted, in UTF-8 bytes.
    public var maxIdentifierBytes: Int = 256
    /// The most tags or keywords on one memory.
    public var maxTags: Int = 64
    /// The default active-context window: 20 turns younger than 24 hours.
    public var contextWindow: ContextWindow = .default
    /// How long a working fact lives when the caller gives no TTL (7 days).
    public var workingFactTTL: TimeInterval = 7 * 86_400
    /// Forgetting.
    public var decay: DecayPolicy = .default
    /// Recall ranking.
    public var recall: RecallConfiguration = .init()
    /// The actor recorded in the audit log.
    public var actor: String = "engram"

    public init() {}
}

/// The weights and limits of recall.
public struct RecallConfiguration: Sendable, Hashable {
    /// The composite weights; defaults from the seed: 0.6, 0.2, 0.1, 0.1.
    public var weights: RecallWeights = .init()
    /// How similarity is fused from the vector and full-text ranks.
    public var vectorShare: Double = 0.5
    /// Results below this composite score are dropped.
    public var minScore: Double = 0.0
    /// Candidates below this fused similarity are dropped before scoring.
    public var minSimilarity: Double = 0.05
    /// How many candidates each of full text and vectors contributes, as a multiple of `k` (at least 50).
    public var candidateMultiplier: Int = 10
    /// The most results one recall returns.
    public var maxK: Int = 1000

    public init() {}
}

/// The weights of the composite score `similarity·w₁ + salience·w₂ + recency·w₃ + linkWeight·w₄`.
public struct RecallWeights: Sendable, Hashable, Codable {
    public var similarity: Double = 0.6
    public var salience: Double = 0.2
    public var recency: Double = 0.1
    public var link: Double = 0.1

    public init(similarity: Double = 0.6, salience: Double = 0.2, recency: Double = 0.1, link: Double = 0.1) {
        self.similarity = similarity
        self.salience = salience
        self.recency = recency
        self.link = link
    }
}
