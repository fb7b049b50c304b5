import Foundation

/// One turn as an extractor sees it: the text, who said it, to whom, and when.
public struct Turn: Sendable, Hashable {
    public var text: String
    /// The speaker's name ("Caroline"); first-person pronouns (I, me, my, mine, myself) resolve to it.
    public var speaker: String?
    public var role: MessageRole
    /// The other party's name, when known; second-person pronouns (you, your) resolve to it.
    public var listener: String?
    /// When the turn was said; relative dates ("yesterday", "last week") resolve against it.
    public var timestamp: Date
    /// A caption of an image shared with the turn, when there is one.
    public var imageCaption: String?

    public init(
        text: String, speaker: String? = nil, role: MessageRole = .user, listener: String? = nil, timestamp: Date,
        imageCaption: String? = nil
    ) {
        self.text = text
        self.speaker = speaker
        self.role = role
        self.listener = listener
        self.timestamp = timestamp
        self.imageCaption = imageCaption
    }
}

/// What kind of thing a named entity is.
public enum EntityKind: String, EngramEnum {
    case person, place, organisation, date, other
    public static let fieldName = "entity kind"
}

/// A named entity found in a turn.
public struct ExtractedEntity: Sendable, Hashable, Codable {
    /// The name as written ("NYC").
    public var name: String
    public var kind: EntityKind
    /// The normalised name: lower case, spacing collapsed, punctuation and a leading "the" dropped ("nyc").
    public var key: String
    /// Other normalised names the entity is known by ("new york city" for "nyc"; "nyc" for "new york city").
    public var aliases: [String]
    /// For a date: the day it names, resolved against the turn's timestamp.
    public var date: Date?

    public init(name: String, kind: EntityKind, key: String, aliases: [String] = [], date: Date? = nil) {
        self.name = name
        self.kind = kind
        self.key = key
        self.aliases = aliases
        self.date = date
    }
}

/// A fact found in a turn: a self-contained sentence with pronouns resolved, and its parts where the text allows.
public struct ExtractedFact: Sendable, Hashable, Codable {
    public var type: FactType
    /// Self-contained: "Caroline went to an LGBTQ support group on 2023-05-07."
    public var content: String
    /// Who or what the fact is about ("Caroline"), after pronoun resolution.
    public var subject: String?
    /// A normalised relation ("lives_in", "likes", "sister", "went_to").
    public var predicate: String?
    /// The value ("Boston"); two facts with the same subject and predicate and different values contradict.
    public var value: String?
    /// 0…1.
    public var confidence: Double
    public var keywords: [String]
    /// The keys of the entities the fact names.
    public var entityKeys: [String]
    /// The day the fact happened or will happen, when the text names one.
    public var occurredAt: Date?

    public init(
        type: FactType, content: String, subject: String? = nil, predicate: String? = nil, value: String? = nil,
        confidence: Double, keywords: [String] = [], entityKeys: [String] = [], occurredAt: Date? = nil
    ) {
        self.type = type
        self.content = content
        self.subject = subject
        self.predicate = predicate
        self.value = value
        self.confidence = confidence
        self.keywords = keywords
        self.entityKeys = entityKeys
        self.occurredAt = occurredAt
    }
}

/// The emotional reading of a turn: dimensions and discrete emotions from a lexicon.
public struct EmotionReading: Sendable, Hashable, Codable {
    /// −1…1.
    public var valence: Double
    /// 0…1.
    public var arousal: Double
    /// −1…1.
    public var dominance: Double
    /// Discrete emotion → 0…1 ("joy": 0.8).
    public var discreteEmotions: [String: Double]
    public var primaryEmotion: String?
    /// 0…1: how much of the turn the lexicon covered.
    public var confidence: Double

    public init(
        valence: Double, arousal: Double, dominance: Double, discreteEmotions: [String: Double],
        primaryEmotion: String?, confidence: Double
    ) {
        self.valence = valence
        self.arousal = arousal
        self.dominance = dominance
        self.discreteEmotions = discreteEmotions
        self.primaryEmotion = primaryEmotion
        self.confidence = confidence
    }
}

/// A link the text itself states between a turn and what came before it.
public enum WaypointCue: String, Sendable, Hashable, Codable, CaseIterable {
    /// "because", "so", "as a result", "that's why": the turn and the previous one are cause and effect.
    case causal
    /// "just like", "reminds me of", "similar to": the turn compares itself with something said before.
    case analogical
}

/// Everything an extractor found in one turn.
public struct TurnExtraction: Sendable, Hashable {
    public var facts: [ExtractedFact]
    public var entities: [ExtractedEntity]
    public var keywords: [String]
    /// Evidence for each sector from rules, 0…1 each; sectors without evidence are absent.
    public var sectorEvidence: [Sector: Double]
    public var emotion: EmotionReading?
    public var cues: Set<WaypointCue>

    public init(
        facts: [ExtractedFact] = [], entities: [ExtractedEntity] = [], keywords: [String] = [],
        sectorEvidence: [Sector: Double] = [:], emotion: EmotionReading? = nil, cues: Set<WaypointCue> = []
    ) {
        self.facts = facts
        self.entities = entities
        self.keywords = keywords
        self.sectorEvidence = sectorEvidence
        self.emotion = emotion
        self.cues = cues
    }
}

/// Finds facts, entities, keywords, sector evidence, emotion and cues in a turn.
public protocol FactExtractor: Sendable {
    func extract(_ turn: Turn) async throws -> TurnExtraction
}

/// Writes the summary of a finished session: the content of its episode (L3).
public protocol EpisodeSummarizer: Sendable {
    /// A summary of `turns` (in order), a few sentences.
    func summarize(_ turns: [Turn]) async throws -> String
}
