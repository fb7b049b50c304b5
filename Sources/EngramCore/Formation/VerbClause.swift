import Foundation

/// A clause "I/we <verb> ..." and the facts its verb phrase states.
struct VerbClause {
    let context: SentenceContext
    let subject: Int
    let verb: Int
    let end: Int
    let negated: Bool
    let isWe: Bool
    /// The clause depends on another ("if we share them", "how far I've come").
    let subordinate: Bool

    func word(_ index: Int) -> String? { index < end ? context.word(index) : nil }

    /// A candidate whose value runs from `valueStart` to the clause end.
    func fact(
        _ type: FactType, _ predicate: String?, from valueStart: Int?, _ confidence: Double, dropArticle: Bool = false,
        valueText: String? = nil
    ) -> FactCandidate? {
        var range: Range<Int>?
        if let valueStart {
            range = context.valueRange(valueStart, end, dropArticle: dropArticle)
            guard let found = range else { return nil }
            if found.count == 1, Self.vagueObjects.contains(context.tokens[found.lowerBound].lower) { return nil }
            // "Everyone we love was there": the value is another clause's verb.
            if Self.auxiliaries.contains(context.tokens[found.lowerBound].lower) { return nil }
        }
        return FactCandidate(
            type: type, predicate: predicate, valueRange: range, valueText: valueText,
            confidence: confidence - (isWe ? 0.05 : 0), span: subject..<end)
    }

    /// The facts the verb at `verb` states.
    func facts(_ verbWord: String) -> [FactCandidate] {
        let next = context.skipAdverbs(verb + 1)
        let after = word(next)
        if negated {
            if Self.likeVerbs.contains(verbWord) || verbWord == "enjoy" {
                return [fact(.preference, "dislikes", from: after == "to" ? next + 1 : next, 0.8)].compactMap { $0 }
            }
            return []
        }
        switch verbWord {
        case "am", "are", "was", "were":
            return bePhrase(at: next, past: verbWord == "was" || verbWord == "were")
        case "would":
            if ["love", "like"].contains(after), word(next + 1) == "to" {
                return [fact(.goal, "wants_to", from: next + 2, 0.7)].compactMap { $0 }
            }
            if after == "rather" { return [fact(.preference, "prefers", from: next + 1, 0.7)].compactMap { $0 } }
            return []
        case "will", "shall":
            guard after != "not" else { return [] }
            return [fact(.goal, "plans_to", from: next, 0.7)].compactMap { $0 }
        case "can":
            if after == "not", word(next + 1) == "wait", ["to", "for"].contains(word(next + 2)) {
                return [fact(.goal, "looks_forward_to", from: next + 3, 0.7)].compactMap { $0 }
            }
            return []
        case "might", "could", "may":
            guard after != "not" else { return [] }
            return [fact(.goal, "plans_to", from: next, 0.45)].compactMap { $0 }
        case "should", "must":
            guard after != "not" else { return [] }
            return [fact(.goal, "needs_to", from: next, 0.55)].compactMap { $0 }
        case "wanted", "hoped", "wished":
            return []
        case "want", "hope", "wish", "plan", "planned", "intend", "aim", "need", "decided", "promised":
            return intention(verbWord, at: next)
        case "like", "love", "enjoy", "adore", "prefer", "hate", "dislike", "detest", "loathe", "liked", "loved",
            "enjoyed", "hated", "preferred":
            return preference(verbWord, at: next)
        case "think", "believe", "feel", "guess", "reckon", "suppose", "thought", "believed", "felt":
            return opinion(verbWord, at: next)
        case "realised", "realized", "learned", "learnt", "discovered", "noticed", "understood":
            if after == "to" { return [fact(.event, "learned", from: next + 1, 0.75)].compactMap { $0 } }
            return [fact(.opinion, "realised", from: next, 0.6)].compactMap { $0 }
        case "have", "has", "had":
            return have(verbWord, at: next)
        default:
            return actions(verbWord, at: next)
        }
    }

    /// "want to", "hope to", "plan to", "need to", "decided to", "want you to".
    func intention(_ verbWord: String, at next: Int) -> [FactCandidate] {
        let after = word(next)
        if ["want", "need"].contains(verbWord), after == "you", word(next + 1) == "to", word(next + 2) != "know" {
            return [fact(.instruction, nil, from: nil, 0.6)].compactMap { $0 }
        }
        let valueStart: Int
        if after == "to" || (after == "on" && verbWord.hasPrefix("plan")) {
            valueStart = next + 1
        } else if verbWord == "want" || verbWord == "need" {
            return [fact(.goal, verbWord == "want" ? "wants" : "needs", from: next, 0.6)].compactMap { $0 }
        } else {
            return []
        }
        switch verbWord {
        case "want", "hope", "wish":
            return [fact(.goal, "wants_to", from: valueStart, verbWord == "wish" ? 0.5 : 0.7)]
                .compactMap { $0 }
        case "need": return [fact(.goal, "needs_to", from: valueStart, 0.6)].compactMap { $0 }
        default: return [fact(.goal, "plans_to", from: valueStart, 0.75)].compactMap { $0 }
        }
    }

    /// "love painting", "like to hike", "prefer tea", "hate crowds".
    func preference(_ verbWord: String, at next: Int) -> [FactCandidate] {
        let dislike = ["hate", "dislike", "detest", "loathe", "hated"].contains(verbWord)
        let predicate = dislike ? "dislikes" : verbWord.hasPrefix("prefer") ? "prefers" : "likes"
        let past = verbWord.hasSuffix("ed")
        let start = word(next) == "to" ? next + 1 : next
        let confidence = past ? 0.65 : ["love", "adore", "hate"].contains(verbWord) ? 0.85 : 0.8
        return [fact(.preference, predicate, from: start, confidence)].compactMap { $0 }
    }

    /// "I think that ...", "I feel like ...": an opinion, unless what follows is itself a first-person statement.
    func opinion(_ verbWord: String, at next: Int) -> [FactCandidate] {
        var start = next
        if ["that", "like"].contains(word(start)) {
            start += 1
        } else if verbWord == "feel" || verbWord == "felt" {
            return []
        }
        guard let first = word(start), !["i", "we", "so"].contains(first) else { return [] }
        let confidence = ["guess", "suppose", "reckon"].contains(verbWord) ? 0.4 : 0.55
        return [fact(.opinion, "thinks", from: start, confidence)].compactMap { $0 }
    }

    static let auxiliaries: Set<String> = [
        "was", "were", "is", "are", "has", "had", "will", "would", "'s", "been", "be", "am", "does", "did",
    ]
    static let likeVerbs: Set<String> = ["like", "love", "adore", "liked", "loved"]
    static let vagueObjects: Set<String> = [
        "it", "that", "this", "them", "those", "these", "so", "one", "you", "him", "her", "there", "here",
    ]
}
