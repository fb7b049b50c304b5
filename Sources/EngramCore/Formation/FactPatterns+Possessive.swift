import Foundation

extension FactPatterns {
    /// "my favourite colour is blue", "my sister is Anna", "my sister is a nurse", "my name is Sam",
    /// "my goal is to run a marathon", "my birthday is 3 June".
    static func possessiveFacts(from index: Int, in context: SentenceContext) -> [FactCandidate] {
        var verb = index + 1
        while verb < min(index + 6, context.range.upperBound),
            !["is", "are", "was", "'s"].contains(context.tokens[verb].lower)
        {
            if context.tokens[verb].kind == .punctuation { return [] }
            verb += 1
        }
        guard verb > index + 1, verb < context.range.upperBound, context.tokens[verb].lower != "was" else {
            return []
        }
        let end = context.clauseEnd(after: verb + 1)
        let words = (index + 1..<verb).map { context.tokens[$0].lower }
        let span = index..<end
        func make(_ type: FactType, _ predicate: String, from start: Int, _ confidence: Double, subject: String? = nil)
            -> [FactCandidate]
        {
            guard let value = context.valueRange(start, end) else { return [] }
            return [
                FactCandidate(
                    type: type, predicate: predicate, valueRange: value, confidence: confidence, span: span,
                    subject: subject)
            ]
        }
        if ["been", "got", "gotten"].contains(context.word(verb + 1)) { return [] }
        if let favourite = words.firstIndex(where: { ["favourite", "favorite", "fave"].contains($0) }) {
            let thing = words[(favourite + 1)...].map(normalisedSpelling).joined(separator: "_")
            return make(.preference, thing.isEmpty ? "favourite" : "favourite_" + thing, from: verb + 1, 0.85)
        }
        if words.count <= 2, let last = words.last, let relation = FactVocabulary.relations[last] {
            let owner = context.resolver.firstPerson + "'s " + TokenRenderer.render(context.tokens[(index + 1)..<verb])
            let valueStart = verb + 1
            if let first = context.word(valueStart), context.tokens[valueStart].isCapitalised,
                !Gazetteer.nonEntities.contains(first)
            {
                let predicate = "has_" + (words.first == "best" ? "best_friend" : relation)
                return make(.relationship, predicate, from: valueStart, 0.85)
            }
            if ["a", "an"].contains(context.word(valueStart)), let head = headNoun(after: valueStart, end, context),
                FactVocabulary.professions.contains(context.tokens[head].lower)
            {
                return make(.fact, "works_as", from: valueStart + 1, 0.75, subject: owner)
            }
            return []
        }
        guard words.count <= 3 else { return [] }
        let key = words.map(normalisedSpelling).joined(separator: "_")
        switch key {
        case "name": return make(.fact, "name", from: verb + 1, 0.9)
        case "goal", "plan", "dream", "aim", "resolution":
            let start = context.word(verb + 1) == "to" ? verb + 2 : verb + 1
            return make(.goal, key == "dream" ? "wants_to" : "plans_to", from: start, 0.75)
        case "birthday": return make(.fact, "birthday", from: verb + 1, 0.85)
        case "job", "occupation", "profession":
            return make(.fact, "works_as", from: context.word(verb + 1) == "a" ? verb + 2 : verb + 1, 0.8)
        default:
            if words.contains(where: { StopWords.all.contains($0) && $0 != "'s" }) { return [] }
            return make(.fact, key, from: verb + 1, 0.6)
        }
    }

    /// British spellings for predicate names: "favorite" → "favourite", "color" → "colour".
    static func normalisedSpelling(_ word: String) -> String {
        switch word {
        case "favorite": return "favourite"
        case "color": return "colour"
        case "colors": return "colours"
        case "neighbor": return "neighbour"
        default: return word
        }
    }

    /// The last word of the noun phrase that starts at `start`.
    private static func headNoun(after start: Int, _ end: Int, _ context: SentenceContext) -> Int? {
        var cursor = start + 1
        while cursor < end, !SentenceContext.prepositions.contains(context.tokens[cursor].lower),
            context.tokens[cursor].kind == .word
        {
            cursor += 1
        }
        return cursor > start + 1 ? cursor - 1 : nil
    }
}
