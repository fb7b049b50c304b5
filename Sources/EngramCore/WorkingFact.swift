import Foundation

/// A working-memory (L2) fact extracted from turns, with an expiry.
public struct WorkingFact: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    public var sessionID: String?
    public var agentID: String?
    public var factType: FactType
    public var content: String
    /// 0…1.
    public var confidence: Double
    public var sourceMessageIDs: [String]
    public var createdAt: Date
    public var updatedAt: Date
    public var expiresAt: Date
    /// Subject, predicate and value, where the text allows.
    public var parts: FactParts?
    public var keywords: [String]
    /// The normalised names of the entities the fact names.
    public var entityKeys: [String]
    /// The day the fact happened or will happen, when the text names one.
    public var occurredAt: Date?
    /// How many later turns stated the fact again.
    public var reinforcementCount: Int
    /// Confirmed by the user or the agent: promoted at the next consolidation.
    public var confirmed: Bool
    /// The long-term memory the fact was promoted to.
    public var promotedMemoryID: String?

    public init(
        id: String, userID: String, sessionID: String?, agentID: String?, factType: FactType, content: String,
        confidence: Double, sourceMessageIDs: [String], createdAt: Date, updatedAt: Date, expiresAt: Date,
        parts: FactParts? = nil, keywords: [String] = [], entityKeys: [String] = [], occurredAt: Date? = nil,
        reinforcementCount: Int = 0, confirmed: Bool = false, promotedMemoryID: String? = nil
    ) {
        self.id = id
        self.userID = userID
        self.sessionID = sessionID
        self.agentID = agentID
        self.factType = factType
        self.content = content
        self.confidence = confidence
        self.sourceMessageIDs = sourceMessageIDs
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
        self.parts = parts
        self.keywords = keywords
        self.entityKeys = entityKeys
        self.occurredAt = occurredAt
        self.reinforcementCount = reinforcementCount
        self.confirmed = confirmed
        self.promotedMemoryID = promotedMemoryID
    }
}

extension WorkingFact {
    private enum CodingKeys: String, CodingKey {
        case id, userID, sessionID, agentID, factType, content, confidence, sourceMessageIDs, createdAt, updatedAt
        case expiresAt, parts, keywords, entityKeys, occurredAt, reinforcementCount, confirmed, promotedMemoryID
    }

    /// Decodes a fact; the fields that exports before schema 5 lack take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), userID: try c.decode(String.self, forKey: .userID),
            sessionID: try c.decodeIfPresent(String.self, forKey: .sessionID),
            agentID: try c.decodeIfPresent(String.self, forKey: .agentID),
            factType: try c.decode(FactType.self, forKey: .factType),
            content: try c.decode(String.self, forKey: .content),
            confidence: try c.decode(Double.self, forKey: .confidence),
            sourceMessageIDs: try c.decode([String].self, forKey: .sourceMessageIDs),
            createdAt: try c.decode(Date.self, forKey: .createdAt),
            updatedAt: try c.decode(Date.self, forKey: .updatedAt),
            expiresAt: try c.decode(Date.self, forKey: .expiresAt),
            parts: try c.decodeIfPresent(FactParts.self, forKey: .parts),
            keywords: try c.decodeIfPresent([String].self, forKey: .keywords) ?? [],
            entityKeys: try c.decodeIfPresent([String].self, forKey: .entityKeys) ?? [],
            occurredAt: try c.decodeIfPresent(Date.self, forKey: .occurredAt),
            reinforcementCount: try c.decodeIfPresent(Int.self, forKey: .reinforcementCount) ?? 0,
            confirmed: try c.decodeIfPresent(Bool.self, forKey: .confirmed) ?? false,
            promotedMemoryID: try c.decodeIfPresent(String.self, forKey: .promotedMemoryID))
    }
}

/// What a caller supplies to add a working fact.
public struct WorkingFactDraft: Sendable, Hashable {
    public var userID: String
    public var sessionID: String?
    public var agentID: String?
    public var factType: FactType
    public var content: String
    public var confidence: Double
    public var sourceMessageIDs: [String]
    /// Time to live; the configured default (7 days) when `nil`.
    public var ttl: TimeInterval?

    public init(
        userID: String, sessionID: String? = nil, agentID: String? = nil, factType: FactType = .fact,
        content: String, confidence: Double = 0.5, sourceMessageIDs: [String] = [], ttl: TimeInterval? = nil
    ) {
        self.userID = userID
        self.sessionID = sessionID
        self.agentID = agentID
        self.factType = factType
        self.content = content
        self.confidence = confidence
        self.sourceMessageIDs = sourceMessageIDs
        self.ttl = ttl
    }
}
