import Foundation

/// A module's state for one session: key → JSON, optionally per agent.
public struct SessionState: Sendable, Hashable, Codable {
    public var userID: String
    public var sessionID: String
    /// Empty when the state is not tied to an agent.
    public var agentID: String
    /// The module the state belongs to; empty when none.
    public var module: String
    public var key: String
    public var value: JSONValue
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        userID: String, sessionID: String, agentID: String, module: String, key: String, value: JSONValue,
        createdAt: Date, updatedAt: Date
    ) {
        self.userID = userID
        self.sessionID = sessionID
        self.agentID = agentID
        self.module = module
        self.key = key
        self.value = value
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Identifies one session-state value.
public struct SessionStateKey: Sendable, Hashable {
    public var userID: String
    public var sessionID: String
    public var agentID: String
    public var module: String
    public var key: String

    public init(userID: String, sessionID: String, agentID: String = "", module: String = "", key: String) {
        self.userID = userID
        self.sessionID = sessionID
        self.agentID = agentID
        self.module = module
        self.key = key
    }
}
