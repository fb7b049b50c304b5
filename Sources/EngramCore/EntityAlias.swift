import Foundation

/// A normalised name an entity memory is known by ("nyc" for New York City), unique per user.
public struct EntityAlias: Sendable, Hashable, Codable {
    public var userID: String
    public var alias: String
    public var memoryID: String
    public var createdAt: Date

    public init(userID: String, alias: String, memoryID: String, createdAt: Date) {
        self.userID = userID
        self.alias = alias
        self.memoryID = memoryID
        self.createdAt = createdAt
    }
}
