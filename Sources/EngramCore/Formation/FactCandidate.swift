import Foundation

/// A fact a pattern recognised, before it is written as an `ExtractedFact`.
struct FactCandidate: Sendable, Hashable {
    var type: FactType
    var predicate: String?
    /// The tokens of the value, rendered with pronouns resolved.
    var valueRange: Range<Int>?
    /// A value spelled by the pattern itself (a relation's name, an age).
    var valueText: String?
    var confidence: Double
    /// The tokens the fact's content is written from.
    var span: Range<Int>
    /// The subject when it is not the speaker ("Caroline's sister").
    var subject: String?
    /// A content prefix for sentences without a subject ("Caroline's instruction:").
    var prefix: String?
    /// The content, when the pattern writes it itself ("Caroline's sister is Anna").
    var content: String?
}

/// One sentence as the fact patterns see it: its tokens, its dates and who its pronouns are.
struct SentenceContext {
    let tokens: [TextToken]
    let range: Range<Int>
    let resolver: PronounResolver
    let dates: [DateMention]
    /// The turn is addressed to the agent (no listener is named), so a bare imperative is an instruction.
    var addressesAgent = false

    /// The matched form of token `index`, or nil outside the sentence.
    func word(_ index: Int) -> String? {
        range.contains(index) ? tokens[index].lower : nil
    }

    /// The first index at or after `index` that is not an adverb ("really", "also", "kind of").
    func skipAdverbs(_ index: Int) -> Int {
        var index = index
        while let current = word(index), FactVocabulary.adverbs.contains(current) || tokens[index].text.isEmpty {
            index += 1
        }
        return index
    }

    /// Whether a date mention covers token `index`.
    func isDate(_ index: Int) -> Bool {
        dates.contains { $0.range.contains(index) }
    }

    /// Where the clause that runs through `index` ends: a clause break, or a conjunction that opens a new clause.
    func clauseEnd(after index: Int) -> Int {
        var cursor = index
        while cursor < range.upperBound {
            let token = tokens[cursor]
            if token.isClauseBreak { return cursor }
            // "for a while" is not "while ...".
            if Self.clauseOpeners.contains(token.lower), cursor == 0 || tokens[cursor - 1].lower != "a" {
                return cursor
            }
            if Self.conjunctions.contains(token.lower), let next = word(cursor + 1),
                Self.subjects.contains(next)
            {
                return cursor
            }
            cursor += 1
        }
        return range.upperBound
    }

    /// The value tokens `start..<end` without date phrases, leading "that", and trailing fillers ("too", "now").
    func valueRange(_ start: Int, _ end: Int, dropArticle: Bool = false) -> Range<Int>? {
        var lower = start
        var upper = min(end, range.upperBound)
        while lower < upper, let current = word(lower),
            current == "that" || (dropArticle && current == "the") || isDate(lower)
                || tokens[lower].kind == .punctuation
        {
            lower += 1
        }
        while upper > lower, let current = word(upper - 1),
            Self.trailingFillers.contains(current) || isDate(upper - 1) || tokens[upper - 1].kind == .punctuation
                || (upper - 2 >= lower && Self.prepositions.contains(current))
        {
            upper -= 1
        }
        // A date inside the value ends it: "a marathon yesterday with friends" keeps "a marathon".
        if let firstDate = (lower..<upper).first(where: isDate) { upper = firstDate }
        return lower < upper ? lower..<upper : nil
    }

    /// The rendered, pronoun-resolved text of `tokens[range]`.
    func text(_ range: Range<Int>) -> String {
        TokenRenderer.render(resolver.rewrite(tokens, range: range, dates: []))
    }

    /// The dates that belong to the clause `span`: inside it, before it ("Yesterday I ran"), or after it with no
    /// other subject in between ("I ran, it was yesterday" does not count; "I ran a marathon, yesterday" does).
    func dates(for span: Range<Int>) -> [DateMention] {
        dates.filter { date in
            if span.overlaps(date.range) { return true }
            let between =
                date.range.upperBound <= span.lowerBound
                ? date.range.upperBound..<span.lowerBound
                : span.upperBound..<max(span.upperBound, date.range.lowerBound)
            return !between.contains { Self.subjects.contains(tokens[$0].lower) || tokens[$0].lower == "'s" }
        }
    }

    /// Whether the sentence hedges ("maybe", "I think", "might").
    var isHedged: Bool {
        range.contains { FactVocabulary.hedges.contains(tokens[$0].lower) }
            || zip(range.dropLast(), range.dropFirst()).contains {
                tokens[$0.0].lower == "i" && ["think", "guess", "suppose"].contains(tokens[$0.1].lower)
            }
    }

    static let subjects: Set<String> = ["i", "we", "you", "he", "she", "they", "it", "that", "my", "there"]
    static let conjunctions: Set<String> = ["and", "but", "so", "or", "then", "plus"]
    static let clauseOpeners: Set<String> = [
        "because", "although", "though", "which", "while", "whereas", "cause", "since", "unless", "if", "when",
    ]
    static let prepositions: Set<String> = [
        "to", "in", "at", "on", "for", "with", "of", "from", "and", "or", "the", "a",
    ]
    static let trailingFillers: Set<String> = [
        "too", "now", "anymore", "again", "though", "lol", "haha", "either", "recently", "lately", "already", "yet",
        "really", "so", "much", "lots", "lot", "well", "tho", "honestly", "actually", "everyday",
    ]
}
