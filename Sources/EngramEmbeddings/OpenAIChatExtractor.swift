import EngramCore
import Foundation

/// Extracts facts, entities and keywords from a turn with a language model over an OpenAI-compatible chat
/// completions API, and takes the turn's emotion, sector evidence and cues from the heuristic's lexicons.
///
/// The model is asked for one JSON object (`facts`, `entities`, `keywords`); the answer is checked against that
/// schema and anything outside it throws `llm_provider_error`, as do HTTP errors after their retries. Wrap it in a
/// ``FallbackExtractor`` with a ``HeuristicExtractor`` so that a failure costs nothing but the model's view.
public struct OpenAIChatExtractor: FactExtractor, Sendable {
    /// The chat endpoint.
    public let client: OpenAIChatClient
    /// Reads the turn's emotion, sector evidence and cues, which the model is not asked for.
    public var readings: HeuristicExtractor

    /// An extractor over `client`.
    public init(client: OpenAIChatClient, readings: HeuristicExtractor = HeuristicExtractor()) {
        self.client = client
        self.readings = readings
    }

    public func extract(_ turn: Turn) async throws -> TurnExtraction {
        let answer = try await client.answer(
            ChatExtractionAnswer.self, system: Self.instructions, user: Self.prompt(for: turn))
        return try answer.extraction(for: turn, readings: readings.extractSync(turn))
    }

    /// The user message: the turn and who said it to whom, when.
    static func prompt(for turn: Turn) -> String {
        var lines = [
            "Speaker: \(turn.speaker ?? "the \(turn.role.rawValue)")",
            "Listener: \(turn.listener ?? "unknown")",
            "Date: \(CalendarUTC.iso(turn.timestamp))",
            "Text: \(turn.text)",
        ]
        if let caption = turn.imageCaption, !caption.isEmpty { lines.append("Image caption: \(caption)") }
        return lines.joined(separator: "\n")
    }

    /// The system message: the task and the JSON schema of the answer.
    static let instructions = """
        You extract long-term memories from one turn of a conversation. Answer with one JSON object and nothing \
        else, with exactly these keys:
        {"facts": [{"type": "...", "content": "...", "subject": "...", "predicate": "...", "value": "...", \
        "confidence": 0.9, "occurred_on": "yyyy-MM-dd"}], "entities": [{"name": "...", "kind": "..."}], \
        "keywords": ["..."]}
        Rules:
        - facts: what the turn states about people, their lives, plans, preferences and instructions; at most \
        \(ChatExtractionAnswer.Limits.facts), none when the turn states nothing worth remembering. No guesses.
        - type: one of \(FactType.allCases.map(\.rawValue).joined(separator: ", ")) (fact = a personal fact, \
        goal = a plan or goal, instruction = how the listener should act).
        - content: one self-contained English sentence of at most \(ChatExtractionAnswer.Limits.content) \
        characters, in the third person: the speaker's name instead of I, me or my, the listener's name instead \
        of you, relative dates ("yesterday", "last week") resolved against the turn's date.
        - subject: the name of who or what the fact is about; predicate: a short snake_case relation such as \
        lives_in, works_as, likes, sister, went_to; value: what the relation points to. null when unclear.
        - confidence: 0 to 1, how surely the turn states the fact.
        - occurred_on: the day the fact happened or will happen, as yyyy-MM-dd, when the turn says; else null.
        - entities: the people, places, organisations, dates and other named things the turn mentions, at most \
        \(ChatExtractionAnswer.Limits.entities); kind: one of \
        \(EntityKind.allCases.map(\.rawValue).joined(separator: ", ")).
        - keywords: up to 8 lower-case content words or names the turn is about.
        - The image caption describes an image shared with the turn: use it for entities and keywords only.
        """
}
