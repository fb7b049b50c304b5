import Foundation

/// A directed, typed, weighted edge between two memories of one user.
public struct Link: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    public var sourceID: String
    public var targetID: String
    public var type: LinkType
    /// 0…1.
    public var weight: Double
    public var origin: LinkOrigin
    /// How many times recall followed this link.
    public var traversalCount: Int
    public var metadata: JSONValue
    public var createdAt: Date

    public init(
        id: String, userID: String, sourceID: String, targetID: String, type: LinkType, weight: Double,
        origin: LinkOrigin, traversalCount: Int, metadata: JSONValue, createdAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.sourceID = sourceID
        self.targetID = targetID
        self.type = type
        self.weight = weight
        self.origin = origin
        self.traversalCount = traversalCount
        self.metadata = metadata
        self.createdAt = createdAt
    }
}

/// What a caller supplies to link two memories. Linking again updates the weight.
public struct LinkDraft: Sendable, Hashable {
    public var userID: String
    public var sourceID: String
    public var targetID: String
    public var type: LinkType
    public var weight: Double
    public var origin: LinkOrigin
    public var metadata: JSONValue

    public init(
        userID: String, sourceID: String, targetID: String, type: LinkType = .relatesTo, weight: Double = 1.0,
        origin: LinkOrigin = .explicit, metadata: JSONValue = .emptyObject
    ) {
        self.userID = userID
        self.sourceID = sourceID
        self.targetID = targetID
        self.type = type
        self.weight = weight
        self.origin = origin
        self.metadata = metadata
    }
}

/// A memory reached from another along links.
public struct Neighbour: Sendable, Hashable, Codable {
    public var memory: Memory
    /// The link that reached it (the last hop).
    public var link: Link
    /// Hops from the start, 1…depth.
    public var depth: Int

    public init(memory: Memory, link: Link, depth: Int) {
        self.memory = memory
        self.link = link
        self.depth = depth
    }
}
