import Foundation

extension VerbClause {
    /// "have two kids" (possession), "have to" (need), "have been to Paris" / "have adopted a dog" (event).
    func have(_ verbWord: String, at next: Int) -> [FactCandidate] {
        guard let after = word(next) else { return [] }
        if after == "to" {
            return verbWord == "had" ? [] : [fact(.goal, "needs_to", from: next + 1, 0.55)].compactMap { $0 }
        }
        if after == "been" {
            if word(next + 1) == "to" { return [fact(.event, "been_to", from: next + 2, 0.7)].compactMap { $0 } }
            return [fact(.event, nil, from: nil, 0.55)].compactMap { $0 }
        }
        if after == "got" || after == "gotten" {
            if word(next + 1) == "to" {
                return verbWord == "had" ? [] : [fact(.goal, "needs_to", from: next + 2, 0.55)].compactMap { $0 }
            }
            return possession(at: next + 1)
        }
        if FactVocabulary.irregularParticiples.contains(after) || (after.hasSuffix("ed") && after.count > 3) {
            return actions(after, at: context.skipAdverbs(next + 1), verbIndex: next)
        }
        if verbWord == "had" {
            // "had a great time at the pride event": the speaker attended it.
            if let at = (next..<end).first(where: { ["at", "during"].contains(context.tokens[$0].lower) }),
                (next..<at).contains(where: { FactVocabulary.vagueThings.contains(context.tokens[$0].lower) })
            {
                return [fact(.event, "attended", from: at + 1, 0.7)].compactMap { $0 }
            }
            return possession(at: next, predicate: "had", type: .event, confidence: 0.5)
        }
        return possession(at: next)
    }

    /// "a sister named Anna" (`has_sister` Anna), "two kids" (`has_kid` "two kids"), "a dog" (`has_dog`).
    func possession(
        at start: Int, predicate fixed: String? = nil, type fixedType: FactType = .fact, confidence: Double = 0.7
    ) -> [FactCandidate] {
        var cursor = start
        while cursor < end, let current = word(cursor),
            !SentenceContext.prepositions.contains(current) || cursor == start && ["a", "the"].contains(current),
            !["who", "that", "named", "called", "and", "but", "which"].contains(current),
            context.tokens[cursor].kind != .punctuation, !context.isDate(cursor)
        {
            cursor += 1
        }
        guard cursor > start else { return [] }
        let head = context.tokens[cursor - 1].lower
        if FactVocabulary.vagueThings.contains(head) || VerbClause.vagueObjects.contains(head)
            || StopWords.all.contains(head)
        {
            return []
        }
        if let fixed {
            return [fact(fixedType, fixed, from: start, confidence)].compactMap { $0 }
        }
        let relation = FactVocabulary.relations[head]
        let predicate = "has_" + (relation ?? Self.singular(head))
        if relation != nil, let name = namedAfter(cursor) {
            return [
                FactCandidate(
                    type: .relationship, predicate: predicate, valueRange: name, confidence: 0.85,
                    span: subject..<end)
            ]
        }
        guard let value = context.valueRange(start, cursor) else { return [] }
        return [
            FactCandidate(
                type: .fact, predicate: predicate, valueRange: value, confidence: relation == nil ? 0.65 : 0.8,
                span: subject..<end)
        ]
    }

    /// The capitalised name after "named", "called" or a comma at `index`.
    private func namedAfter(_ index: Int) -> Range<Int>? {
        var cursor = index
        guard let current = context.word(cursor), ["named", "called", ","].contains(current) else { return nil }
        cursor += 1
        var stop = cursor
        while context.range.contains(stop), context.tokens[stop].isCapitalised { stop += 1 }
        return stop > cursor ? cursor..<stop : nil
    }

    /// "kids" → "kid", "puppies" → "puppy"; relations use their own singular.
    static func singular(_ noun: String) -> String {
        if noun.hasSuffix("ies"), noun.count > 4 { return String(noun.dropLast(3)) + "y" }
        if noun.hasSuffix("s"), !noun.hasSuffix("ss"), noun.count > 3 { return String(noun.dropLast()) }
        return noun
    }

    /// A past action ("went to Paris", "adopted a dog", "got a new job") or a habit ("play guitar").
    func actions(_ verbWord: String, at next: Int, verbIndex: Int? = nil) -> [FactCandidate] {
        let verbAt = verbIndex ?? verb
        guard context.tokens[verbAt].kind == .word, !context.tokens[verbAt].isCapitalised else { return [] }
        let after = word(next)
        switch verbWord {
        case "live", "lived", "living":
            guard let after, ["in", "at", "near", "on"].contains(after) else { return [] }
            let past = verbWord == "lived"
            return [
                fact(past ? .event : .fact, past ? "lived_in" : "lives_in", from: next + 1, 0.85, dropArticle: true)
            ]
            .compactMap { $0 }
        case "work", "worked":
            let past = verbWord == "worked"
            let predicate: String? =
                switch after ?? "" {
                case "at", "for": "works_at"
                case "as": "works_as"
                case "in": "works_in"
                case "on": "works_on"
                default: nil
                }
            guard let predicate else { return [] }
            let name = past ? predicate.replacingOccurrences(of: "works", with: "worked") : predicate
            return [fact(past ? .event : .fact, name, from: next + 1, past ? 0.7 : 0.85, dropArticle: after != "as")]
                .compactMap { $0 }
        case "got" where ["married", "engaged", "divorced"].contains(after ?? ""):
            if word(next + 1) == "to" {
                return [fact(.relationship, (after ?? "") + "_to", from: next + 2, 0.85)].compactMap { $0 }
            }
            return [fact(.event, "got_" + (after ?? ""), from: nil, 0.8)].compactMap { $0 }
        case "married":
            return [fact(.relationship, "married_to", from: next, 0.85)].compactMap { $0 }
        case "moved", "relocated":
            guard let after, ["to", "into", "from", "back"].contains(after) else { return [] }
            let start = after == "back" && word(next + 1) == "to" ? next + 2 : next + 1
            let moved = fact(.event, after == "from" ? "moved_from" : "moved_to", from: start, 0.8, dropArticle: true)
            var result = [moved].compactMap { $0 }
            if after != "from", let value = moved?.valueRange, context.tokens[value.lowerBound].isCapitalised {
                result += [fact(.fact, "lives_in", from: start, 0.7, dropArticle: true)].compactMap { $0 }
            }
            return result
        case "used" where after == "to":
            return [fact(.fact, "used_to", from: next + 1, 0.7)].compactMap { $0 }
        case "started", "began", "begun", "start", "begin":
            let past = verbWord != "start" && verbWord != "begin"
            let start = after == "to" ? next + 1 : next
            return [fact(past ? .event : .fact, past ? "started" : "starts", from: start, past ? 0.75 : 0.6)]
                .compactMap { $0 }
        default:
            break
        }
        if Self.skippedVerbs.contains(verbWord) { return [] }
        let past =
            verbIndex != nil || FactVocabulary.irregularPast[verbWord] != nil
            || (verbWord.hasSuffix("ed") && verbWord.count > 3)
        if past {
            var predicate = verbWord
            var valueStart = next
            if Self.motionVerbs.contains(verbWord), let after {
                if after == "back", word(next + 1) == "to" {
                    predicate += "_to"
                    valueStart = next + 2
                } else if ["to", "into", "from"].contains(after) {
                    predicate += "_" + (after == "into" ? "to" : after)
                    valueStart = next + 1
                }
            }
            if let candidate = fact(.event, predicate, from: valueStart, 0.75, dropArticle: predicate.hasSuffix("_to"))
            {
                return [candidate]
            }
            // "I graduated!": an event without an object; "I've come", "I chose them": too vague.
            let bare = verbIndex == nil && after == nil && !subordinate
            return bare ? [fact(.event, predicate, from: nil, 0.6)].compactMap { $0 } : []
        }
        // A habit in the present ("I mentor a teen"); "we should ..." and "if we share" are not facts.
        guard !subordinate, !isWe, !StopWords.all.contains(verbWord), verbWord.count > 2, after != nil else {
            return []
        }
        return [fact(.fact, PronounResolver.thirdPerson(verbWord), from: next, 0.6)].compactMap { $0 }
    }

    static let motionVerbs: Set<String> = [
        "went", "gone", "moved", "traveled", "travelled", "flew", "flown", "drove", "driven", "came", "returned",
        "walked", "headed", "ran", "biked", "hiked", "sailed",
    ]
    static let skippedVerbs: Set<String> = [
        "said", "told", "asked", "thought", "felt", "knew", "meant", "guessed", "wondered", "wished", "forgot", "did",
        "was", "were", "needed", "mean", "know", "guess", "wish", "agree", "understand", "see", "bet", "wonder",
        "swear", "promise", "remember", "forget", "hear", "get", "say", "tell", "ask", "feel", "look", "sound",
        "appreciate", "miss", "can", "could", "just", "do", "does", "hope", "totally", "completely",
        "heard", "seemed", "agreed", "figured", "supposed", "imagine", "imagined", "admire", "admit", "care",
        "am", "really", "also", "is", "had", "let", "recall", "doubt", "assume", "worry",
        "worried", "loved", "liked", "called",
    ]
}
