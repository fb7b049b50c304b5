import Foundation

/// What one consolidation pass did for a user.
public struct ConsolidationReport: Sendable, Hashable, Codable {
    /// Turns whose extraction had been deferred, extracted now.
    public var extractedTurns: Int = 0
    /// Working facts promoted to long-term memory (L4).
    public var promotedFacts: Int = 0
    /// Long-term memories closed because a newer fact contradicted them.
    public var supersededMemories: Int = 0
    /// Finished sessions summarised into episodes (L3), new or rewritten.
    public var episodes: Int = 0

    public init() {}
}

extension MemoryService {
    /// Consolidates one user's memory: extracts deferred turns, promotes confirmed, reinforced or confident working
    /// facts to long-term memory (a contradicting fact closes the memory it replaces and links old → new with
    /// `superseded_by`), and summarises finished sessions into episodes linked to their turns. Each step commits on
    /// its own; running it again does only what is left.
    public func consolidate(userID: String) async throws -> ConsolidationReport {
        let userID = try validator.identifier(userID, field: "user id")
        _ = try await read(.user(userID)) { tx in try await self.requireUser(tx, userID) }
        var report = ConsolidationReport()
        report.extractedTurns = try await extractDeferredTurns(userID: userID)
        (report.promotedFacts, report.supersededMemories) = try await promoteFacts(userID: userID)
        report.episodes = try await summariseSessions(userID: userID)
        logger.info(
            "consolidation",
            metadata: [
                "extracted": "\(report.extractedTurns)", "promoted": "\(report.promotedFacts)",
                "superseded": "\(report.supersededMemories)", "episodes": "\(report.episodes)",
            ])
        return report
    }

    // MARK: Deferred extraction

    /// Extracts the turns whose extraction overran its budget when they were observed.
    private func extractDeferredTurns(userID: String) async throws -> Int {
        var filters = RecallFilters()
        filters.tags = [TurnFormation.pendingTag]
        let date = now()
        let pending = try await read(.user(userID)) { tx in
            let turns = try await tx.memories(userID: userID, filters: filters, at: date, limit: 1_000, offset: 0)
            let messages = try await tx.messages(userID: userID, ids: turns.compactMap(\.sourceMessageIDs.first))
            let byID = Dictionary(messages.map { ($0.id, $0) }) { first, _ in first }
            return turns.compactMap { turn in turn.sourceMessageIDs.first.flatMap { byID[$0] }.map { (turn, $0) } }
        }
        let models = try await writeModels()
        var extracted = 0
        for (memory, message) in pending.reversed() {
            let turn = Turn(
                text: message.content, speaker: message.metadata["speaker"]?.stringValue, role: message.role,
                timestamp: message.createdAt, imageCaption: message.metadata["image_caption"]?.stringValue)
            guard let extraction = try? await extractor.extract(turn) else { continue }
            var formation = try await TurnFormation.prepare(
                turn, extraction: extraction, service: self, userID: userID, sessionID: message.sessionID,
                agentID: memory.agentID, visibility: memory.visibility, models: models, includeTurn: false)
            formation.attach(message)
            let done = try await write(.user(userID)) { tx in
                guard let current = try await tx.memory(userID: userID, id: memory.id, forUpdate: true),
                    current.tags.contains(TurnFormation.pendingTag)
                else { return false }
                _ = try await formation.write(in: tx, previousTurn: nil, existingTurn: current, at: date)
                return true
            }
            if done { extracted += 1 }
        }
        return extracted
    }

    // MARK: Promotion and contradiction

    /// Promotes the working facts that earned it, oldest first; returns (promoted, superseded).
    private func promoteFacts(userID: String) async throws -> (Int, Int) {
        let date = now()
        let threshold = configuration.formation.promotionConfidence
        let candidates = try await read(.user(userID)) { tx in
            try await tx.facts(userID: userID, sessionID: nil, includeExpired: false, at: date)
        }.filter {
            $0.promotedMemoryID == nil && ($0.confirmed || $0.reinforcementCount > 0 || $0.confidence >= threshold)
        }
        .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        guard !candidates.isEmpty else { return (0, 0) }
        let models = try await writeModels()
        let drafts = try candidates.map {
            try validator.memory(Self.longTermDraft(of: $0), dimension: embedder.dimension)
        }
        let vectors = try await draftVectors(drafts, at: Set(drafts.indices), models: models)
        let configured = EmbeddingModel(embedder)
        var promoted = 0
        var superseded = 0
        for (index, fact) in candidates.enumerated() {
            var single = DraftVectors()
            for (model, byPosition) in vectors.byModel { single.byModel[model] = byPosition[index].map { [0: $0] } }
            let closed = try await write(.user(userID)) { tx -> Int? in
                guard let before = try await tx.fact(userID: userID, id: fact.id), before.promotedMemoryID == nil else {
                    return nil
                }
                var contradicted: [Memory] = []
                if let parts = before.parts {
                    let stated = try await tx.memories(userID: userID, subjects: [parts.subject], validAt: date)
                        .filter { $0.parts?.key == parts.key }
                    if let same = stated.first(where: { $0.parts?.sameValue(as: parts) == true }) {
                        return try await self.markPromoted(tx, before, to: same.id, at: date) ? 0 : nil
                    }
                    if HeuristicExtractor.isSingleValued(parts.predicate) { contradicted = stated }
                }
                let plan = try await self.store(
                    [drafts[index]], userID: userID, in: tx, vectors: single, models: models, at: date)
                let memory = plan.outcomes[0].memory
                for old in contradicted where old.id != memory.id {
                    var after = old
                    after.validTo = date
                    after.updatedAt = date
                    try await tx.updateMemories([after])
                    try await self.audit(
                        tx, userID: userID, AuditEvent("memory.supersede", "memory", old.id, before: old, after: after),
                        at: date)
                    _ = try await self.autoLink(
                        tx, userID: userID, from: old.id, to: memory.id, type: .supersededBy, weight: 1,
                        reason: "contradicted", at: date)
                }
                if let vector = single.byModel[configured]?[0] {
                    _ = try await self.autoLinks(
                        tx, userID: userID, from: memory, vector: vector, previous: nil, cues: [],
                        skipping: Set(contradicted.map(\.id)), at: date)
                }
                _ = try await self.markPromoted(tx, before, to: memory.id, at: date)
                return contradicted.count
            }
            if let closed {
                promoted += 1
                superseded += closed
            }
        }
        return (promoted, superseded)
    }

    /// Records that `fact` lives on as memory `memoryID`.
    private func markPromoted(_ tx: any StorageTransaction, _ fact: WorkingFact, to memoryID: String, at date: Date)
        async throws -> Bool
    {
        var after = fact
        after.promotedMemoryID = memoryID
        after.updatedAt = date
        try await tx.updateFact(after)
        try await audit(
            tx, userID: fact.userID, AuditEvent("fact.promote", "working_fact", fact.id, before: fact, after: after),
            at: date)
        return true
    }

    /// The long-term memory a working fact becomes: its sector from its type, its parts, its sources.
    static func longTermDraft(of fact: WorkingFact) -> MemoryDraft {
        let sector: Sector =
            switch fact.factType {
            case .event: .episodic
            case .instruction: .procedural
            case .opinion: .reflective
            default: .semantic
            }
        var metadata = JSONValue.emptyObject
        metadata["fact_type"] = .string(fact.factType.rawValue)
        metadata["working_fact_id"] = .string(fact.id)
        if let day = fact.occurredAt { metadata["occurred_on"] = .string(Self.day(day)) }
        return MemoryDraft(
            userID: fact.userID, content: fact.content, agentID: fact.agentID, sessionID: fact.sessionID,
            sector: sector, contextType: .conversationFact, salience: min(1, 0.4 + 0.4 * fact.confidence),
            importance: fact.confirmed ? 0.8 : 0.5, tags: ["fact", fact.factType.rawValue],
            keywords: Array(fact.keywords.prefix(32)), metadata: metadata, sourceMessageIDs: fact.sourceMessageIDs,
            validFrom: fact.createdAt, parts: fact.parts)
    }

    /// `yyyy-MM-dd` in UTC.
    static func day(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash))
    }

    // MARK: Episodes

    /// Summarises each finished session (idle for `sessionIdleTime`, changed since its last summary) into an episode.
    private func summariseSessions(userID: String) async throws -> Int {
        let date = now()
        let settings = configuration.formation
        let sessions = try await read(.user(userID)) { tx in
            try await tx.sessionsToConsolidate(
                userID: userID, idleSince: date.addingTimeInterval(-settings.sessionIdleTime),
                limit: settings.sessionsPerPass)
        }
        var written = 0
        for session in sessions where try await summarise(session, at: date) { written += 1 }
        return written
    }

    /// Writes (or rewrites) the episode of one session; returns whether it did.
    private func summarise(_ session: Session, at date: Date) async throws -> Bool {
        let userID = session.userID
        let messages = try await read(.user(userID)) { tx in
            try await tx.messages(userID: userID, sessionID: session.id, after: 0, limit: 100_000)
        }
        guard let first = messages.first else { return false }
        let turns = messages.map {
            Turn(
                text: $0.content, speaker: $0.metadata["speaker"]?.stringValue, role: $0.role, timestamp: $0.createdAt,
                imageCaption: $0.metadata["image_caption"]?.stringValue)
        }
        let summary = try await summarizer.summarize(turns)
        let models = try await writeModels()
        var metadata = JSONValue.emptyObject
        metadata["turns"] = .number(Double(messages.count))
        metadata["first_turn_at"] = .string(first.createdAt.formatted(.iso8601))
        let draft = try validator.memory(
            MemoryDraft(
                userID: userID, content: summary, agentID: session.agentID, sessionID: session.id,
                summary: session.title, sector: .episodic, contextType: .conversationFact, salience: 0.6,
                importance: 0.6, tags: ["episode"], metadata: metadata, isAtomic: false,
                sourceMessageIDs: messages.map(\.id), validFrom: first.createdAt),
            dimension: embedder.dimension)
        let vectors = try await draftVectors([draft], at: [0], models: models)
        return try await write(.user(userID)) { tx in
            guard var current = try await tx.session(userID: userID, id: session.id),
                current.lastUpdatedAt == session.lastUpdatedAt
            else { return false }  // changed meanwhile: the next pass summarises it
            let old =
                try await current.episodeID.asyncMap { try await tx.memory(userID: userID, id: $0, forUpdate: true) }
                ?? nil
            let episode: Memory
            if let old {
                var after = old
                after.content = draft.content
                after.contentHash = ContentHash.of(draft.content)
                after.sourceMessageIDs = draft.sourceMessageIDs
                after.metadata = old.metadata.merging(draft.metadata)
                after.updatedAt = date
                try await tx.updateMemories([after])
                try await tx.replaceEmbeddings(
                    userID: userID, memoryIDs: [after.id], with: vectors.embeddings(of: after, source: 0, at: date))
                try await self.audit(
                    tx, userID: userID, AuditEvent("episode.rewrite", "memory", after.id, before: old, after: after),
                    at: date)
                episode = after
            } else {
                let plan = try await self.store(
                    [draft], userID: userID, in: tx, vectors: vectors, models: models, at: date)
                episode = plan.outcomes[0].memory
            }
            try await self.linkTurns(tx, of: session, to: episode, at: date)
            let before = current
            current.episodeID = episode.id
            current.consolidatedAt = date
            try await tx.updateSession(current)
            try await self.audit(
                tx, userID: userID,
                AuditEvent("session.consolidate", "session", session.id, before: before, after: current),
                at: date)
            return true
        }
    }

    /// Makes the episode the parent of its session's turn memories, each linked to it with `belongs_to`.
    private func linkTurns(_ tx: any StorageTransaction, of session: Session, to episode: Memory, at date: Date)
        async throws
    {
        var filters = RecallFilters()
        filters.sessionID = session.id
        filters.tags = [TurnFormation.turnTag]
        filters.includeInvalid = true
        let turns = try await tx.memories(userID: session.userID, filters: filters, at: date, limit: 100_000, offset: 0)
        let adopted = turns.filter { $0.parentID != episode.id && $0.id != episode.id }.map { turn -> Memory in
            var after = turn
            after.parentID = episode.id
            return after
        }
        try await tx.updateMemories(adopted.sorted { $0.id < $1.id })
        for turn in turns where turn.id != episode.id {
            _ = try await autoLink(
                tx, userID: session.userID, from: turn.id, to: episode.id, type: .belongsTo, weight: 0.5,
                reason: "turn of the episode", at: date)
        }
    }
}
