import Foundation

extension FactPatterns {
    /// Facts of a clause whose subject is "I" or "we" at `subject`.
    static func subjectFacts(from subject: Int, in context: SentenceContext) -> [FactCandidate] {
        let end = context.clauseEnd(after: subject + 1)
        var cursor = context.skipAdverbs(subject + 1)
        var negated = false
        if let word = context.word(cursor), ["do", "does", "did"].contains(word), context.word(cursor + 1) == "not" {
            negated = true
            cursor = context.skipAdverbs(cursor + 2)
        } else if context.word(cursor) == "never" {
            negated = true
            cursor = context.skipAdverbs(cursor + 1)
        }
        guard let verb = context.word(cursor), context.tokens[cursor].kind == .word else { return [] }
        let previous = context.word(subject - 1) ?? ""
        // "I wish I had known", "if I went": nothing happened.
        if ["wish", "wished", "if", "unless", "whether", "imagine"].contains(previous) { return [] }
        let clause = VerbClause(
            context: context, subject: subject, verb: cursor, end: end, negated: negated,
            isWe: context.word(subject) == "we", subordinate: Self.subordinators.contains(previous))
        return clause.facts(verb)
    }

    /// "my sister Anna", "our dog Max": a relationship to a named person or pet.
    static func namedRelation(at index: Int, in context: SentenceContext) -> FactCandidate? {
        var cursor = index + 1
        if context.word(cursor) == "best" || context.word(cursor) == "little" || context.word(cursor) == "big"
            || context.word(cursor) == "older" || context.word(cursor) == "younger"
        {
            cursor += 1
        }
        guard let word = context.word(cursor), let relation = FactVocabulary.relations[word] else { return nil }
        var name = cursor + 1
        if context.word(name) == "," { name += 1 }
        guard context.range.contains(name), context.tokens[name].isCapitalised,
            !Gazetteer.nonEntities.contains(context.tokens[name].lower)
        else { return nil }
        var nameEnd = name + 1
        while context.range.contains(nameEnd), context.tokens[nameEnd].isCapitalised { nameEnd += 1 }
        let predicate = "has_" + (context.word(index + 1) == "best" ? "best_friend" : relation)
        let owner = context.text(index..<(cursor + 1))
        return FactCandidate(
            type: .relationship, predicate: predicate, valueRange: name..<nameEnd, confidence: 0.85,
            span: index..<context.clauseEnd(after: nameEnd),
            content: owner + (relation == word ? " is " : " include ") + context.text(name..<nameEnd) + ".")
    }

    /// "Anna is my sister", "Tom's my best friend".
    static func nameIsMyRelation(in context: SentenceContext) -> FactCandidate? {
        var index = context.range.lowerBound
        while index + 3 < context.range.upperBound {
            let token = context.tokens[index]
            if token.isCapitalised, !Gazetteer.nonEntities.contains(token.lower),
                ["is", "'s"].contains(context.word(index + 1)), ["my", "our"].contains(context.word(index + 2))
            {
                var relationIndex = index + 3
                let best = context.word(relationIndex) == "best"
                if best { relationIndex += 1 }
                if let relation = context.word(relationIndex).flatMap({ FactVocabulary.relations[$0] }) {
                    var start = index
                    while start > context.range.lowerBound, context.tokens[start - 1].isCapitalised,
                        !Gazetteer.nonEntities.contains(context.tokens[start - 1].lower)
                    {
                        start -= 1
                    }
                    return FactCandidate(
                        type: .relationship, predicate: "has_" + (best ? "best_friend" : relation),
                        valueRange: start..<(index + 1), confidence: 0.85,
                        span: start..<context.clauseEnd(after: relationIndex))
                }
            }
            index += 1
        }
        return nil
    }

    /// "Blue is my favourite colour": `favourite_colour` blue.
    static func favouriteReversed(in context: SentenceContext) -> FactCandidate? {
        var index = context.range.lowerBound + 1
        while index + 2 < context.range.upperBound {
            if ["is", "'s", "are"].contains(context.tokens[index].lower), context.word(index + 1) == "my",
                ["favourite", "favorite", "fave"].contains(context.word(index + 2))
            {
                var start = index - 1
                while start > context.range.lowerBound, !context.tokens[start - 1].isClauseBreak,
                    !FactVocabulary.interjections.contains(context.tokens[start - 1].lower)
                {
                    start -= 1
                }
                let end = context.clauseEnd(after: index + 3)
                let thing = (index + 3..<end).filter { context.tokens[$0].kind == .word }
                    .map { normalisedSpelling(context.tokens[$0].lower) }.joined(separator: "_")
                guard let value = context.valueRange(start, index),
                    value.count > 1 || !VerbClause.vagueObjects.contains(context.tokens[value.lowerBound].lower)
                else { return nil }
                return FactCandidate(
                    type: .preference, predicate: thing.isEmpty ? "favourite" : "favourite_" + thing,
                    valueRange: value, confidence: 0.85, span: start..<end)
            }
            index += 1
        }
        return nil
    }

    /// "Painting is the best", "The concert was amazing": an evaluation of something by the speaker.
    static func evaluation(in context: SentenceContext) -> FactCandidate? {
        var start = context.range.lowerBound
        while let word = context.word(start),
            FactVocabulary.interjections.contains(word)
                || context.tokens[start].kind == .punctuation
        {
            start += 1
        }
        let window = start..<min(start + 5, context.range.upperBound)
        // An explicit "is" wins over a "'s" that may be a possessive ("Young people's resilience is amazing").
        let verb =
            window.first { ["is", "are", "was", "were"].contains(context.tokens[$0].lower) }
            ?? window.first { context.tokens[$0].lower == "'s" } ?? window.upperBound
        guard verb > start, verb < context.range.upperBound,
            ["is", "are", "was", "were", "'s"].contains(context.tokens[verb].lower),
            !Self.vagueSubjects.contains(context.tokens[start].lower),
            context.tokens[start..<verb].indices.allSatisfy({ index in
                let token = context.tokens[index]
                return token.kind == .word
                    && (index == start && Self.determiners.contains(token.lower) || token.lower == "'s"
                        || !StopWords.all.contains(token.lower))
            })
        else { return nil }
        let end = context.clauseEnd(after: verb + 1)
        let rest = context.tokens[(verb + 1)..<end]
        let superlative = rest.contains { ["best", "worst", "greatest"].contains($0.lower) }
        let evaluative = rest.contains { abs(EmotionLexicon.shared.valence[$0.lower] ?? 0) >= 1.5 }
        guard superlative || evaluative, let value = context.valueRange(verb + 1, end) else { return nil }
        return FactCandidate(
            type: .opinion, predicate: "is", valueRange: value, confidence: superlative ? 0.6 : 0.5,
            span: start..<end, subject: context.text(start..<verb), prefix: context.resolver.firstPerson + " thinks")
    }

    static let subordinators: Set<String> = [
        "that", "if", "when", "as", "because", "than", "where", "unless", "while", "whether", "how", "what", "who",
        "which", "since", "until", "before", "after", "cause",
    ]
    static let determiners: Set<String> = ["the", "a", "an", "my", "your", "our", "his", "her", "their"]
    static let vagueSubjects: Set<String> = [
        "it", "that", "this", "there", "what", "which", "he", "she", "they", "i", "you", "we", "everything", "nothing",
        "something", "anything", "here", "who", "these", "those", "all", "so", "and", "but", "life", "things",
    ]
}
