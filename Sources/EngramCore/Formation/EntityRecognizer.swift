import Foundation

/// An entity found at a place in the tokens.
struct EntityMention: Sendable, Hashable {
    var entity: ExtractedEntity
    var range: Range<Int>
}

/// Finds people, places, organisations and dates from capitalisation, context words ("in", "my sister") and the
/// built-in gazetteer, without a model.
///
/// A capitalised word that opens a sentence counts only when it is a known name (the speaker, the listener), in
/// the gazetteer, part of a longer capitalised name, or addressed ("Anna, ..."). Greetings and interjections
/// ("Hey", "Wow") and pronouns never count.
struct EntityRecognizer: Sendable {
    /// Names known to be people: the speaker and the listener.
    var knownPeople: Set<String>

    /// The entities of the sentence `range` of `tokens`, with the dates already found there.
    func mentions(in tokens: [TextToken], range: Range<Int>, dates: [DateMention]) -> [EntityMention] {
        var found: [EntityMention] = dates.map { mention in
            var entity = EntityName.entity(mention.name, kind: .date, date: mention.date)
            entity.key = mention.key
            let nameKey = EntityName.key(mention.name)
            entity.aliases = nameKey == mention.key ? [] : [nameKey]
            return EntityMention(entity: entity, range: mention.range)
        }
        let sentenceStart = firstWord(in: tokens, range: range)
        var index = range.lowerBound
        while index < range.upperBound {
            let token = tokens[index]
            guard token.isCapitalised, !dates.contains(where: { $0.range.contains(index) }) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < range.upperBound {
                let next = tokens[end]
                if next.isCapitalised, !dates.contains(where: { $0.range.contains(end) }),
                    !Gazetteer.nonEntities.contains(next.lower) || next.isAllCaps
                {
                    end += 1
                } else if ["of", "de", "del", "la", "von", "van", "da", "du", "&"].contains(next.lower),
                    end + 1 < range.upperBound, tokens[end + 1].isCapitalised, next.spaceBefore
                {
                    end += 2
                } else {
                    break
                }
            }
            if let mention = classify(tokens, index..<end, sentenceStart: sentenceStart, range: range) {
                found.append(mention)
            }
            index = end
        }
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    private func firstWord(in tokens: [TextToken], range: Range<Int>) -> Int {
        range.first { tokens[$0].isWordLike } ?? range.lowerBound
    }

    /// The entity a capitalised span names, if any.
    private func classify(_ tokens: [TextToken], _ span: Range<Int>, sentenceStart: Int, range: Range<Int>)
        -> EntityMention?
    {
        var lower = span.lowerBound
        while lower < span.upperBound,
            Gazetteer.nonEntities.contains(tokens[lower].lower) || tokens[lower].lower == "i"
                || tokens[lower].lower == "the"
        {
            lower += 1
        }
        guard lower < span.upperBound else { return nil }
        let words = tokens[lower..<span.upperBound]
        let name = TokenRenderer.render(words)
        let key = EntityName.key(name)
        guard !key.isEmpty, key.count > 1 || words.first?.isAllCaps == true else { return nil }
        let previous = lower > range.lowerBound ? tokens[lower - 1].lower : ""
        let beforePrevious = lower - 1 > range.lowerBound ? tokens[lower - 2].lower : ""
        let isKnownPerson = knownPeople.contains(key)
        let following = span.upperBound < range.upperBound ? tokens[span.upperBound] : nil
        // "Anna, ...", "Thanks, Anna!", "Luna and Oliver!".
        let vocative =
            following?.text == "," && lower == sentenceStart
            || previous == "," && (following == nil || following?.isTerminal == true || following?.text == ",")
        let coordinated =
            ["and", "&"].contains(following?.lower ?? "") && span.upperBound + 1 < range.upperBound
            && tokens[span.upperBound + 1].isCapitalised
            && !Gazetteer.nonEntities.contains(tokens[span.upperBound + 1].lower)
        let common =
            StopWords.all.contains(key) || EmotionLexicon.shared.valence[key] != nil
            || EmotionLexicon.shared.emotions[key] != nil || FactVocabulary.irregularPast[key] != nil
            || key.hasSuffix("ing") || key.hasSuffix("ed") || key.hasSuffix("ly")
            || FactVocabulary.interjections.contains(key) || FactVocabulary.adverbs.contains(key)
        if lower == sentenceStart && words.count == 1 && !isKnownPerson && !Gazetteer.places.contains(key)
            && !Gazetteer.givenNames.contains(key)
        {
            guard (vocative || coordinated) && !common || words.first?.isAllCaps == true else { return nil }
        }
        let kind = kind(
            of: words, key: key, previous: previous, beforePrevious: beforePrevious,
            isKnownPerson: isKnownPerson, addressed: (vocative || coordinated) && !common)
        guard let kind else { return nil }
        return EntityMention(entity: EntityName.entity(name, kind: kind), range: lower..<span.upperBound)
    }

    private func kind(
        of words: ArraySlice<TextToken>, key: String, previous: String, beforePrevious: String, isKnownPerson: Bool,
        addressed: Bool
    ) -> EntityKind? {
        let lastWord = words.last?.lower ?? ""
        let firstWord = words.first?.lower ?? ""
        if words.count == 1, let only = words.first, only.isAllCaps {
            if Gazetteer.places.contains(key) { return .place }
            if Gazetteer.nonOrganisationCaps.contains(key) { return .other }
            if StopWords.all.contains(key) || EmotionLexicon.shared.valence[key] != nil { return nil }
            return .organisation
        }
        if isKnownPerson || Gazetteer.givenNames.contains(firstWord) && words.count <= 3 { return .person }
        // A quoted or "called" name is a title: "Little Women", "a game called Counter-Strike".
        if previous == "\"" || previous == "called" { return .other }
        if FactVocabulary.relations[previous] != nil
            || FactVocabulary.relations[beforePrevious] != nil
                && previous == ","
            || Self.personCues.contains(previous)
        {
            return Gazetteer.places.contains(key) ? .place : .person
        }
        if Gazetteer.otherNames.contains(key) || Gazetteer.otherNames.contains(firstWord) { return .other }
        if Gazetteer.places.contains(key) { return .place }
        if Gazetteer.organisationWords.contains(lastWord) || Gazetteer.organisationWords.contains(firstWord) {
            return .organisation
        }
        if Gazetteer.placeSuffixes.contains(lastWord) && words.count > 1 { return .place }
        if Self.placePrepositions.contains(previous) { return .place }
        if words.first?.isAllCaps == false, ["ian", "ean", "ese", "ish"].contains(where: { key.hasSuffix($0) }) {
            return .other
        }
        return addressed ? .person : .other
    }

    /// Words after which a capitalised name is a person: "my sister Anna", "met Tom", "thanks Mel".
    static let personCues: Set<String> = [
        "named", "mr", "mrs", "ms", "dr", "aunt", "uncle", "met", "with", "by", "thanks", "thank", "hey", "hi", "hello",
        "dear", "congrats", "congratulations", "bye", "told", "asked", "texted",
    ]

    static let placePrepositions: Set<String> = [
        "in", "at", "from", "to", "near", "visited", "visit", "visiting", "around", "across", "into", "toward",
        "towards", "through", "outside", "inside", "via",
    ]
}
