import EngramCore
import Foundation

/// The JSON object ``OpenAIChatExtractor`` asks the model for, as decoded; ``extraction(for:readings:)`` checks it
/// against the schema (allowed values, ranges, lengths and counts) and makes a ``TurnExtraction`` of it.
struct ChatExtractionAnswer: Decodable, Sendable {
    struct Fact: Decodable, Sendable {
        var type: String
        var content: String
        var subject: String?
        var predicate: String?
        var value: String?
        var confidence: Double
        var occurredOn: String?

        enum CodingKeys: String, CodingKey {
            case type, content, subject, predicate, value, confidence
            case occurredOn = "occurred_on"
        }
    }

    struct Entity: Decodable, Sendable {
        var name: String
        var kind: String
    }

    var facts: [Fact]
    var entities: [Entity]
    var keywords: [String]

    /// The bounds an answer must keep.
    enum Limits {
        static let facts = 20
        static let entities = 30
        static let keywords = 20
        static let content = 500
        static let name = 200
        static let predicate = 64
        static let keyword = 64
        /// The most keywords kept per fact, as the heuristic keeps.
        static let factKeywords = 8
    }

    /// The extraction the answer describes, with the emotion, sector evidence and cues of `readings` (the
    /// heuristic's reading of the same turn). Entity keys and aliases are normalised as the heuristic does
    /// (``EntityName``); a fact names the entities whose key or alias its content, subject or value contains.
    /// Throws `llm_provider_error` naming the first field that breaks the schema; empty strings count as absent.
    func extraction(for turn: Turn, readings: TurnExtraction) throws -> TurnExtraction {
        try check(facts.count <= Limits.facts, "facts: more than \(Limits.facts)")
        try check(entities.count <= Limits.entities, "entities: more than \(Limits.entities)")
        try check(keywords.count <= Limits.keywords, "keywords: more than \(Limits.keywords)")
        var found: [ExtractedEntity] = []
        for (index, entity) in entities.enumerated() {
            let field = "entities[\(index)]"
            let name = try text(entity.name, "\(field).name", limit: Limits.name)
            guard let name, !EntityName.key(name).isEmpty else { throw Self.violation("\(field).name: empty") }
            let kind = try allowed(EntityKind.self, entity.kind, "\(field).kind")
            found.append(EntityName.entity(name, kind: kind, date: kind == .date ? CalendarUTC.date(iso: name) : nil))
        }
        found = HeuristicExtractor.merged(found)
        var turnKeywords: [String] = []
        for (index, keyword) in keywords.enumerated() {
            let field = "keywords[\(index)]"
            guard let raw = try text(keyword, field, limit: Limits.keyword), !EntityName.key(raw).isEmpty else {
                throw Self.violation("\(field): empty")
            }
            let key = EntityName.key(raw)
            if !turnKeywords.contains(key) { turnKeywords.append(key) }
        }
        let turnFacts = try facts.enumerated().map { index, fact in try extracted(fact, "facts[\(index)]", found) }
        return TurnExtraction(
            facts: turnFacts, entities: found, keywords: turnKeywords, sectorEvidence: readings.sectorEvidence,
            emotion: readings.emotion, cues: readings.cues)
    }

    private func extracted(_ fact: Fact, _ field: String, _ entities: [ExtractedEntity]) throws -> ExtractedFact {
        let type = try allowed(FactType.self, fact.type, "\(field).type")
        guard let content = try text(fact.content, "\(field).content", limit: Limits.content) else {
            throw Self.violation("\(field).content: empty")
        }
        let subject = try text(fact.subject, "\(field).subject", limit: Limits.name)
        let value = try text(fact.value, "\(field).value", limit: Limits.name)
        let predicate = try text(fact.predicate, "\(field).predicate", limit: Limits.predicate)
            .map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }
        if let predicate {
            try check(
                predicate.first?.isLetter == true
                    && predicate.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") },
                "\(field).predicate: not snake_case")
        }
        try check(
            fact.confidence.isFinite && (0...1).contains(fact.confidence), "\(field).confidence: not between 0 and 1")
        var occurred: Date?
        if let day = try text(fact.occurredOn, "\(field).occurred_on", limit: 10) {
            guard let date = CalendarUTC.date(iso: day) else {
                throw Self.violation("\(field).occurred_on: not a yyyy-MM-dd date")
            }
            occurred = date
        }
        let named = " " + [content, subject, value].compactMap { $0.map(EntityName.key) }.joined(separator: " ") + " "
        let entityKeys = entities.filter { entity in
            ([entity.key] + entity.aliases).contains { named.contains(" \($0) ") }
        }.map(\.key)
        return ExtractedFact(
            type: type, content: content, subject: subject, predicate: predicate, value: value,
            confidence: fact.confidence, keywords: KeywordExtractor.keywords(in: content, limit: Limits.factKeywords),
            entityKeys: entityKeys, occurredAt: occurred)
    }

    /// `raw` trimmed, `nil` when absent or empty; throws when longer than `limit` characters.
    private func text(_ raw: String?, _ field: String, limit: Int) throws -> String? {
        guard let trimmed = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        try check(trimmed.count <= limit, "\(field): longer than \(limit) characters")
        return trimmed
    }

    /// The value of `type` that `raw` names, or a violation listing none of the user's text.
    private func allowed<Value: EngramEnum>(_ type: Value.Type, _ raw: String, _ field: String) throws -> Value {
        guard let value = Value(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw Self.violation("\(field): not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    private func check(_ condition: Bool, _ problem: @autoclosure () -> String) throws {
        if !condition { throw Self.violation(problem()) }
    }

    private static func violation(_ problem: String) -> EngramError { OpenAIChatClient.schemaError(problem) }
}
