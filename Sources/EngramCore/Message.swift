import Foundation

/// One turn of a session (L1). Append-only and numbered per session from 1.
public struct Message: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    public var sessionID: String
    /// 1, 2, 3… within the session.
    public var sequence: Int
    public var role: MessageRole
    public var content: String
    /// The model's reasoning, when the caller keeps it.
    public var thinking: String?
    public var metadata: JSONValue
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var createdAt: Date

    public init(
        id: String, userID: String, sessionID: String, sequence: Int, role: MessageRole, content: String,
        thinking: String?, metadata: JSONValue, inputTokens: Int?, outputTokens: Int?, createdAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.sessionID = sessionID
        self.sequence = sequence
        self.role = role
        self.content = content
        self.thinking = thinking
        self.metadata = metadata
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.createdAt = createdAt
    }
}

/// What a caller supplies to append a message.
public struct MessageDraft: Sendable, Hashable {
    public var userID: String
    public var sessionID: String
    public var role: MessageRole
    public var content: String
    public var thinking: String?
    public var metadata: JSONValue
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// When it was said, for a replayed conversation; `nil` is now. A message dated before the session's last
    /// one is `message_out_of_order`.
    public var createdAt: Date?

    public init(
        userID: String, sessionID: String, role: MessageRole, content: String, thinking: String? = nil,
        metadata: JSONValue = .emptyObject, inputTokens: Int? = nil, outputTokens: Int? = nil, createdAt: Date? = nil
    ) {
        self.userID = userID
        self.sessionID = sessionID
        self.role = role
        self.content = content
        self.thinking = thinking
        self.metadata = metadata
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.createdAt = createdAt
    }
}

/// Which turns form the active context: the last `turns` messages younger than `ttl`.
public struct ContextWindow: Sendable, Hashable {
    public var turns: Int
    public var ttl: TimeInterval

    /// The seed's defaults: 20 turns, 24 hours.
    public static let `default` = ContextWindow(turns: 20, ttl: 24 * 3600)

    public init(turns: Int, ttl: TimeInterval) {
        self.turns = turns
        self.ttl = ttl
    }
}
