import Foundation

/// Summarises a finished session without a model: its date, its speakers, its topics (the most frequent entities
/// and keywords) and its two to four most informative facts, pronouns resolved and attributed to their speakers.
///
/// "On 8 May 2023, Caroline and Melanie talked about: support group, painting, kids. Caroline went to an LGBTQ
/// support group on 7 May 2023. Melanie painted a lake sunrise in 2022."
/// Deterministic; at most `maxLength` characters.
public struct HeuristicSummarizer: EpisodeSummarizer, Sendable {
    /// Finds the facts and keywords of each turn.
    public var extractor: HeuristicExtractor
    /// The longest summary, in characters.
    public var maxLength: Int
    /// The most fact sentences.
    public var maxSentences: Int
    /// The most topics listed.
    public var maxTopics: Int

    /// A summarizer with the default extractor and bounds.
    public init(
        extractor: HeuristicExtractor = HeuristicExtractor(), maxLength: Int = 600, maxSentences: Int = 4,
        maxTopics: Int = 6
    ) {
        self.extractor = extractor
        self.maxLength = maxLength
        self.maxSentences = maxSentences
        self.maxTopics = maxTopics
    }

    /// The summary of `turns`; see `summarizeSync`.
    public func summarize(_ turns: [Turn]) async throws -> String {
        summarizeSync(turns)
    }

    /// The summary of `turns`, in order; empty for no turns.
    public func summarizeSync(_ turns: [Turn]) -> String {
        guard let first = turns.first else { return "" }
        var speakers: [String] = []
        var topicCounts: [String: Double] = [:]
        var topicOrder: [String] = []
        var ranked: [(score: Double, turn: Int, index: Int, content: String)] = []
        for (turnIndex, turn) in turns.enumerated() {
            let name = PronounResolver(turn: turn).firstPerson
            if !speakers.contains(name) { speakers.append(name) }
            let extraction = extractor.extractSync(turn)
            let entityKeys = Set(extraction.entities.filter { $0.kind != .date }.map(\.key))
            for keyword in extraction.keywords {
                if topicCounts[keyword] == nil { topicOrder.append(keyword) }
                topicCounts[keyword, default: 0] += entityKeys.contains(keyword) ? 2 : 1
            }
            for (index, fact) in extraction.facts.enumerated() {
                let bonus = Self.typeBonus[fact.type] ?? 0
                let score = fact.confidence + bonus + 0.02 * Double(min(fact.keywords.count, 5))
                ranked.append((score, turnIndex, index, fact.content))
            }
        }
        let speakerKeys = Set(speakers.map(EntityName.key))
        let topics = topicOrder.filter { !speakerKeys.contains($0) }.enumerated()
            .sorted { (topicCounts[$0.element] ?? 0, -$0.offset) > (topicCounts[$1.element] ?? 0, -$1.offset) }
            .prefix(maxTopics).map(\.element)
        var seen: Set<String> = []
        let chosen = ranked.sorted { ($0.score, -$0.turn, -$0.index) > ($1.score, -$1.turn, -$1.index) }
            .filter { seen.insert($0.content.lowercased()).inserted }
            .prefix(maxSentences)
            .sorted { ($0.turn, $0.index) < ($1.turn, $1.index) }
        let opening = "On \(CalendarUTC.dayName(first.timestamp)), \(Self.list(speakers)) talked"
        var summary = opening + (topics.isEmpty ? "." : " about: " + topics.joined(separator: ", ") + ".")
        var topicCount = topics.count
        while summary.count > maxLength, topicCount > 0 {
            topicCount -= 1
            summary =
                opening + (topicCount == 0 ? "." : " about: " + topics.prefix(topicCount).joined(separator: ", ") + ".")
        }
        if summary.count > maxLength { return String(summary.prefix(maxLength)) }
        for sentence in chosen.map(\.content) where summary.count + 1 + sentence.count <= maxLength {
            summary += " " + sentence
        }
        return summary
    }

    static let typeBonus: [FactType: Double] = [
        .event: 0.15, .fact: 0.12, .relationship: 0.12, .goal: 0.1, .preference: 0.08, .instruction: 0.05,
    ]

    /// "A", "A and B", "A, B and C".
    static func list(_ names: [String]) -> String {
        guard names.count > 1, let last = names.last else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + last
    }
}
