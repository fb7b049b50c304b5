import Foundation

/// Extracts facts, entities, keywords, sector evidence, emotion and cues from a turn with hand-written rules and
/// lexicons: no model, no network, no storage; deterministic and fast (one tokenisation, no regular expressions).
///
/// First-person facts come from the turn's text only; an image caption adds entities and keywords.
public struct HeuristicExtractor: FactExtractor, Sendable {
    /// Reads the turn's emotion.
    public var emotionAnalyzer: EmotionAnalyzer
    /// The most keywords per turn and per fact.
    public var keywordLimit: Int

    /// An extractor with the shipped lexicons.
    public init(emotionAnalyzer: EmotionAnalyzer = EmotionAnalyzer(), keywordLimit: Int = 8) {
        self.emotionAnalyzer = emotionAnalyzer
        self.keywordLimit = keywordLimit
    }

    /// What `turn` says; see `extractSync`.
    public func extract(_ turn: Turn) async throws -> TurnExtraction {
        extractSync(turn)
    }

    /// What `turn` says, computed synchronously.
    public func extractSync(_ turn: Turn) -> TurnExtraction {
        let resolver = PronounResolver(turn: turn)
        let known = Set([turn.speaker, turn.listener].compactMap { $0 }.map(EntityName.key).filter { !$0.isEmpty })
        let recognizer = EntityRecognizer(knownPeople: known)
        let tokens = TextTokenizer.tokens(turn.text)
        var facts: [ExtractedFact] = []
        var entities: [ExtractedEntity] = []
        for range in SentenceSplitter.ranges(of: tokens) {
            let dates = RelativeDateResolver.mentions(in: tokens, range: range, reference: turn.timestamp)
            let mentions = recognizer.mentions(in: tokens, range: range, dates: dates)
            entities += mentions.map(\.entity)
            var context = SentenceContext(tokens: tokens, range: range, resolver: resolver, dates: dates)
            context.addressesAgent = turn.listener == nil && turn.role == .user
            for candidate in FactPatterns.candidates(in: context) {
                facts.append(write(candidate, in: context, mentions: mentions))
            }
        }
        var allTokens = tokens
        if let caption = turn.imageCaption, !caption.isEmpty {
            let captionTokens = TextTokenizer.tokens(caption)
            for range in SentenceSplitter.ranges(of: captionTokens) {
                let dates = RelativeDateResolver.mentions(in: captionTokens, range: range, reference: turn.timestamp)
                entities += recognizer.mentions(in: captionTokens, range: range, dates: dates).map(\.entity)
            }
            allTokens += captionTokens
        }
        entities = Self.merged(entities)
        let keywords = KeywordExtractor.keywords(
            allTokens, range: allTokens.indices, entityKeys: entities.filter { $0.kind != .date }.map(\.key),
            limit: keywordLimit)
        let emotion = emotionAnalyzer.read(tokens)
        return TurnExtraction(
            facts: facts, entities: entities, keywords: keywords,
            sectorEvidence: SectorRules.evidence(tokens: tokens, facts: facts, entities: entities, emotion: emotion),
            emotion: emotion, cues: WaypointCueDetector.cues(in: tokens))
    }

    /// Predicates that hold one value at a time for a subject (`lives_in`, `works_as`, `favourite_<thing>`, ...):
    /// a new value for the same subject contradicts the old one. Others (`likes`, `went_to`) accumulate.
    public static func isSingleValued(_ predicate: String) -> Bool {
        FactPatterns.singleValuedPredicates.contains(predicate) || predicate.hasPrefix("favourite")
    }

    /// Entities with duplicates (same key, or an alias of one another) dropped, first mention kept.
    public static func merged(_ entities: [ExtractedEntity]) -> [ExtractedEntity] {
        var result: [ExtractedEntity] = []
        for entity in entities
        where !result.contains(where: { EntityName.sameEntity($0, entity) || $0.key == entity.key }) {
            result.append(entity)
        }
        return result
    }

    /// The fact a candidate describes, written as a self-contained sentence.
    func write(_ candidate: FactCandidate, in context: SentenceContext, mentions: [EntityMention]) -> ExtractedFact {
        let tokens = context.tokens
        var span = candidate.span
        while span.upperBound > span.lowerBound,
            tokens[span.upperBound - 1].kind == .punctuation && !tokens[span.upperBound - 1].isTerminal
                || Self.danglingWords.contains(tokens[span.upperBound - 1].lower)
        {
            span = span.lowerBound..<(span.upperBound - 1)
        }
        var rewritten = context.resolver.rewrite(tokens, range: span, dates: context.dates)
        if candidate.prefix != nil, let first = rewritten.first,
            !mentions.contains(where: { $0.range.lowerBound == span.lowerBound }), first.isCapitalised, !first.isAllCaps
        {
            rewritten[0].text = first.text.lowercased()
        }
        var content = TokenRenderer.render(rewritten)
        while let last = content.last, ".!?…".contains(last) { content.removeLast() }
        let dates = context.dates(for: span)
        for date in dates where !span.overlaps(date.range) {
            content += " " + (date.replacement ?? ((date.granularity == .day ? "on " : "in ") + date.name))
        }
        if let prefix = candidate.prefix { content = prefix + " " + content }
        content = TokenRenderer.render([TextToken(text: content, kind: .word, spaceBefore: false)], capitalise: true)
        content += "."
        if let written = candidate.content {
            content = TokenRenderer.render(
                [TextToken(text: written, kind: .word, spaceBefore: false)], capitalise: true)
        }
        let value =
            candidate.valueText
            ?? candidate.valueRange.map { range in
                var rewritten = context.resolver.rewrite(tokens, range: range, dates: [])
                if rewritten.first?.text == "n't" { rewritten[0].text = "not" }
                return TokenRenderer.render(rewritten)
            }
        let named = mentions.filter { mention in
            span.overlaps(mention.range) || dates.contains { $0.range == mention.range }
        }
        let keywords = KeywordExtractor.keywords(
            tokens, range: span, entityKeys: named.filter { $0.entity.kind != .date }.map(\.entity.key),
            limit: keywordLimit)
        let occurred = dates.first { span.overlaps($0.range) } ?? dates.first
        return ExtractedFact(
            type: candidate.type, content: content, subject: candidate.subject ?? context.resolver.firstPerson,
            predicate: candidate.predicate, value: value, confidence: (candidate.confidence * 100).rounded() / 100,
            keywords: keywords, entityKeys: Self.unique(named.map(\.entity.key)), occurredAt: occurred?.date)
    }

    /// Words a clause cut short may end with: "submit it to festivals and".
    static let danglingWords: Set<String> = ["and", "or", "but", "so", "to", "with", "of", "for", "the", "a", "an"]

    private static func unique(_ keys: [String]) -> [String] {
        var seen: Set<String> = []
        return keys.filter { seen.insert($0).inserted }
    }
}
