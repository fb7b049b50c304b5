import Foundation

/// What a user's memory holds, by layer and kind.
public struct UserStatistics: Sendable, Hashable, Codable {
    public var userID: String
    /// All memories, valid or not.
    public var memories: Int
    /// Memories whose validity interval is open now.
    public var validMemories: Int
    public var memoriesBySector: [String: Int]
    public var memoriesByContextType: [String: Int]
    public var entities: Int
    public var embeddings: Int
    public var links: Int
    public var linksByType: [String: Int]
    public var sessions: Int
    public var messages: Int
    /// Working facts not yet expired.
    public var activeWorkingFacts: Int
    public var emotions: Int
    public var feedback: Int
    public var averageSalience: Double
    /// The mean current (decayed) strength of valid memories.
    public var averageStrength: Double
    public var oldestMemoryAt: Date?
    public var newestMemoryAt: Date?
    public var lastActivityAt: Date

    public init(
        userID: String, memories: Int, validMemories: Int, memoriesBySector: [String: Int],
        memoriesByContextType: [String: Int], entities: Int, embeddings: Int, links: Int, linksByType: [String: Int],
        sessions: Int, messages: Int, activeWorkingFacts: Int, emotions: Int, feedback: Int, averageSalience: Double,
        averageStrength: Double, oldestMemoryAt: Date?, newestMemoryAt: Date?, lastActivityAt: Date
    ) {
        self.userID = userID
        self.memories = memories
        self.validMemories = validMemories
        self.memoriesBySector = memoriesBySector
        self.memoriesByContextType = memoriesByContextType
        self.entities = entities
        self.embeddings = embeddings
        self.links = links
        self.linksByType = linksByType
        self.sessions = sessions
        self.messages = messages
        self.activeWorkingFacts = activeWorkingFacts
        self.emotions = emotions
        self.feedback = feedback
        self.averageSalience = averageSalience
        self.averageStrength = averageStrength
        self.oldestMemoryAt = oldestMemoryAt
        self.newestMemoryAt = newestMemoryAt
        self.lastActivityAt = lastActivityAt
    }
}
