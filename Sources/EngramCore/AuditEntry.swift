import Foundation

/// One line of the audit trail: who did what to which row, with digests of before and after.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: Int64
    public var userID: String
    public var actor: String
    /// Such as `memory.create`, `memory.forget`, `user.erase`.
    public var action: String
    public var targetType: String
    public var targetID: String
    /// SHA-256 of the row before, when there was one.
    public var beforeDigest: String?
    /// SHA-256 of the row after, when there is one.
    public var afterDigest: String?
    /// Why the service wrote the line (`recall reinforcement`, `decay sweep`, `import`…), when the action alone
    /// does not say; never user content. Lines written before Engram recorded reasons have none.
    public var reason: String?
    public var createdAt: Date

    public init(
        id: Int64, userID: String, actor: String, action: String, targetType: String, targetID: String,
        beforeDigest: String?, afterDigest: String?, reason: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.actor = actor
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.beforeDigest = beforeDigest
        self.afterDigest = afterDigest
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// A judgement of one recall result: useful or not.
public struct Feedback: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    public var memoryID: String
    public var query: String?
    public var useful: Bool
    public var createdAt: Date

    public init(id: String, userID: String, memoryID: String, query: String?, useful: Bool, createdAt: Date) {
        self.id = id
        self.userID = userID
        self.memoryID = memoryID
        self.query = query
        self.useful = useful
        self.createdAt = createdAt
    }
}
