import Foundation

/// A recall request: what to look for, for whom, and how to narrow it.
public struct RecallQuery: Sendable, Hashable {
    public var userID: String
    public var text: String
    /// How many results to return.
    public var k: Int
    public var filters: RecallFilters
    /// Overrides the configured weights for this query.
    public var weights: RecallWeights?
    /// Overrides the configured minimum composite score.
    public var minScore: Double?
    /// Follow links from the best matches to related memories.
    public var expandLinks: Bool
    /// Record the access (reinforce strength, count accesses). Off for read-only inspection.
    public var reinforce: Bool

    public init(
        userID: String, text: String, k: Int = 10, filters: RecallFilters = .init(), weights: RecallWeights? = nil,
        minScore: Double? = nil, expandLinks: Bool = true, reinforce: Bool = true
    ) {
        self.userID = userID
        self.text = text
        self.k = k
        self.filters = filters
        self.weights = weights
        self.minScore = minScore
        self.expandLinks = expandLinks
        self.reinforce = reinforce
    }
}

/// Narrows recall and listing. Empty sets mean "any".
public struct RecallFilters: Sendable, Hashable {
    public var sectors: Set<Sector>
    public var contextTypes: Set<ContextType>
    /// A memory matches when it has every one of these tags.
    public var tags: Set<String>
    /// Created at or after.
    public var createdAfter: Date?
    /// Created before.
    public var createdBefore: Date?
    public var sessionID: String?
    public var agentID: String?
    /// The agent asking: it sees shared memories and its own private ones, never another agent's private ones.
    /// `nil` is the user's own view, which sees every memory.
    public var viewer: String?
    /// Include memories whose validity interval is closed (superseded or soft-forgotten).
    public var includeInvalid: Bool

    public init(
        sectors: Set<Sector> = [], contextTypes: Set<ContextType> = [], tags: Set<String> = [],
        createdAfter: Date? = nil, createdBefore: Date? = nil, sessionID: String? = nil, agentID: String? = nil,
        includeInvalid: Bool = false, viewer: String? = nil
    ) {
        self.sectors = sectors
        self.contextTypes = contextTypes
        self.tags = tags
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.sessionID = sessionID
        self.agentID = agentID
        self.includeInvalid = includeInvalid
        self.viewer = viewer
    }
}

/// Why a result ranked where it did.
public struct ScoreBreakdown: Sendable, Hashable, Codable {
    /// Cosine similarity of the query and memory vectors, clamped to 0…1.
    public var vector: Double
    /// Full-text rank, normalised to 0…1 against the best text match of this query.
    public var text: Double
    /// The cosine min-max normalised over this query's candidates: 1 for the closest, 0 for the farthest.
    public var vectorNormalised: Double
    /// Added because the query names the memory's speaker (`speakerBoost`), else 0.
    public var boost: Double
    /// The fused similarity: `vectorShare·vectorNormalised + (1 − vectorShare)·text + boost`, at most 1.
    public var similarity: Double
    public var salience: Double
    /// The memory's current (decayed) strength.
    public var recency: Double
    /// Activation through links: the largest `link weight × similarity` of a linked candidate of this query.
    public var linkWeight: Double
    /// `w·(similarity, salience, recency, linkWeight)`.
    public var composite: Double

    public init(
        vector: Double, text: Double, similarity: Double, salience: Double, recency: Double, linkWeight: Double,
        composite: Double, vectorNormalised: Double = 0, boost: Double = 0
    ) {
        self.vector = vector
        self.vectorNormalised = vectorNormalised
        self.boost = boost
        self.text = text
        self.similarity = similarity
        self.salience = salience
        self.recency = recency
        self.linkWeight = linkWeight
        self.composite = composite
    }
}

/// One recalled memory with its score breakdown and where it came from.
public struct RecallResult: Sendable, Hashable, Codable {
    public var memory: Memory
    public var score: ScoreBreakdown
    /// The messages the memory was drawn from, oldest first.
    public var sources: [Message]
    /// How the memory was found: `text`, `vector`, `link`.
    public var matchedBy: Set<String>

    public init(memory: Memory, score: ScoreBreakdown, sources: [Message], matchedBy: Set<String>) {
        self.memory = memory
        self.score = score
        self.sources = sources
        self.matchedBy = matchedBy
    }

    private enum CodingKeys: String, CodingKey {
        case memory, score, sources, matchedBy
    }

    /// Encodes `matchedBy` sorted, so that the same result always encodes the same way.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(memory, forKey: .memory)
        try container.encode(score, forKey: .score)
        try container.encode(sources, forKey: .sources)
        try container.encode(matchedBy.sorted(), forKey: .matchedBy)
    }
}

/// One recall result with its rank from 1: what `recall` reports over the CLI's `--json`, HTTP and MCP.
public struct RankedResult: Sendable, Hashable, Codable {
    public var rank: Int
    public var score: ScoreBreakdown
    public var memory: Memory
    public var sources: [Message]
    /// How the memory was found (`link`, `text`, `vector`), sorted.
    public var matchedBy: [String]

    public init(rank: Int, score: ScoreBreakdown, memory: Memory, sources: [Message], matchedBy: [String]) {
        self.rank = rank
        self.score = score
        self.memory = memory
        self.sources = sources
        self.matchedBy = matchedBy
    }

    /// Numbers results from 1 in the store's order.
    public static func ranking(_ results: [RecallResult]) -> [RankedResult] {
        results.enumerated().map { index, result in
            RankedResult(
                rank: index + 1, score: result.score, memory: result.memory, sources: result.sources,
                matchedBy: result.matchedBy.sorted())
        }
    }
}

/// A memory a backend found for a query, before scoring: its id, the signals the composite score needs,
/// and its raw ranks. Backends hydrate full memories only for the ranked winners.
public struct RecallCandidate: Sendable {
    public var memoryID: String
    public var salience: Double
    /// Stored strength at `lastReinforcedAt`; decays from there at `decayRate` per day.
    public var strength: Double
    public var decayRate: Double
    public var lastReinforcedAt: Date
    /// Cosine similarity, when the memory has a vector of the query's model.
    public var vectorScore: Double?
    /// Raw full-text score, higher is better, when the text matched.
    public var textScore: Double?
    /// How it was found: `text`, `vector`, `link`.
    public var matchedBy: Set<String>
    /// Who said it, for a memory drawn from a conversation turn (its `speaker` metadata).
    public var speaker: String?

    public init(
        memoryID: String, salience: Double, strength: Double, decayRate: Double, lastReinforcedAt: Date,
        vectorScore: Double?, textScore: Double?, matchedBy: Set<String>, speaker: String? = nil
    ) {
        self.memoryID = memoryID
        self.salience = salience
        self.strength = strength
        self.decayRate = decayRate
        self.lastReinforcedAt = lastReinforcedAt
        self.vectorScore = vectorScore
        self.textScore = textScore
        self.matchedBy = matchedBy
        self.speaker = speaker
    }

    /// A candidate with the signals of `memory`.
    public init(memory: Memory, vectorScore: Double?, textScore: Double?, matchedBy: Set<String>) {
        self.init(
            memoryID: memory.id, salience: memory.salience, strength: memory.strength, decayRate: memory.decayRate,
            lastReinforcedAt: memory.lastReinforcedAt, vectorScore: vectorScore, textScore: textScore,
            matchedBy: matchedBy, speaker: memory.metadata["speaker"]?.stringValue)
    }
}
