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
        guard let batch = try await prepareRemember(drafts) else { return [] }
        return try await write(batch)
    }

    /// Remembers the batches that `next` returns until it returns `nil`, in order, each by ``rememberAll(_:)``'s
    /// rules in its own transaction: the bulk path for large loads. While one batch is written the next is
    /// prepared (validated, looked up and embedded), so the model and the database work at the same time.
    /// `stored` is called with each batch's outcomes once it is written, in order. A failing batch ends the load:
    /// the batches before it stay stored, none after it is written, and its error is thrown.
    public func rememberBatches(
        _ next: () throws -> [MemoryDraft]?, stored: ([RememberOutcome]) async throws -> Void
    ) async throws {
        guard let first = try next() else { return }
        var pending = Task { try await self.prepareRemember(first) }
        do {
            while true {
                let batch = try await pending.value
                let following = try next()
                if let following { pending = Task { try await self.prepareRemember(following) } }
                var outcomes: [RememberOutcome] = []
                if let batch { outcomes = try await write(batch) }
                try await stored(outcomes)
                if following == nil { return }
            }
        } catch {
            // The next batch's preparation ends before the load does: nothing of it runs on after the error.
            pending.cancel()
            _ = await pending.result
            throw error
        }
    }

    /// One user's validated drafts, ready to write: the models they are embedded with, the time they are written
    /// at, and the vectors of the drafts that create a memory as the store stood when it was read.
    struct RememberBatch: Sendable {
        var userID: String
        var drafts: [MemoryDraft]
        var models: [EmbeddingModel]
        var date: Date
        var vectors: DraftVectors
    }

    /// Validates `drafts` and embeds, after a first look without locks at what they will do, only the drafts that
    /// write a vector (those drawn from one turn with the turn before it). `nil` when there are no drafts.
    func prepareRemember(_ drafts: [MemoryDraft]) async throws -> RememberBatch? {
        let drafts = try validator.memories(drafts, dimension: embedder.dimension)
        guard let userID = drafts.first?.userID else { return nil }
        let models = try await writeModels()
        try await driver.prepareVectorIndexes(for: models)
        let date = now()
        let keys = RememberPlan.keys(of: drafts)
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
        return RememberBatch(userID: userID, drafts: drafts, models: models, date: date, vectors: vectors)
    }

    /// Writes a prepared batch in one transaction by ``store(_:userID:in:vectors:models:at:)``.
    private func write(_ batch: RememberBatch) async throws -> [RememberOutcome] {
        try await write(.user(batch.userID)) { tx in
            try await self.requireUser(tx, batch.userID)
            try await self.requireReferences(tx, userID: batch.userID, batch.drafts)
            let plan = try await self.store(
                batch.drafts, userID: batch.userID, in: tx, vectors: batch.vectors, models: batch.models,
                at: batch.date)
            try await tx.touchUser(batch.userID, at: batch.date)
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
        // The audit lines' digests (a canonical JSON encoding of each row, before and after) are made on another
        // thread while the driver writes the rows.
        async let events = plan.events
        try await tx.insertMemories(plan.created)
        try await tx.updateMemories(plan.updated.sorted { $0.id < $1.id })
        try await indexConversations(tx, userID: userID, of: plan.created + plan.updated)
        let embedded = (plan.created + plan.updated).filter { plan.vectorSources[$0.id] != nil }
        try await tx.replaceEmbeddings(
            userID: userID, memoryIDs: embedded.map(\.id),
            with: embedded.flatMap { memory in
                vectors.embeddings(of: memory, source: plan.vectorSources[memory.id] ?? 0, at: date)
            })
        try await audit(tx, userID: userID, await events, at: date)
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
