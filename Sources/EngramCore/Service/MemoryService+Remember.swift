import Foundation

extension MemoryService {
    /// Stores a memory. The same content (ignoring case and spacing) for the user reinforces the existing memory;
    /// the same entity `(system, id)` merges the entity data and counts the update.
    public func remember(_ draft: MemoryDraft) async throws -> RememberOutcome {
        try await rememberAll([draft])[0]
    }

    /// Stores many memories of one user in one transaction, embedding them in one batch: the bulk path.
    ///
    /// Each draft follows `remember`'s rules in order, so a later draft with the same content reinforces an earlier
    /// one. All or nothing; at most ``InputValidator/maxBatch`` drafts. Only drafts that create a memory (or change
    /// an entity's content) are embedded: a duplicate costs no model call.
    public func rememberAll(_ drafts: [MemoryDraft]) async throws -> [RememberOutcome] {
        let drafts = try validator.memories(drafts, dimension: embedder.dimension)
        guard let userID = drafts.first?.userID else { return [] }
        let models = try await writeModels()
        try await driver.prepareVectorIndexes(for: models)
        let date = now()
        let keys = RememberPlan.keys(of: drafts)
        // A first look, without locks, at what the drafts will do: only drafts that write a vector are embedded (those
        // drawn from one turn with the turn before it).
        let (sources, preceding) = try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let existing = try await tx.rememberTargets(
                userID: userID, entityIDs: keys.entityIDs, hashes: keys.hashes, validAt: date, lockKeys: nil)
            let sources = Set(
                Self.plan(drafts, existing: existing, decay: self.configuration.decay, at: date)
                    .vectorSources.values)
            return (sources, try await self.precedingTurns(tx, userID: userID, of: drafts, at: sources))
        }
        let vectors = try await embedders.vectors(for: drafts, at: sources, models: models, preceding: preceding)
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            try await self.requireReferences(tx, userID: userID, drafts)
            let plan = try await self.store(drafts, userID: userID, in: tx, vectors: vectors, models: models, at: date)
            try await tx.touchUser(userID, at: date)
            return plan.outcomes
        }
    }

    /// Writes validated drafts of one user inside `tx` by `remember`'s rules: locks and loads what they can touch,
    /// applies them in order, embeds what `vectors` lacks (the store changed since the caller looked), and writes
    /// the rows, their vectors and the audit lines.
    func store(
        _ drafts: [MemoryDraft], userID: String, in tx: any StorageTransaction, vectors: DraftVectors,
        models: [EmbeddingModel], at date: Date
    ) async throws -> RememberPlan {
        let keys = RememberPlan.keys(of: drafts)
        let existing = try await tx.rememberTargets(
            userID: userID, entityIDs: keys.entityIDs, hashes: keys.hashes, validAt: date, lockKeys: keys.locks)
        let plan = Self.plan(drafts, existing: existing, decay: configuration.decay, at: date)
        var vectors = vectors
        let unforeseen = Set(plan.vectorSources.values).subtracting(vectors.positions)
        if !unforeseen.isEmpty {
            let preceding = try await precedingTurns(tx, userID: userID, of: drafts, at: unforeseen)
            vectors.merge(
                try await embedders.vectors(for: drafts, at: unforeseen, models: models, preceding: preceding))
        }
        try await tx.insertMemories(plan.created)
        try await tx.updateMemories(plan.updated.sorted { $0.id < $1.id })
        try await indexConversations(tx, userID: userID, of: plan.created + plan.updated)
        let embedded = (plan.created + plan.updated).filter { plan.vectorSources[$0.id] != nil }
        try await tx.replaceEmbeddings(
            userID: userID, memoryIDs: embedded.map(\.id),
            with: embedded.flatMap { memory in
                vectors.embeddings(of: memory, source: plan.vectorSources[memory.id] ?? 0, at: date)
            })
        try await audit(tx, userID: userID, plan.events, at: date)
        return plan
    }

    /// ``precedingTurns(_:userID:sources:pending:)`` of `userID`'s drafts at `positions`.
    func precedingTurns(
        _ tx: any StorageTransaction, userID: String, of drafts: [MemoryDraft], at positions: Set<Int>,
        pending: [Message] = []
    ) async throws -> [Int: String] {
        var sources: [Int: (sessionID: String?, messageIDs: [String])] = [:]
        for position in positions where drafts[position].userID == userID {
            sources[position] = (drafts[position].sessionID, drafts[position].sourceMessageIDs)
        }
        return try await precedingTurns(tx, userID: userID, sources: sources, pending: pending)
    }

    /// The vectors of `models` for the drafts at `positions` (of any users), each draft drawn from one turn of a
    /// session embedded with the turn before it (``precedingTurns(_:userID:sources:pending:)``, read here).
    func draftVectors(
        _ drafts: [MemoryDraft], at positions: Set<Int>, models: [EmbeddingModel], pending: [Message] = []
    ) async throws -> DraftVectors {
        var preceding: [Int: String] = [:]
        let turns = positions.filter {
            Self.turn(sessionID: drafts[$0].sessionID, messageIDs: drafts[$0].sourceMessageIDs) != nil
        }
        for userID in Set(turns.map { drafts[$0].userID }).sorted() {
            let found = try await read(.user(userID)) { tx in
                try await self.precedingTurns(tx, userID: userID, of: drafts, at: turns, pending: pending)
            }
            preceding.merge(found) { first, _ in first }
        }
        return try await embedders.vectors(for: drafts, at: positions, models: models, preceding: preceding)
    }

    /// The drafts applied in order over `existing`.
    static func plan(_ drafts: [MemoryDraft], existing: [Memory], decay: DecayPolicy, at date: Date) -> RememberPlan {
        var plan = RememberPlan(existing: existing, decay: decay)
        for (index, draft) in drafts.enumerated() { plan.apply(draft, index: index, at: date) }
        return plan
    }

    /// Checks every session, agent, parent and source message the drafts name, each once.
    private func requireReferences(_ tx: any StorageTransaction, userID: String, _ drafts: [MemoryDraft]) async throws {
        for sessionID in Set(drafts.compactMap(\.sessionID)).sorted() {
            try await requireSession(tx, userID: userID, sessionID)
        }
        for agentID in Set(drafts.compactMap(\.agentID)).sorted() {
            try await requireAgent(tx, userID: userID, agentID)
        }
        let parents = Set(drafts.compactMap(\.parentID)).sorted()
        if !parents.isEmpty, try await tx.memories(userID: userID, ids: parents).count != parents.count {
            throw EngramError.memoryNotFound
        }
        try await requireMessages(tx, userID: userID, drafts.flatMap(\.sourceMessageIDs))
    }

    /// The models new vectors are written with: the configured one, and the active one too while a switch is under
    /// way, so that memories written during the switch are found by both.
    func writeModels() async throws -> [EmbeddingModel] {
        embedders.writeEmbedders(active: try await activeModel()).map(EmbeddingModel.init)
    }
}
