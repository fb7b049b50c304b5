import Foundation

/// A long-term memory (L3 episode or L4 knowledge) of one user.
public struct Memory: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    public var agentID: String?
    public var sessionID: String?
    public var content: String
    /// Structured content, for entities and tool outputs.
    public var contentJSON: JSONValue?
    public var summary: String?
    public var sector: Sector
    public var contextType: ContextType
    /// How much this memory stands out, 0…1; weighs in recall.
    public var salience: Double
    /// How much it matters to the user, 0…1.
    public var importance: Double
    /// Strength at `lastReinforcedAt`, 0…1; decays from there.
    public var strength: Double
    /// λ per day of the exponential decay.
    public var decayRate: Double
    public var accessCount: Int
    public var lastAccessedAt: Date?
    /// When `strength` was last set (creation, access or reinforcement).
    public var lastReinforcedAt: Date
    public var createdAt: Date
    public var updatedAt: Date
    public var validFrom: Date
    /// Set when the memory was superseded or soft-forgotten.
    public var validTo: Date?
    public var tags: [String]
    public var keywords: [String]
    public var category: String?
    public var metadata: JSONValue
    public var entity: EntityReference?
    public var entityData: JSONValue?
    /// How many times the entity was written again and merged.
    public var entityUpdateCount: Int
    public var parentID: String?
    public var isAtomic: Bool
    public var sourceMessageIDs: [String]
    /// SHA-256 of the normalised content; equal hashes of one user are one memory.
    public var contentHash: String
    /// Whether only `agentID` may recall it (`private`) or every agent of the user (`shared`).
    public var visibility: Visibility
    /// Subject, predicate and value of a fact: a later fact with the same subject and predicate and another value
    /// supersedes it.
    public var parts: FactParts?

    public init(
        id: String, userID: String, agentID: String?, sessionID: String?, content: String, contentJSON: JSONValue?,
        summary: String?, sector: Sector, contextType: ContextType, salience: Double, importance: Double,
        strength: Double, decayRate: Double, accessCount: Int, lastAccessedAt: Date?, lastReinforcedAt: Date,
        createdAt: Date, updatedAt: Date, validFrom: Date, validTo: Date?, tags: [String], keywords: [String],
        category: String?, metadata: JSONValue, entity: EntityReference?, entityData: JSONValue?,
        entityUpdateCount: Int, parentID: String?, isAtomic: Bool, sourceMessageIDs: [String], contentHash: String,
        visibility: Visibility = .shared, parts: FactParts? = nil
    ) {
        self.id = id
        self.userID = userID
        self.agentID = agentID
        self.sessionID = sessionID
        self.content = content
        self.contentJSON = contentJSON
        self.summary = summary
        self.sector = sector
        self.contextType = contextType
        self.salience = salience
        self.importance = importance
        self.strength = strength
        self.decayRate = decayRate
        self.accessCount = accessCount
        self.lastAccessedAt = lastAccessedAt
        self.lastReinforcedAt = lastReinforcedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.validFrom = validFrom
        self.validTo = validTo
        self.tags = tags
        self.keywords = keywords
        self.category = category
        self.metadata = metadata
        self.entity = entity
        self.entityData = entityData
        self.entityUpdateCount = entityUpdateCount
        self.parentID = parentID
        self.isAtomic = isAtomic
        self.sourceMessageIDs = sourceMessageIDs
        self.contentHash = contentHash
        self.visibility = visibility
        self.parts = parts
    }

    /// Whether the memory is valid at `date`.
    public func isValid(at date: Date) -> Bool {
        validFrom <= date && (validTo.map { date < $0 } ?? true)
    }
}

/// An entity in an external system; unique per user on `(system, id)`.
public struct EntityReference: Sendable, Hashable, Codable {
    public var system: String
    public var id: String
    public var type: String?

    public init(system: String, id: String, type: String? = nil) {
        self.system = system
        self.id = id
        self.type = type
    }
}

/// What a caller supplies to remember something.
public struct MemoryDraft: Sendable, Hashable {
    public var userID: String
    public var agentID: String?
    public var sessionID: String?
    public var content: String
    public var contentJSON: JSONValue?
    public var summary: String?
    public var sector: Sector
    public var contextType: ContextType
    public var salience: Double
    public var importance: Double
    public var tags: [String]
    public var keywords: [String]
    public var category: String?
    public var metadata: JSONValue
    public var entity: EntityReference?
    public var entityData: JSONValue?
    public var parentID: String?
    public var isAtomic: Bool
    public var sourceMessageIDs: [String]
    /// When the fact became true; now when `nil`.
    public var validFrom: Date?
    /// A precomputed embedding of `content`; the store's embedder runs when `nil`.
    public var embedding: [Float]?
    /// Whether only `agentID` may recall it, or every agent of the user.
    public var visibility: Visibility
    /// Subject, predicate and value, when the memory states a fact.
    public var parts: FactParts?

    public init(
        userID: String, content: String, agentID: String? = nil, sessionID: String? = nil,
        contentJSON: JSONValue? = nil, summary: String? = nil, sector: Sector = .semantic,
        contextType: ContextType = .conversationFact, salience: Double = 0.5, importance: Double = 0.5,
        tags: [String] = [], keywords: [String] = [], category: String? = nil, metadata: JSONValue = .emptyObject,
        entity: EntityReference? = nil, entityData: JSONValue? = nil, parentID: String? = nil, isAtomic: Bool = true,
        sourceMessageIDs: [String] = [], validFrom: Date? = nil, embedding: [Float]? = nil,
        visibility: Visibility = .shared, parts: FactParts? = nil
    ) {
        self.userID = userID
        self.content = content
        self.agentID = agentID
        self.sessionID = sessionID
        self.contentJSON = contentJSON
        self.summary = summary
        self.sector = sector
        self.contextType = contextType
        self.salience = salience
        self.importance = importance
        self.tags = tags
        self.keywords = keywords
        self.category = category
        self.metadata = metadata
        self.entity = entity
        self.entityData = entityData
        self.parentID = parentID
        self.isAtomic = isAtomic
        self.sourceMessageIDs = sourceMessageIDs
        self.validFrom = validFrom
        self.embedding = embedding
        self.visibility = visibility
        self.parts = parts
    }
}

/// Changes to a memory; `nil` leaves a field as it is. Changing `content` re-embeds it.
public struct MemoryPatch: Sendable, Hashable {
    public var content: String?
    public var summary: String?
    public var sector: Sector?
    public var contextType: ContextType?
    public var salience: Double?
    public var importance: Double?
    public var tags: [String]?
    public var keywords: [String]?
    public var category: String?
    public var metadata: JSONValue?

    public init(
        content: String? = nil, summary: String? = nil, sector: Sector? = nil, contextType: ContextType? = nil,
        salience: Double? = nil, importance: Double? = nil, tags: [String]? = nil, keywords: [String]? = nil,
        category: String? = nil, metadata: JSONValue? = nil
    ) {
        self.content = content
        self.summary = summary
        self.sector = sector
        self.contextType = contextType
        self.salience = salience
        self.importance = importance
        self.tags = tags
        self.keywords = keywords
        self.category = category
        self.metadata = metadata
    }
}

/// What `remember` did with a draft.
public enum RememberAction: String, Sendable, Hashable, Codable {
    /// A new memory was written.
    case created
    /// The same content already existed for the user: its strength and salience were reinforced.
    case reinforced
    /// The same entity already existed: its data was merged and its update count raised.
    case merged
}

/// The memory `remember` wrote or touched, and what it did.
public struct RememberOutcome: Sendable, Hashable, Codable {
    public var memory: Memory
    public var action: RememberAction

    public init(memory: Memory, action: RememberAction) {
        self.memory = memory
        self.action = action
    }
}

extension Memory {
    private enum CodingKeys: String, CodingKey {
        case id, userID, agentID, sessionID, content, contentJSON, summary, sector, contextType, salience, importance
        case strength, decayRate, accessCount, lastAccessedAt, lastReinforcedAt, createdAt, updatedAt, validFrom
        case validTo, tags, keywords, category, metadata, entity, entityData, entityUpdateCount, parentID, isAtomic
        case sourceMessageIDs, contentHash, visibility, parts
    }

    /// Decodes a memory; `visibility` and `parts`, which exports before schema 5 lack, default to shared and none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), userID: try c.decode(String.self, forKey: .userID),
            agentID: try c.decodeIfPresent(String.self, forKey: .agentID),
            sessionID: try c.decodeIfPresent(String.self, forKey: .sessionID),
            content: try c.decode(String.self, forKey: .content),
            contentJSON: try c.decodeIfPresent(JSONValue.self, forKey: .contentJSON),
            summary: try c.decodeIfPresent(String.self, forKey: .summary),
            sector: try c.decode(Sector.self, forKey: .sector),
            contextType: try c.decode(ContextType.self, forKey: .contextType),
            salience: try c.decode(Double.self, forKey: .salience),
            importance: try c.decode(Double.self, forKey: .importance),
            strength: try c.decode(Double.self, forKey: .strength),
            decayRate: try c.decode(Double.self, forKey: .decayRate),
            accessCount: try c.decode(Int.self, forKey: .accessCount),
            lastAccessedAt: try c.decodeIfPresent(Date.self, forKey: .lastAccessedAt),
            lastReinforcedAt: try c.decode(Date.self, forKey: .lastReinforcedAt),
            createdAt: try c.decode(Date.self, forKey: .createdAt),
            updatedAt: try c.decode(Date.self, forKey: .updatedAt),
            validFrom: try c.decode(Date.self, forKey: .validFrom),
            validTo: try c.decodeIfPresent(Date.self, forKey: .validTo),
            tags: try c.decode([String].self, forKey: .tags),
            keywords: try c.decode([String].self, forKey: .keywords),
            category: try c.decodeIfPresent(String.self, forKey: .category),
            metadata: try c.decode(JSONValue.self, forKey: .metadata),
            entity: try c.decodeIfPresent(EntityReference.self, forKey: .entity),
            entityData: try c.decodeIfPresent(JSONValue.self, forKey: .entityData),
            entityUpdateCount: try c.decode(Int.self, forKey: .entityUpdateCount),
            parentID: try c.decodeIfPresent(String.self, forKey: .parentID),
            isAtomic: try c.decode(Bool.self, forKey: .isAtomic),
            sourceMessageIDs: try c.decode([String].self, forKey: .sourceMessageIDs),
            contentHash: try c.decode(String.self, forKey: .contentHash),
            visibility: try c.decodeIfPresent(Visibility.self, forKey: .visibility) ?? .shared,
            parts: try c.decodeIfPresent(FactParts.self, forKey: .parts))
    }
}
