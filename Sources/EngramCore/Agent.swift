import Foundation

/// An agent or persona of a user's multi-agent system.
public struct Agent: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    public var name: String
    public var description: String?
    /// The persona's instructions or template.
    public var instructions: String?
    public var isActive: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, userID: String, name: String, description: String?, instructions: String?, isActive: Bool,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.description = description
        self.instructions = instructions
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a caller supplies to create an agent.
public struct AgentDraft: Sendable, Hashable {
    public var userID: String
    /// Optional caller-chosen id; a UUID is generated when `nil`.
    public var id: String?
    public var name: String
    public var description: String?
    public var instructions: String?
    public var isActive: Bool

    public init(
        userID: String, id: String? = nil, name: String, description: String? = nil, instructions: String? = nil,
        isActive: Bool = true
    ) {
        self.userID = userID
        self.id = id
        self.name = name
        self.description = description
        self.instructions = instructions
        self.isActive = isActive
    }
}

/// Changes to an agent; `nil` leaves a field as it is.
public struct AgentPatch: Sendable, Hashable {
    public var name: String?
    public var description: String?
    public var instructions: String?
    public var isActive: Bool?

    public init(name: String? = nil, description: String? = nil, instructions: String? = nil, isActive: Bool? = nil) {
        self.name = name
        self.description = description
        self.instructions = instructions
        self.isActive = isActive
    }
}
