import Foundation

/// The emotional annotation of a memory.
public struct Emotion: Sendable, Hashable, Codable {
    public var memoryID: String
    public var userID: String
    /// −1…1.
    public var valence: Double
    /// 0…1.
    public var arousal: Double
    /// −1…1.
    public var dominance: Double
    /// Scores of discrete emotions, such as `{"joy": 0.8}`.
    public var discreteEmotions: [String: Double]
    public var primaryEmotion: String?
    /// 0…1.
    public var confidence: Double
    public var updatedAt: Date

    public init(
        memoryID: String, userID: String, valence: Double, arousal: Double, dominance: Double,
        discreteEmotions: [String: Double], primaryEmotion: String?, confidence: Double, updatedAt: Date
    ) {
        self.memoryID = memoryID
        self.userID = userID
        self.valence = valence
        self.arousal = arousal
        self.dominance = dominance
        self.discreteEmotions = discreteEmotions
        self.primaryEmotion = primaryEmotion
        self.confidence = confidence
        self.updatedAt = updatedAt
    }
}
