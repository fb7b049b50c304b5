import Foundation

/// Rewrites first- and second-person pronouns as names so a sentence stands on its own: with speaker Caroline,
/// "I love my dog" becomes "Caroline loves Caroline's dog"; relative dates become absolute ("yesterday" → "on
/// 7 May 2023").
public struct PronounResolver: Sendable, Hashable {
    /// Who "I", "me", "my" are: the speaker's name, or "the user" / "the assistant".
    public var firstPerson: String
    /// Who "you", "your" are, when known.
    public var secondPerson: String?

    /// Pronouns of `turn`: the speaker (or "the user" / "the assistant" by role) and the listener (or, without one,
    /// the other party of a user–assistant chat).
    public init(turn: Turn) {
        let speaker = turn.speaker.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        firstPerson = speaker ?? (turn.role == .assistant ? "the assistant" : "the user")
        let listener = turn.listener.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        switch turn.role {
        case .user: secondPerson = listener ?? "the assistant"
        case .assistant: secondPerson = listener ?? "the user"
        default: secondPerson = listener
        }
    }

    /// `sentence` with its pronouns and relative dates resolved (dates against `timestamp`).
    public func resolve(_ sentence: String, at timestamp: Date) -> String {
        let tokens = TextTokenizer.tokens(sentence)
        let dates = RelativeDateResolver.mentions(in: tokens, range: tokens.indices, reference: timestamp)
        return TokenRenderer.render(rewrite(tokens, range: tokens.indices, dates: dates), capitalise: true)
    }

    /// `tokens[range]` rewritten: pronouns replaced (with the verb after a replaced subject agreeing), relative date
    /// phrases replaced by their absolute form.
    func rewrite(_ tokens: [TextToken], range: Range<Int>, dates: [DateMention]) -> [TextToken] {
        var out: [TextToken] = []
        out.reserveCapacity(range.count + 4)
        var agree = false
        var index = range.lowerBound
        while index < range.upperBound {
            let token = tokens[index]
            if let mention = dates.first(where: { $0.range.lowerBound == index }), let replacement = mention.replacement
            {
                var text = replacement
                if let last = out.last?.lower, ["on", "in"].contains(last), text.hasPrefix(last + " ") {
                    text.removeFirst(last.count + 1)
                }
                out.append(TextToken(text: text, lower: text.lowercased(), kind: .word, spaceBefore: token.spaceBefore))
                index = max(mention.range.upperBound, index + 1)
                continue
            }
            index += 1
            if let name = replacement(for: token.lower) {
                out.append(
                    TextToken(
                        text: name.text, lower: name.text.lowercased(), kind: .word, spaceBefore: token.spaceBefore))
                // "you" agrees only as a subject: "you are" → "Melanie is", but "let you know" stays.
                agree = name.agrees && (token.lower == "i" || Self.beforeSubject(out.dropLast().last))
                if !agree, index < range.upperBound, tokens[index].text.hasPrefix("'"), tokens[index].lower != "'s" {
                    // "we're" → "Caroline and others are".
                    var spelled = tokens[index]
                    spelled.text = spelled.lower
                    spelled.spaceBefore = true
                    out.append(spelled)
                    index += 1
                }
                continue
            }
            if agree, token.kind == .word {
                if FactVocabulary.adverbs.contains(token.lower) || token.text.isEmpty {
                    out.append(token)
                    continue
                }
                out.append(Self.agreeing(token))
                agree = false
                continue
            }
            agree = false
            out.append(token)
        }
        return out
    }

    private func replacement(for lower: String) -> (text: String, agrees: Bool)? {
        switch lower {
        case "i": return (firstPerson, true)
        case "me", "myself": return (firstPerson, false)
        case "my", "mine": return (firstPerson + "'s", false)
        case "we": return (firstPerson + " and others", false)
        case "us", "ourselves": return (firstPerson + " and others", false)
        case "our", "ours": return (firstPerson + "'s", false)
        case "you": return secondPerson.map { ($0, true) }
        case "your", "yours": return secondPerson.map { ($0 + "'s", false) }
        case "yourself", "yourselves": return secondPerson.map { ($0, false) }
        default: return nil
        }
    }

    /// Whether a pronoun after `previous` (nil at the start) is a subject.
    static func beforeSubject(_ previous: TextToken?) -> Bool {
        guard let previous else { return true }
        return previous.isClauseBreak || previous.isTerminal || FactVocabulary.interjections.contains(previous.lower)
            || ["and", "but", "so", "because", "if", "when", "that", "as", "since", "while", "though", "cause"]
                .contains(previous.lower)
            || FactVocabulary.adverbs.contains(previous.lower)
    }

    /// The verb after a replaced "I" or "you", in the third person singular.
    static func agreeing(_ token: TextToken) -> TextToken {
        var result = token
        let spelled: String?
        switch token.lower {
        case "am", "are": spelled = "is"
        case "were": spelled = "was"
        case "have": spelled = "has"
        case "would", "will": spelled = token.text.hasPrefix("'") ? token.lower : nil
        default: spelled = nil
        }
        if let spelled {
            result.text = spelled
            result.spaceBefore = true
            return result
        }
        guard !token.text.hasPrefix("'"), !token.isCapitalised, token.kind == .word,
            !Self.unchanged.contains(token.lower), !token.lower.hasSuffix("ed"),
            FactVocabulary.irregularPast[token.lower] == nil,
            !StopWords.all.contains(token.lower) || Self.commonVerbs.contains(token.lower)
        else { return token }
        result.text = thirdPerson(token.text)
        return result
    }

    /// "go" → "goes", "try" → "tries", "have" → "has", "love" → "loves".
    static func thirdPerson(_ verb: String) -> String {
        switch verb {
        case "have": return "has"
        case "do": return "does"
        case "go": return "goes"
        case "be": return "is"
        default: break
        }
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        if verb.hasSuffix("y"), verb.count > 1, !vowels.contains(verb[verb.index(verb.endIndex, offsetBy: -2)]) {
            return String(verb.dropLast()) + "ies"
        }
        for suffix in ["s", "x", "z", "ch", "sh", "o"] where verb.hasSuffix(suffix) {
            return verb + "es"
        }
        return verb + "s"
    }

    private static let unchanged: Set<String> = [
        "can", "could", "should", "shall", "may", "might", "must", "was", "did", "had", "would", "will", "not", "and",
        "or", "but", "too", "also", "is", "has", "does", "got", "used", "ought",
    ]
    private static let commonVerbs: Set<String> = [
        "go", "get", "make", "know", "want", "think", "like", "feel", "see", "say", "take", "look", "use", "keep",
        "tell", "give", "come", "put", "seem", "let", "hope", "mean", "try", "love", "do", "have", "need",
    ]
}
