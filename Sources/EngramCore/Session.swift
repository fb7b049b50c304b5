import Foundation

/// A conversation (chat) of a user, optionally with one agent.
public struct Session: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    public var agentID: String?
    public var title: String?
    /// Kept by a trigger on `messages`.
    public var messageCount: Int
    public var metadata: JSONValue
    public var createdAt: Date
    /// The time of the last message or change.
    public var lastUpdatedAt: Date
    /// The episode (L3) consolidation wrote for the session.
    public var episodeID: String?
    /// When consolidation last summarised the session; it does again once the session changed and went idle.
    public var consolidatedAt: Date?

    public init(
        id: String, userID: String, agentID: String?, title: String?, messageCount: Int, metadata: JSONValue,
        createdAt: Date, lastUpdatedAt: Date, episodeID: String? = nil, consolidatedAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.agentID = agentID
        self.title = title
        self.messageCount = messageCount
        self.metadata = metadata
        self.createdAt = createdAt
        self.lastUpdatedAt = lastUpdatedAt
        self.episodeID = episodeID
        self.consolidatedAt = consolidatedAt
    }
}

/// What a caller supplies to create a session.
public struct SessionDraft: Sendable, Hashable {
    public var userID: String
    /// Optional caller-chosen id; a UUID is generated when `nil`.
    public var id: String?
    public var agentID: String?
    public var title: String?
    public var metadata: JSONValue

    public init(
        userID: String, id: String? = nil, agentID: String? = nil, title: String? = nil,
        metadata: JSONValue = .emptyObject
    ) {
        self.userID = userID
        self.id = id
        self.agentID = agentID
        self.title = title
        self.metadata = metadata
    }
}
