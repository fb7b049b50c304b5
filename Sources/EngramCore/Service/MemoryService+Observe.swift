import Foundation

extension MemoryService {
    /// Observes one turn: appends it to L1 and makes it recallable at once as a memory with its provenance; within
    /// the extraction budget, extracts working facts (L2), entities, emotion and sector, and links the turn to the
    /// previous one, to similar memories and to the entities it names. Everything is written in one transaction.
    /// When extraction overruns its budget, the turn is stored alone and consolidation extracts it later.
    public func observe(_ draft: ObservationDraft) async throws -> Observation {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let sessionID = try validator.identifier(draft.sessionID, field: "session id")
        let agentID = try validator.optionalIdentifier(draft.agentID, field: "agent id")
        let content = try validator.content(draft.content)
        let speaker = try draft.speaker.map { try validator.name($0, field: "speaker", maxBytes: 256) }
        let caption = try validator.optionalText(draft.imageCaption, field: "image caption")
        let metadata = try validator.jsonObject(draft.metadata, field: "metadata")
        if draft.visibility == .private, agentID == nil {
            throw EngramError(
                .invalidArgument, "A private turn belongs to one agent; pass an agent id or make it shared.")
        }
        let date = try draft.createdAt.map { try validator.date($0, field: "created at") } ?? now()
        let scene = try await read(.user(userID)) { tx in
            let user = try await self.requireUser(tx, userID)
            try await self.requireSession(tx, userID: userID, sessionID)
            let agent = try await agentID.asyncMap { try await self.requireAgent(tx, userID: userID, $0) }
            let recent = try await tx.latestMessages(
                userID: userID, sessionID: sessionID, since: .distantPast, limit: 8)
            try Self.requireOrder(date, after: recent.first)
            return TurnScene(user: user, agent: agent, recent: recent)
        }
        let turn = Turn(
            text: content, speaker: speaker ?? scene.defaultSpeaker(for: draft.role), role: draft.role,
            listener: scene.listener(of: speaker ?? scene.defaultSpeaker(for: draft.role)), timestamp: date,
            imageCaption: caption)
        let extraction = await extract(turn)
        let models = try await writeModels()
        try await driver.prepareVectorIndexes(for: models)
        var formation = try await TurnFormation.prepare(
            turn, extraction: extraction, service: self, userID: userID, sessionID: sessionID, agentID: agentID,
            visibility: draft.visibility, models: models, precedingTurn: scene.recent.first?.content)
        var messageMetadata = metadata
        messageMetadata["speaker"] = turn.speaker.map(JSONValue.string)
        messageMetadata["image_caption"] = caption.map(JSONValue.string)
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            try await self.requireSession(tx, userID: userID, sessionID)
            let latest = try await tx.latestMessages(
                userID: userID, sessionID: sessionID, since: .distantPast, limit: 1)
            try Self.requireOrder(date, after: latest.first)
            let message = Message(
                id: self.newID(), userID: userID, sessionID: sessionID,
                sequence: try await tx.lastSequence(userID: userID, sessionID: sessionID) + 1, role: draft.role,
                content: content, thinking: nil, metadata: messageMetadata, inputTokens: nil, outputTokens: nil,
                createdAt: date)
            try await tx.insertMessage(message)
            try await self.audit(
                tx, userID: userID, AuditEvent("message.append", "message", message.id, before: nil, after: message),
                at: date)
            let previous = try await self.latestTurn(tx, userID: userID, sessionID: sessionID, at: date)
            formation.attach(message)
            let formed = try await formation.write(in: tx, previousTurn: previous, at: date)
            try await tx.touchUser(userID, at: date)
            let window = self.configuration.contextWindow
            let context = try await tx.latestMessages(
                userID: userID, sessionID: sessionID, since: date.addingTimeInterval(-window.ttl), limit: window.turns)
            return Observation(
                message: message, memory: formed.turn, facts: formed.facts, entities: formed.entities,
                links: formed.links, emotion: formed.emotion, extraction: extraction == nil ? .deferred : .complete,
                context: context.reversed())
        }
    }

    /// Runs the extractor within the configured budget; `nil` when it overran it or failed (the turn is then
    /// extracted at the next consolidation).
    func extract(_ turn: Turn) async -> TurnExtraction? {
        let extractor = self.extractor
        let budget = configuration.formation.extractionBudget
        return await withTaskGroup(of: TurnExtraction?.self) { group in
            group.addTask { try? await extractor.extract(turn) }
            group.addTask {
                try? await Task.sleep(for: budget)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first == nil { logger.info("extraction deferred", metadata: ["budget": "\(budget)"]) }
            return first
        }
    }

    /// The newest turn memory of a session valid at `date`.
    func latestTurn(_ tx: any StorageTransaction, userID: String, sessionID: String, at date: Date) async throws
        -> Memory?
    {
        var filters = RecallFilters()
        filters.sessionID = sessionID
        filters.tags = [TurnFormation.turnTag]
        return try await tx.memories(userID: userID, filters: filters, at: date, limit: 1, offset: 0).first
    }

    /// A turn may not be dated before the last turn of its session.
    static func requireOrder(_ date: Date, after last: Message?) throws {
        if let last, date < last.createdAt {
            throw EngramError(
                .messageOutOfOrder,
                "The turn is dated before the last turn of its session; observe turns in the order they were said.")
        }
    }
}

/// Who takes part in a session, as `observe` sees it before it writes.
struct TurnScene: Sendable {
    var user: User
    var agent: Agent?
    /// The session's latest messages, newest first.
    var recent: [Message]

    /// The user's name for a user turn, the agent's (or "the assistant") otherwise.
    func defaultSpeaker(for role: MessageRole) -> String? {
        switch role {
        case .user: user.name
        case .assistant: agent?.name ?? "the assistant"
        case .system, .tool: nil
        }
    }

    /// The most recent other speaker of the session: who "you" is.
    func listener(of speaker: String?) -> String? {
        recent.lazy.compactMap { $0.metadata["speaker"]?.stringValue }.first { $0 != speaker }
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
