import Foundation

/// Checks and normalises what callers send, so every backend rejects the same input with the same code.
public struct InputValidator: Sendable {
    public var configuration: EngramConfiguration

    public init(configuration: EngramConfiguration) {
        self.configuration = configuration
    }

    /// A non-empty identifier without control characters, at most `maxIdentifierBytes` long.
    public func identifier(_ value: String, field: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw EngramError(.invalidIdentifier, "\(field) is empty; pass a non-empty id.")
        }
        guard trimmed.utf8.count <= configuration.maxIdentifierBytes else {
            throw EngramError(
                .invalidIdentifier,
                "\(field) is longer than \(configuration.maxIdentifierBytes) bytes; use a shorter id.")
        }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw EngramError(
                .invalidIdentifier, "\(field) contains control characters; use printable characters only.")
        }
        return trimmed
    }

    /// An optional identifier: `nil` and empty strings mean none.
    public func optionalIdentifier(_ value: String?, field: String) throws -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return try identifier(value, field: field)
    }

    /// Text that must say something: not empty or white space, at most `maxContentBytes` long.
    public func content(_ value: String, field: String = "content") throws -> String {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw EngramError(.emptyContent, "\(field) is empty or only white space; pass some text.")
        }
        return try optionalText(value, field: field) ?? value
    }

    /// Optional text of at most `maxContentBytes`.
    public func optionalText(_ value: String?, field: String) throws -> String? {
        guard let value else { return nil }
        guard value.utf8.count <= configuration.maxContentBytes else {
            throw EngramError(
                .contentTooLarge,
                "\(field) is \(value.utf8.count) bytes, over the limit of \(configuration.maxContentBytes); split it or raise maxContentBytes."
            )
        }
        return value
    }

    /// A short label, such as a key's name: trimmed, not empty, at most `maxBytes` long, one line of printable
    /// characters.
    public func name(_ value: String, field: String, maxBytes: Int) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw EngramError(.emptyContent, "\(field) is empty or only white space; pass a name.")
        }
        guard trimmed.utf8.count <= maxBytes else {
            throw EngramError(.contentTooLarge, "\(field) is longer than \(maxBytes) bytes; use a shorter name.")
        }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw EngramError(.invalidArgument, "\(field) contains control characters; use printable characters only.")
        }
        return trimmed
    }

    /// A finite number within `range`.
    public func number(_ value: Double, field: String, in range: ClosedRange<Double> = 0...1) throws -> Double {
        guard value.isFinite, range.contains(value) else {
            throw EngramError(
                .invalidArgument,
                "\(field) must be a number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// A whole number within `range`.
    public func count(_ value: Int, field: String, in range: ClosedRange<Int>) throws -> Int {
        guard range.contains(value) else {
            throw EngramError(
                .invalidArgument, "\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// The longest duration accepted: 1,000 years of 365 days. Dates a duration away from now stay storable (as
    /// integer milliseconds) and printable (as ISO 8601 with a four-digit year).
    public static let maxDuration: TimeInterval = 1_000 * 365 * 86_400

    /// A positive, finite duration in seconds, at most ``maxDuration``.
    public func duration(_ value: TimeInterval, field: String) throws -> TimeInterval {
        guard value.isFinite, value > 0, value <= Self.maxDuration else {
            throw EngramError(
                .invalidArgument, "\(field) must be a positive number of seconds, at most \(Int(Self.maxDuration)).")
        }
        return value
    }

    /// A date with a four-digit year (0001…9999), to the millisecond.
    public func date(_ value: Date, field: String) throws -> Date {
        let seconds = value.timeIntervalSince1970
        guard seconds.isFinite, seconds >= -62_135_596_800, seconds < 253_402_300_800 else {
            throw EngramError(.invalidArgument, "\(field) must be a date between the years 1 and 9999.")
        }
        return value.roundedToMillisecond
    }

    /// Trimmed, de-duplicated labels (tags, keywords), at most `maxTags` of them.
    public func labels(_ values: [String], field: String) throws -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for value in values {
            let label = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !label.isEmpty else {
                throw EngramError(.invalidArgument, "\(field) contains an empty entry; remove it.")
            }
            guard label.utf8.count <= 128 else {
                throw EngramError(.invalidArgument, "\(field) has an entry over 128 bytes; shorten it.")
            }
            if seen.insert(label).inserted { result.append(label) }
        }
        guard result.count <= configuration.maxTags else {
            throw EngramError(.invalidArgument, "\(field) has more than \(configuration.maxTags) entries; keep fewer.")
        }
        return result
    }

    /// A validated, normalised memory draft. `dimension` is the store's embedder dimension.
    public func memory(_ draft: MemoryDraft, dimension: Int) throws -> MemoryDraft {
        var draft = draft
        draft.userID = try identifier(draft.userID, field: "user id")
        draft.agentID = try optionalIdentifier(draft.agentID, field: "agent id")
        draft.sessionID = try optionalIdentifier(draft.sessionID, field: "session id")
        draft.parentID = try optionalIdentifier(draft.parentID, field: "parent id")
        draft.content = try content(draft.content)
        draft.summary = try optionalText(draft.summary, field: "summary")
        draft.category = try optionalIdentifier(draft.category, field: "category")
        draft.salience = try number(draft.salience, field: "salience")
        draft.importance = try number(draft.importance, field: "importance")
        draft.tags = try labels(draft.tags, field: "tags")
        draft.keywords = try labels(draft.keywords, field: "keywords")
        draft.sourceMessageIDs = try draft.sourceMessageIDs.map { try identifier($0, field: "source message id") }
        if let entity = draft.entity {
            draft.entity = EntityReference(
                system: try identifier(entity.system, field: "entity system"),
                id: try identifier(entity.id, field: "entity id"),
                type: try optionalIdentifier(entity.type, field: "entity type"))
        } else if draft.entityData != nil {
            throw EngramError(.invalidArgument, "entity data needs an entity; pass entity system and entity id.")
        }
        if let embedding = draft.embedding { try VectorMath.validate(embedding, dimension: dimension) }
        _ = try optionalText(draft.contentJSON?.jsonText, field: "content JSON")
        draft.metadata = try jsonObject(draft.metadata, field: "metadata")
        if let data = draft.entityData { draft.entityData = try jsonObject(data, field: "entity data") }
        if draft.visibility == .private, draft.agentID == nil {
            throw EngramError(
                .invalidArgument, "A private memory belongs to one agent; pass an agent id or make it shared.")
        }
        draft.parts = try draft.parts.map(factParts)
        return draft
    }

    /// Parts of a fact with every part non-empty and of bounded length.
    public func factParts(_ parts: FactParts) throws -> FactParts {
        FactParts(
            subject: try name(parts.subject, field: "subject", maxBytes: 256),
            predicate: try name(parts.predicate, field: "predicate", maxBytes: 128),
            value: try name(parts.value, field: "value", maxBytes: 1024))
    }

    /// The most drafts one `rememberAll` call takes.
    public static let maxBatch = 10_000

    /// Validated drafts of one batch: every draft valid, all of one user, at most ``maxBatch``.
    /// A failing draft is named by its position (1-based).
    public func memories(_ drafts: [MemoryDraft], dimension: Int) throws -> [MemoryDraft] {
        guard drafts.count <= Self.maxBatch else {
            throw EngramError(
                .invalidArgument, "A batch holds at most \(Self.maxBatch) memories; split it into smaller batches.")
        }
        let validated = try drafts.enumerated().map { index, draft in
            do {
                return try memory(draft, dimension: dimension)
            } catch let error as EngramError where drafts.count > 1 {
                throw EngramError(error.code, "Memory \(index + 1) of the batch: \(error.message)")
            }
        }
        if let first = validated.first, validated.contains(where: { $0.userID != first.userID }) {
            throw EngramError(
                .invalidArgument, "A batch belongs to one user; send each user's memories in a batch of its own.")
        }
        return validated
    }

    /// A validated memory patch.
    public func patch(_ patch: MemoryPatch) throws -> MemoryPatch {
        var patch = patch
        if let text = patch.content { patch.content = try content(text) }
        patch.summary = try optionalText(patch.summary, field: "summary")
        patch.category = try optionalIdentifier(patch.category, field: "category")
        if let value = patch.salience { patch.salience = try number(value, field: "salience") }
        if let value = patch.importance { patch.importance = try number(value, field: "importance") }
        if let values = patch.tags { patch.tags = try labels(values, field: "tags") }
        if let values = patch.keywords { patch.keywords = try labels(values, field: "keywords") }
        if let metadata = patch.metadata { patch.metadata = try jsonObject(metadata, field: "metadata") }
        return patch
    }

    /// A validated recall query.
    public func recall(_ query: RecallQuery) throws -> RecallQuery {
        var query = query
        query.userID = try identifier(query.userID, field: "user id")
        query.text = try content(query.text, field: "query")
        query.k = try count(query.k, field: "k", in: 1...configuration.recall.maxK)
        if let minScore = query.minScore { query.minScore = try number(minScore, field: "min score") }
        if let weights = query.weights {
            for (name, value) in [
                ("similarity weight", weights.similarity), ("salience weight", weights.salience),
                ("recency weight", weights.recency), ("link weight", weights.link),
            ] {
                _ = try number(value, field: name, in: 0...10)
            }
        }
        query.filters = try filters(query.filters)
        return query
    }
}
