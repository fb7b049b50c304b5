import EngramCore
import Foundation

/// Summarises a finished session with a language model over an OpenAI-compatible chat completions API.
///
/// The model is asked for `{"summary": "..."}`; a summary that is empty or longer than ``maxLength`` throws
/// `llm_provider_error`, as do HTTP errors after their retries, and a session whose transcript is longer than
/// ``maxTranscriptLength`` throws `invalid_argument` before any request. Wrap it in a ``FallbackSummarizer`` with a
/// ``HeuristicSummarizer``.
public struct OpenAIChatSummarizer: EpisodeSummarizer, Sendable {
    /// The chat endpoint.
    public let client: OpenAIChatClient
    /// The longest summary accepted, in characters.
    public var maxLength: Int
    /// The longest transcript sent, in characters.
    public var maxTranscriptLength: Int

    /// A summarizer over `client`.
    public init(client: OpenAIChatClient, maxLength: Int = 800, maxTranscriptLength: Int = 32_000) {
        self.client = client
        self.maxLength = maxLength
        self.maxTranscriptLength = maxTranscriptLength
    }

    public func summarize(_ turns: [Turn]) async throws -> String {
        guard !turns.isEmpty else { return "" }
        let transcript = Self.transcript(turns)
        guard transcript.count <= maxTranscriptLength else {
            throw EngramError(
                .invalidArgument,
                "The session is longer than the LLM summariser takes (\(maxTranscriptLength) characters); the heuristic summary serves instead."
            )
        }
        struct Answer: Decodable { var summary: String }
        let answer = try await client.answer(Answer.self, system: instructions, user: transcript)
        let summary = answer.summary.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !summary.isEmpty else { throw OpenAIChatClient.schemaError("summary: empty") }
        guard summary.count <= maxLength else {
            throw OpenAIChatClient.schemaError("summary: longer than \(maxLength) characters")
        }
        return summary
    }

    /// One line per turn: `[2023-05-08] Caroline: text (image: caption)`.
    static func transcript(_ turns: [Turn]) -> String {
        turns.map { turn in
            var line = "[\(CalendarUTC.iso(turn.timestamp))] \(turn.speaker ?? turn.role.rawValue): \(turn.text)"
            if let caption = turn.imageCaption, !caption.isEmpty { line += " (image: \(caption))" }
            return line
        }.joined(separator: "\n")
    }

    /// The system message: the task and the JSON schema of the answer.
    var instructions: String {
        """
        You summarise a finished conversation for a long-term memory. Answer with one JSON object and nothing \
        else: {"summary": "..."}. The summary is a few English sentences of at most \(maxLength) characters: \
        when the conversation happened (the date of its first line), who talked, what about, and the most \
        important facts, plans and events, each attributed to its speaker by name, with relative dates resolved.
        """
    }
}
