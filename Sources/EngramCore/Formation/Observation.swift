import Foundation

/// What a caller supplies to observe one turn of a conversation.
public struct ObservationDraft: Sendable, Hashable {
    public var userID: String
    public var sessionID: String
    /// The agent (persona) the turn belongs to, when one does.
    public var agentID: String?
    public var role: MessageRole
    /// Who said it ("Caroline"); first-person pronouns resolve to this name. The user's name when `nil` and the role
    /// is `user`.
    public var speaker: String?
    public var content: String
    /// When the turn was said; the clock's time when `nil`. A turn may not be earlier than its session's last turn.
    public var createdAt: Date?
    /// A caption of an image shared with the turn.
    public var imageCaption: String?
    public var metadata: JSONValue
    /// Whether the memories formed from the turn are private to `agentID` or shared by all agents of the user.
    public var visibility: Visibility

    public init(
        userID: String, sessionID: String, agentID: String? = nil, role: MessageRole = .user, speaker: String? = nil,
        content: String, createdAt: Date? = nil, imageCaption: String? = nil, metadata: JSONValue = .emptyObject,
        visibility: Visibility = .shared
    ) {
        self.userID = userID
        self.sessionID = sessionID
        self.agentID = agentID
        self.role = role
        self.speaker = speaker
        self.content = content
        self.createdAt = createdAt
        self.imageCaption = imageCaption
        self.metadata = metadata
        self.visibility = visibility
    }
}

/// Who may recall a memory that names an agent.
public enum Visibility: String, EngramEnum {
    /// Every agent of the user.
    case shared
    /// Only the memory's agent (and the user's own, agent-less queries).
    case `private`
    public static let fieldName = "visibility"
}

/// How far extraction got within its time budget.
public enum ExtractionStatus: String, EngramEnum {
    /// Facts, entities, emotion and links were written with the turn.
    case complete
    /// The budget ran out: the turn is stored and recallable; `engram maintain` extracts it later.
    case deferred
    public static let fieldName = "extraction status"
}

/// What observing a turn wrote, and the active context after it.
public struct Observation: Sendable, Hashable, Codable {
    /// The turn appended to L1.
    public var message: Message
    /// The turn as a long-term memory: recallable at once.
    public var memory: Memory
    /// Working facts (L2) extracted from the turn, or reinforced by it.
    public var facts: [WorkingFact]
    /// Entity memories the turn created or mentioned again.
    public var entities: [Memory]
    /// Links written automatically (temporal, semantic, causal, analogical, mentions).
    public var links: [Link]
    public var emotion: Emotion?
    public var extraction: ExtractionStatus
    /// The active context after the turn: the session's latest turns, oldest first.
    public var context: [Message]

    public init(
        message: Message, memory: Memory, facts: [WorkingFact], entities: [Memory], links: [Link], emotion: Emotion?,
        extraction: ExtractionStatus, context: [Message]
    ) {
        self.message = message
        self.memory = memory
        self.facts = facts
        self.entities = entities
        self.links = links
        self.emotion = emotion
        self.extraction = extraction
        self.context = context
    }
}
