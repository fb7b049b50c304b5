import Foundation

/// Recognises facts in a sentence with hand-written patterns over its tokens: preferences, personal facts, plans,
/// past events, relationships, instructions and opinions, each with a normalised snake_case predicate.
enum FactPatterns {
    /// Predicates that hold one value at a time for a subject: a second value contradicts the first.
    /// `favourite_<thing>` predicates are single-valued too (see `isSingleValued`).
    static let singleValuedPredicates: Set<String> = [
        "lives_in", "works_as", "works_at", "name", "preferred_name", "age", "is_from", "born_in", "born_on",
        "married_to", "marital_status", "birthday", "studies_at", "diet",
    ]

    /// The candidates of the sentence `range` of `tokens`.
    static func candidates(in context: SentenceContext) -> [FactCandidate] {
        guard !isQuestion(context), !isGreeting(context) else { return [] }
        var found: [FactCandidate] = []
        if let instruction = instruction(in: context) { found.append(instruction) }
        var index = context.range.lowerBound
        while index < context.range.upperBound {
            let word = context.tokens[index].lower
            if word == "i" || word == "we",
                startsClause(index, in: context)
                    || FactPatterns.subordinators.contains(context.word(index - 1) ?? "")
            {
                // Not a relative clause: "the screenplay I sent in" states nothing about the speaker.
                found += subjectFacts(from: index, in: context)
            } else if word == "my" || word == "our", startsClause(index, in: context) {
                found += possessiveFacts(from: index, in: context)
            }
            if word == "my" || word == "our", let relation = namedRelation(at: index, in: context) {
                found.append(relation)
            }
            index += 1
        }
        if let named = nameIsMyRelation(in: context) { found.append(named) }
        if let favourite = favouriteReversed(in: context) { found.append(favourite) }
        if found.isEmpty, let opinion = evaluation(in: context) { found.append(opinion) }
        return deduplicated(found, hedged: context.isHedged)
    }

    /// Whether `index` opens a clause: the sentence start, or after a break, conjunction, interjection or date.
    static func startsClause(_ index: Int, in context: SentenceContext) -> Bool {
        var cursor = index - 1
        while cursor >= context.range.lowerBound {
            let token = context.tokens[cursor]
            if token.isClauseBreak || SentenceContext.conjunctions.contains(token.lower)
                || SentenceContext.clauseOpeners.contains(token.lower)
            {
                return true
            }
            if context.isDate(cursor) || FactVocabulary.interjections.contains(token.lower)
                || FactVocabulary.adverbs.contains(token.lower) || token.text.isEmpty
            {
                cursor -= 1
                continue
            }
            return false
        }
        return true
    }

    /// A question: it ends with "?" or opens with an auxiliary or wh-word followed by "you".
    static func isQuestion(_ context: SentenceContext) -> Bool {
        if context.tokens[context.range].contains(where: { $0.kind == .punctuation && $0.text.contains("?") }) {
            return true
        }
        let start = context.range.lowerBound
        guard let first = context.word(start), FactVocabulary.questionOpeners.contains(first) else { return false }
        return ["you", "we", "i", "your"].contains(context.word(start + 1) ?? "")
            && !["i", "we"].contains(first)
    }

    /// A sentence made only of greetings, thanks and names.
    static func isGreeting(_ context: SentenceContext) -> Bool {
        context.tokens[context.range].allSatisfy { token in
            token.kind == .punctuation || token.text.isEmpty || FactVocabulary.greetings.contains(token.lower)
                || FactVocabulary.interjections.contains(token.lower) || (token.isCapitalised && token.lower != "i")
        }
    }

    /// One candidate per (type, predicate, value): the most confident; confidence lowered when the sentence hedges.
    static func deduplicated(_ candidates: [FactCandidate], hedged: Bool) -> [FactCandidate] {
        var result: [FactCandidate] = []
        for var candidate in candidates {
            if hedged && candidate.type != .opinion { candidate.confidence -= 0.2 }
            candidate.confidence = min(0.95, max(0.1, candidate.confidence))
            if let existing = result.firstIndex(where: {
                $0.type == candidate.type && $0.predicate == candidate.predicate
                    && $0.valueRange == candidate.valueRange
                    && $0.valueText == candidate.valueText
            }) {
                result[existing].confidence = max(result[existing].confidence, candidate.confidence)
            } else {
                result.append(candidate)
            }
        }
        return result
    }

    /// "always reply in French", "please call me Sam", "remember to water the plants", "I want you to be brief".
    static func instruction(in context: SentenceContext) -> FactCandidate? {
        var start = context.range.lowerBound
        while let word = context.word(start),
            FactVocabulary.interjections.contains(word) || context.tokens[start].kind == .punctuation
        {
            start += 1
        }
        let end = context.range.upperBound
        let prefix = context.resolver.firstPerson + "'s instruction:"
        func make(_ predicate: String?, _ value: Range<Int>?, _ confidence: Double) -> FactCandidate {
            FactCandidate(
                type: .instruction, predicate: predicate, valueRange: value, confidence: confidence,
                span: start..<end, prefix: prefix)
        }
        var cursor = start
        if context.word(cursor) == "please" { cursor += 1 }
        let first = context.word(cursor) ?? ""
        if first == "call", context.word(cursor + 1) == "me" {
            return make("preferred_name", context.valueRange(cursor + 2, end), 0.9)
        }
        if ["always", "never"].contains(first), let next = context.word(cursor + 1),
            !SentenceContext.subjects.contains(next)
        {
            return make(nil, nil, 0.75)
        }
        if first == "remember" && ["to", "that"].contains(context.word(cursor + 1))
            || first == "make" && context.word(cursor + 1) == "sure"
            || (first == "do" && context.word(cursor + 1) == "not" && context.word(cursor + 2) != "know")
        {
            return make(nil, nil, 0.7)
        }
        if FactVocabulary.imperativeVerbs.contains(first), context.tokens[cursor].kind == .word,
            context.word(start) == "please" || (cursor == start && context.addressesAgent)
        {
            return make(nil, nil, context.word(start) == "please" ? 0.7 : 0.5)
        }
        return nil
    }
}
