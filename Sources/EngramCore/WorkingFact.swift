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

    public init(
        id: String, userID: String, sessionID: String?, agentID: String?, factType: FactType, content: String,
        confidence: Double, sourceMessageIDs: [String], createdAt: Date, updatedAt: Date, expiresAt: Date
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
