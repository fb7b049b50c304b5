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
    /// Memory formation: extraction, automatic links, consolidation.
    public var formation: FormationConfiguration = .init()
    /// The actor recorded in the audit log.
    public var actor: String = "engram"

    public init() {}
}

/// The weights and limits of recall.
public struct RecallConfiguration: Sendable, Hashable {
    /// The composite weights; defaults from the seed: 0.6, 0.2, 0.1, 0.1.
    public var weights: RecallWeights = .init()
    /// The vector's share of the fused similarity; the full text has the rest. Both are min-max normalised over
    /// the query's candidates first.
    public var vectorShare: Double = 0.4
    /// Added to the fused similarity of a memory whose speaker the query names ("what did Caroline say…" and a
    /// turn said by Caroline).
    public var speakerBoost: Double = 0.1
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

/// How memory forms itself: extraction on `observe`, automatic links, and consolidation.
public struct FormationConfiguration: Sendable, Hashable {
    /// How long `observe` waits for extraction before it stores the turn alone and leaves the rest to the next
    /// consolidation (2 s).
    public var extractionBudget: Duration = .seconds(2)
    /// At most this many semantic waypoints from a new memory (the seed's 1–3)…
    public var maxSemanticLinks: Int = 3
    /// …to memories at least this similar (cosine).
    public var semanticLinkThreshold: Double = 0.75
    /// A working fact at least this confident is promoted to long-term memory at the next consolidation; so is one
    /// that is confirmed, or reinforced by a later turn.
    public var promotionConfidence: Double = 0.85
    /// A session unchanged for this long is finished: consolidation summarises it into an episode (30 minutes).
    public var sessionIdleTime: TimeInterval = 1800
    /// The most sessions one consolidation pass summarises per user.
    public var sessionsPerPass: Int = 100

    public init() {}
}
