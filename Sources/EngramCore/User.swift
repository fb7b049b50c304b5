import Foundation

/// A user: the scope of every other row. No query ever crosses users.
public struct User: Sendable, Hashable, Codable {
    /// Caller-chosen identifier, such as `alice` or an account id.
    public var id: String
    public var name: String
    public var role: UserRole
    /// Free-form profile data.
    public var info: JSONValue
    public var createdAt: Date
    public var updatedAt: Date
    /// The last time anything was written for this user.
    public var lastActivityAt: Date
    /// Counters kept by database triggers.
    public var counters: UserCounters

    public init(
        id: String, name: String, role: UserRole, info: JSONValue, createdAt: Date, updatedAt: Date,
        lastActivityAt: Date, counters: UserCounters
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.info = info
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastActivityAt = lastActivityAt
        self.counters = counters
    }
}

/// Per-user row counts, maintained by triggers in every backend.
public struct UserCounters: Sendable, Hashable, Codable {
    public var memories: Int
    public var links: Int
    public var sessions: Int
    public var messages: Int

    public init(memories: Int = 0, links: Int = 0, sessions: Int = 0, messages: Int = 0) {
        self.memories = memories
        self.links = links
        self.sessions = sessions
        self.messages = messages
    }
}

/// What a caller supplies to create (or, with `upsert`, refresh) a user.
public struct UserDraft: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var role: UserRole
    public var info: JSONValue

    public init(id: String, name: String? = nil, role: UserRole = .user, info: JSONValue = .emptyObject) {
        self.id = id
        self.name = name
        self.role = role
        self.info = info
    }
}

/// Changes to a user; `nil` leaves a field as it is.
public struct UserPatch: Sendable, Hashable {
    public var name: String?
    public var role: UserRole?
    public var info: JSONValue?

    public init(name: String? = nil, role: UserRole? = nil, info: JSONValue? = nil) {
        self.name = name
        self.role = role
        self.info = info
    }
}
