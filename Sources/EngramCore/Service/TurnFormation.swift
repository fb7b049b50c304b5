import Foundation

/// What one observed turn forms, worked out before the write transaction (sector, drafts, vectors) and written
/// inside it (the turn memory, entities and their aliases, working facts, emotion, automatic links).
struct TurnFormation: Sendable {
    /// The tag of every turn memory.
    static let turnTag = "turn"
    /// The tag of a turn whose extraction overran its budget: consolidation extracts it.
    static let pendingTag = "extraction_pending"
    /// The entity system of the entities formation finds.
    static let entitySystem = "engram"
    /// The most entities one turn writes.
    static let maxEntities = 8

    let service: MemoryService
    let userID: String
    let turn: Turn
    let extraction: TurnExtraction?
    /// The turn memory's draft (absent when the turn memory exists: a deferred extraction), then one per entity.
    private(set) var drafts: [MemoryDraft]
    /// Whether `drafts` starts with the turn memory's draft.
    let includesTurn: Bool
    /// The entity of each entity draft, by position in `drafts`.
    let entities: [Int: ExtractedEntity]
    let vectors: DraftVectors
    let models: [EmbeddingModel]
    /// The turn's vector of the configured model.
    let turnVector: [Float]

    /// Classifies the turn, drafts its memory and its entities, and embeds them. The turn memory's vector is made
    /// with `precedingTurn`, the session's message before this one (``MemoryService/turnVector(own:inContext:)``);
    /// the turn's own vector classifies it and links it.
    static func prepare(
        _ turn: Turn, extraction: TurnExtraction?, service: MemoryService, userID: String, sessionID: String,
        agentID: String?, visibility: Visibility, models: [EmbeddingModel], includeTurn: Bool = true,
        precedingTurn: String? = nil
    ) async throws -> TurnFormation {
        let text = content(of: turn)
        let stored = MemoryService.embeddingText(of: text, after: precedingTurn)
        let embedded = try await service.embedder.embed(stored == text ? [text] : [text, stored])
        let turnVector = embedded[0]
        let storedVector =
            embedded.count > 1 ? MemoryService.turnVector(own: turnVector, inContext: embedded[1]) : turnVector
        var drafts: [MemoryDraft] = []
        if includeTurn {
            let sector = try await service.sector(of: extraction, vector: turnVector)
            var metadata = JSONValue.emptyObject
            metadata["speaker"] = turn.speaker.map(JSONValue.string)
            metadata["role"] = .string(turn.role.rawValue)
            let arousal = (extraction?.emotion).map { $0.arousal * $0.confidence } ?? 0
            drafts.append(
                MemoryDraft(
                    userID: userID, content: text, agentID: agentID, sessionID: sessionID, sector: sector,
                    contextType: .conversationFact, salience: min(1, 0.5 + 0.3 * arousal),
                    tags: extraction == nil ? [turnTag, pendingTag] : [turnTag],
                    keywords: Array((extraction?.keywords ?? []).prefix(service.configuration.maxTags)),
                    metadata: metadata, validFrom: turn.timestamp, embedding: storedVector, visibility: visibility))
        }
        var entities: [Int: ExtractedEntity] = [:]
        for entity in (extraction?.entities ?? []).filter({ $0.kind != .date }).prefix(maxEntities) {
            entities[drafts.count] = entity
            var data = JSONValue.emptyObject
            data["name"] = .string(entity.name)
            data["kind"] = .string(entity.kind.rawValue)
            data["aliases"] = .array(entity.aliases.map(JSONValue.string))
            drafts.append(
                MemoryDraft(
                    userID: userID, content: entity.name, sector: .semantic, contextType: .domainEntity,
                    tags: ["entity"],
                    entity: EntityReference(system: entitySystem, id: entity.key, type: entity.kind.rawValue),
                    entityData: data))
        }
        drafts = try drafts.map { try service.validator.memory($0, dimension: service.embedder.dimension) }
        let vectors = try await service.embedders.vectors(
            for: drafts, at: Set(drafts.indices), models: models,
            preceding: includeTurn ? [0: precedingTurn].compactMapValues { $0 } : [:])
        return TurnFormation(
            service: service, userID: userID, turn: turn, extraction: extraction, drafts: drafts,
            includesTurn: includeTurn, entities: entities, vectors: vectors, models: models, turnVector: turnVector)
    }

    /// The turn memory's content: who said what, with the caption of a shared image.
    static func content(of turn: Turn) -> String {
        var text = turn.speaker.map { "\($0): \(turn.text)" } ?? turn.text
        if let caption = turn.imageCaption, !caption.isEmpty { text += " [image: \(caption)]" }
        return text
    }

    /// Names `message` as the source of every draft.
    mutating func attach(_ message: Message) {
        for index in drafts.indices { drafts[index].sourceMessageIDs = [message.id] }
    }

    /// Writes what the turn forms. `existingTurn` is the turn memory when it was stored before (a deferred
    /// extraction); otherwise the first draft is stored as the turn memory.
    func write(
        in tx: any StorageTransaction, previousTurn: Memory?, existingTurn: Memory? = nil, at date: Date
    ) async throws -> FormedTurn {
        let drafts = try await resolvingAliases(in: tx)
        let plan = try await service.store(
            drafts, userID: userID, in: tx, vectors: vectors, models: models, at: date)
        let stored = plan.outcomes.map(\.memory)
        guard var turnMemory = existingTurn ?? (includesTurn ? stored.first : nil) else {
            throw EngramError(.invalidArgument, "A turn formation needs its turn memory.")
        }
        let entityMemories = entities.keys.sorted().map { stored[$0] }
        var aliases: [String: String] = [:]
        for (index, entity) in entities {
            for alias in [entity.key] + entity.aliases where aliases[alias] == nil { aliases[alias] = stored[index].id }
        }
        try await tx.insertEntityAliases(userID: userID, aliases: aliases, at: date)
        if let existingTurn, let extraction {
            turnMemory.tags = existingTurn.tags.filter { $0 != Self.pendingTag }
            turnMemory.keywords = Memory.union(existingTurn.keywords, extraction.keywords)
            turnMemory.updatedAt = date
            try await tx.updateMemories([turnMemory])
            try await service.audit(
                tx, userID: userID,
                AuditEvent("memory.extract", "memory", turnMemory.id, before: existingTurn, after: turnMemory), at: date
            )
        }
        var links = try await service.autoLinks(
            tx, userID: userID, from: turnMemory, vector: turnVector, previous: previousTurn,
            cues: extraction?.cues ?? [], skipping: Set(entityMemories.map(\.id)), at: date)
        for entity in entityMemories where entity.id != turnMemory.id {
            if let link = try await service.autoLink(
                tx, userID: userID, from: turnMemory.id, to: entity.id, type: .relatesTo, weight: 0.5,
                reason: "mentions", at: date)
            {
                links.append(link)
            }
        }
        let emotion = try await writeEmotion(in: tx, of: turnMemory, at: date)
        let facts = try await service.writeFacts(
            extraction?.facts ?? [], in: tx, userID: userID, sessionID: turnMemory.sessionID,
            agentID: turnMemory.agentID, sources: turnMemory.sourceMessageIDs.suffix(1), at: date)
        return FormedTurn(turn: turnMemory, facts: facts, entities: entityMemories, links: links, emotion: emotion)
    }

    /// The drafts with each entity's id replaced by that of the entity memory one of its names already belongs to.
    private func resolvingAliases(in tx: any StorageTransaction) async throws -> [MemoryDraft] {
        let names = entities.values.flatMap { [$0.key] + $0.aliases }
        let known = try await tx.entityAliases(userID: userID, aliases: Array(Set(names)).sorted())
        guard !known.isEmpty else { return drafts }
        let memories = try await tx.memories(userID: userID, ids: Array(Set(known.values)).sorted())
        let entityIDs = Dictionary(memories.compactMap { m in m.entity.map { (m.id, $0.id) } }) { first, _ in first }
        var drafts = self.drafts
        for (index, entity) in entities {
            let match = ([entity.key] + entity.aliases).lazy.compactMap { known[$0].flatMap { entityIDs[$0] } }.first
            if let match { drafts[index].entity?.id = match }
        }
        return drafts
    }

    /// Annotates the turn memory with the extraction's emotion, when it found one.
    private func writeEmotion(in tx: any StorageTransaction, of memory: Memory, at date: Date) async throws -> Emotion?
    {
        guard let reading = extraction?.emotion else { return nil }
        let before = try await tx.emotion(userID: userID, memoryID: memory.id)
        let emotion = Emotion(
            memoryID: memory.id, userID: userID, valence: reading.valence, arousal: reading.arousal,
            dominance: reading.dominance, discreteEmotions: reading.discreteEmotions,
            primaryEmotion: reading.primaryEmotion, confidence: reading.confidence, updatedAt: date)
        try await tx.upsertEmotion(emotion)
        try await service.audit(
            tx, userID: userID, AuditEvent("emotion.set", "memory", memory.id, before: before, after: emotion), at: date
        )
        return emotion
    }
}

/// What one turn formed.
struct FormedTurn: Sendable {
    var turn: Memory
    var facts: [WorkingFact]
    var entities: [Memory]
    var links: [Link]
    var emotion: Emotion?
}
