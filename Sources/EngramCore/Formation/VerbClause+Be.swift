import Foundation

extension VerbClause {
    /// "I am/was ...": plans ("going to"), jobs ("a nurse"), origins ("from Boston"), states that are facts.
    func bePhrase(at start: Int, past: Bool) -> [FactCandidate] {
        guard let first = word(start), first != "not" else { return [] }
        let second = word(start + 1)
        func one(_ candidate: FactCandidate?) -> [FactCandidate] { candidate.map { [$0] } ?? [] }
        if past {
            if first == "born", let second, ["in", "on"].contains(second) {
                let predicate = second == "in" && !context.isDate(start + 2) ? "born_in" : "born_on"
                if predicate == "born_on", let date = context.dates.first(where: { $0.range.contains(start + 2) }) {
                    return one(fact(.fact, predicate, from: nil, 0.85, valueText: date.name))
                }
                return one(fact(.fact, predicate, from: start + 2, 0.85, dropArticle: true))
            }
            return []
        }
        switch first {
        case "going" where second == "to":
            let target = start + 2
            guard let object = word(target) else { return [] }
            if ["the", "a", "an"].contains(object) || context.tokens[target].isCapitalised {
                let place = context.valueRange(target, end, dropArticle: true).map { context.text($0) }
                return one(fact(.goal, "plans_to", from: nil, 0.75, valueText: place.map { "go to " + $0 }))
            }
            return one(fact(.goal, "plans_to", from: target, 0.75))
        case "planning" where second == "to" || second == "on", "about" where second == "to":
            return one(fact(.goal, "plans_to", from: start + 2, 0.75))
        case "hoping" where second == "to":
            return one(fact(.goal, "wants_to", from: start + 2, 0.65))
        case "trying" where second == "to":
            return one(fact(.goal, "tries_to", from: start + 2, 0.65))
        case "thinking" where second == "of" || second == "about":
            return one(fact(.goal, "considers", from: start + 2, 0.55))
        case "looking" where second == "forward" && word(start + 2) == "to":
            return one(fact(.goal, "looks_forward_to", from: start + 3, 0.75))
        case "off" where second == "to":
            return one(fact(.goal, "plans_to", from: start + 2, 0.55))
        case "saving" where second == "for" || second == "up":
            return one(fact(.goal, "saves_for", from: start + (word(start + 2) == "for" ? 3 : 2), 0.7))
        case "excited" where second == "about" || second == "for" || second == "to":
            return one(fact(.goal, "looks_forward_to", from: start + 2, 0.6))
        case "working", "living", "based", "studying", "learning", "volunteering", "dating", "married", "engaged":
            return progressive(first, at: start)
        case "from":
            return one(fact(.fact, "is_from", from: start + 1, 0.85, dropArticle: true))
        case "allergic" where second == "to":
            return one(fact(.fact, "allergic_to", from: start + 2, 0.85))
        case "into":
            return one(fact(.preference, "likes", from: start + 1, 0.75))
        case "keen" where second == "on", "fond" where second == "of", "passionate" where second == "about",
            "interested" where second == "in", "obsessed" where second == "with", "crazy" where second == "about":
            return one(fact(.preference, "likes", from: start + 2, 0.75))
        case "single", "divorced", "widowed":
            return one(fact(.fact, "marital_status", from: nil, 0.8, valueText: first))
        case "vegetarian", "vegan", "pescatarian":
            return one(fact(.fact, "diet", from: nil, 0.85, valueText: first))
        default:
            break
        }
        if context.tokens[start].kind == .number, second == nil || second == "years" || second == "year" {
            return one(fact(.fact, "age", from: nil, 0.85, valueText: context.tokens[start].text))
        }
        if ["a", "an"].contains(first) {
            return article(at: start)
        }
        return []
    }

    /// "working as a nurse", "living in Boston", "studying law", "married to Tom".
    func progressive(_ first: String, at start: Int) -> [FactCandidate] {
        let second = word(start + 1)
        let candidate: FactCandidate?
        switch (first, second) {
        case ("working", "as"): candidate = fact(.fact, "works_as", from: start + 2, 0.85)
        case ("working", "at"), ("working", "for"):
            candidate = fact(.fact, "works_at", from: start + 2, 0.85, dropArticle: true)
        case ("working", "on"): candidate = fact(.fact, "works_on", from: start + 2, 0.7)
        case ("working", "in"): candidate = fact(.fact, "works_in", from: start + 2, 0.75)
        case ("living", "in"), ("based", "in"), ("living", "at"):
            candidate = fact(.fact, "lives_in", from: start + 2, 0.85, dropArticle: true)
        case ("studying", "at"): candidate = fact(.fact, "studies_at", from: start + 2, 0.85, dropArticle: true)
        case ("studying", _): candidate = fact(.fact, "studies", from: start + 1, 0.8)
        case ("learning", _): candidate = fact(.fact, "learning", from: start + 1, 0.75)
        case ("volunteering", _): candidate = fact(.fact, "volunteers", from: start + 1, 0.75)
        case ("dating", _): candidate = fact(.relationship, "dating", from: start + 1, 0.8)
        case ("married", "to"), ("engaged", "to"):
            candidate = fact(.relationship, first + "_to", from: start + 2, 0.85)
        case ("married", _), ("engaged", _):
            candidate = fact(.fact, "marital_status", from: nil, 0.8, valueText: first)
        default: candidate = nil
        }
        return candidate.map { [$0] } ?? []
    }

    /// "I am a nurse" (`works_as`), "I am a big fan of jazz" (`likes`), "I am an only child" (`is`).
    func article(at start: Int) -> [FactCandidate] {
        var cursor = start + 1
        while cursor < end, let current = word(cursor), !SentenceContext.prepositions.contains(current),
            !["who", "that", "and", "but"].contains(current)
        {
            cursor += 1
        }
        guard cursor > start + 1 else { return [] }
        let head = context.tokens[cursor - 1].lower
        if head == "fan", word(cursor) == "of" {
            return [fact(.preference, "likes", from: cursor + 1, 0.75)].compactMap { $0 }
        }
        if FactVocabulary.professions.contains(head) {
            let value = context.valueRange(start + 1, cursor)
            return [
                FactCandidate(
                    type: .fact, predicate: "works_as", valueRange: value, confidence: 0.85 - (isWe ? 0.05 : 0),
                    span: subject..<end)
            ]
        }
        return [fact(.fact, "is", from: start, 0.55)].compactMap { $0 }
    }
}
