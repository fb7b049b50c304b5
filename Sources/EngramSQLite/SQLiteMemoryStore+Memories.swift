import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
    public func remember(_ draft: MemoryDraft) async throws -> RememberOutcome {
        try await rememberAll([draft])[0]
    }

    /// The bulk path: one transaction, one embedding batch, and the drafts applied in order by ``RememberPlan``.
    public func rememberAll(_ drafts: [MemoryDraft]) async throws -> [RememberOutcome] {
        let drafts = try validator.memories(drafts, dimension: embedder.dimension)
        guard let userID = drafts.first?.userID else { return [] }
        let batches = try await embedders.vectors(for: drafts, active: try await activeModel())
        let date = now()
        let result = try await write { db in
            try self.requireUser(db, userID)
            try self.requireReferences(db, userID: userID, drafts)
            let before = try VectorCache.version(db, userID: userID)
            var plan = RememberPlan(
                existing: try self.existingMemories(db, userID: userID, drafts, at: date),
                decay: self.configuration.decay)
            for (index, draft) in drafts.enumerated() { plan.apply(draft, index: index, at: date) }
            var upserts: [EmbeddingModel: [(Int64, [Float])]] = [:]
            for memory in plan.created {
                let seq = try self.insertMemory(db, memory)
                if let source = plan.vectorSources[memory.id] {
                    try self.writeVectors(db, memory, seq: seq, batches, source, at: date, into: &upserts)
                }
            }
            for memory in plan.updated {
                try self.updateMemoryRow(db, memory)
                if let source = plan.vectorSources[memory.id] {
                    let seq = try self.fetchMemory(db, userID: userID, memory.id).seq
                    try self.writeVectors(db, memory, seq: seq, batches, source, at: date, into: &upserts)
                }
            }
            for event in plan.events {
                try self.audit(
                    db, userID: userID, action: event.action, targetType: "memory", targetID: event.memoryID,
                    beforeDigest: event.beforeDigest, afterDigest: event.afterDigest, at: date)
            }
            try self.touchUser(db, userID, at: date)
            let after = try VectorCache.version(db, userID: userID)
            return (plan.outcomes, upserts, before, after)
        }
        let (outcomes, upserts, before, after) = result
        vectors.apply(userID: userID, before: before, after: after, upserts: upserts, removals: [])
        return outcomes
    }

    /// Replaces the memory's vectors with those of `batches` at `source`, one per write model.
    private func writeVectors(
        _ db: Database, _ memory: Memory, seq: Int64, _ batches: [EmbeddedBatch], _ source: Int, at date: Date,
        into upserts: inout [EmbeddingModel: [(Int64, [Float])]]
    ) throws {
        try db.run(
            sql: "DELETE FROM embeddings WHERE user_id = ? AND memory_id = ?", arguments: [memory.userID, memory.id])
        for batch in batches {
            let vector = batch.vectors[source]
            try insertEmbedding(
                db,
                StoredEmbedding(
                    memoryID: memory.id, userID: memory.userID, sector: memory.sector, model: batch.model.model,
                    dimension: batch.model.dimension, vector: vector, createdAt: date))
            upserts[batch.model, default: []].append((seq, vector))
        }
    }

    /// Checks every session, agent, parent and source message the drafts name, each once.
    private func requireReferences(_ db: Database, userID: String, _ drafts: [MemoryDraft]) throws {
        for sessionID in Set(drafts.compactMap(\.sessionID)) { try requireSession(db, userID: userID, sessionID) }
        for agentID in Set(drafts.compactMap(\.agentID)) { try requireAgent(db, userID: userID, agentID) }
        for parentID in Set(drafts.compactMap(\.parentID)) { _ = try fetchMemory(db, userID: userID, parentID) }
        try requireMessages(db, userID: userID, Array(Set(drafts.flatMap(\.sourceMessageIDs))))
    }

    /// The memories the drafts can merge into or reinforce: their entities, and live memories of their contents.
    private func existingMemories(
        _ db: Database, userID: String, _ drafts: [MemoryDraft], at date: Date
    ) throws -> [Memory] {
        let keys = RememberPlan.keys(of: drafts)
        var rows: [Row] = []
        for chunk in keys.entityIDs.indices.chunked(by: 500) {
            let ids = Array(keys.entityIDs[chunk])
            rows += try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM memories WHERE user_id = ? AND entity_id IN (\(databaseQuestionMarks(count: ids.count)))
                    """,
                arguments: StatementArguments([userID] + ids))
        }
        for chunk in keys.hashes.indices.chunked(by: 500) {
            let hashes = Array(keys.hashes[chunk])
            rows += try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM memories
                    WHERE user_id = ? AND content_hash IN (\(databaseQuestionMarks(count: hashes.count)))
                        AND entity_id IS NULL AND (valid_to IS NULL OR valid_to > ?)
                    """,
                arguments: StatementArguments([userID] + hashes + [date.millis]))
        }
        let ordered = rows.sorted { ($0["created_at"] as Int64, $0["seq"] as Int64) < ($1["created_at"], $1["seq"]) }
        return try ordered.map(Decode.memory)
    }

    public func memory(userID: String, id: String) async throws -> Memory {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "memory id")
        return try await read { db in
            try self.requireUser(db, userID)
            return try self.fetchMemory(db, userID: userID, id).memory
        }
    }

    public func memories(userID: String, filters: RecallFilters, limit: Int, offset: Int) async throws -> [Memory] {
        let userID = try validator.identifier(userID, field: "user id")
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        let offset = try validator.count(offset, field: "offset", in: 0...Int(Int32.max))
        let date = now()
        return try await read { db in
            try self.requireUser(db, userID)
            let (clause, arguments) = MemoryFilter.clause(filters, at: date)
            var all: StatementArguments = [userID]
            all += arguments
            all += [limit, offset]
            return try Row.fetchAll(
                db,
                cached:
                    "SELECT m.* FROM memories m WHERE m.user_id = ? \(clause) ORDER BY m.created_at DESC, m.seq DESC LIMIT ? OFFSET ?",
                arguments: all
            ).map(Decode.memory)
        }
    }

    public func updateMemory(userID: String, id: String, _ patch: MemoryPatch) async throws -> Memory {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "memory id")
        let patch = try validator.patch(patch)
        if let metadata = patch.metadata { _ = try validator.optionalText(metadata.jsonText, field: "metadata") }
        var batches: [EmbeddedBatch] = []
        if let content = patch.content {
            batches = try await embedders.vectors(for: [content], active: try await activeModel())
        }
        let date = now()
        let embedded = batches
        let result = try await write { db in
            try self.requireUser(db, userID)
            let (seq, before) = try self.fetchMemory(db, userID: userID, id)
            let after = before.applying(patch, decay: self.configuration.decay, at: date)
            try self.updateMemoryRow(db, after)
            let versionBefore = try VectorCache.version(db, userID: userID)
            var upserts: [EmbeddingModel: [(Int64, [Float])]] = [:]
            if !embedded.isEmpty {
                try self.writeVectors(db, after, seq: seq, embedded, 0, at: date, into: &upserts)
            } else if after.sector != before.sector {
                // Same vectors, filed under the new sector.
                try db.run(
                    sql: "UPDATE embeddings SET sector = ? WHERE user_id = ? AND memory_id = ?",
                    arguments: [after.sector.rawValue, userID, id])
            }
            try self.audit(
                db, userID: userID, action: "memory.update", targetType: "memory", targetID: id, before: before,
                after: after, at: date)
            try self.touchUser(db, userID, at: date)
            return (after, upserts, versionBefore, try VectorCache.version(db, userID: userID))
        }
        let (memory, upserts, before, after) = result
        vectors.apply(userID: userID, before: before, after: after, upserts: upserts, removals: [])
        return memory
    }

    public func forget(userID: String, id: String, mode: ForgetMode) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "memory id")
        let date = now()
        let removed = try await write { db -> (Int64, Int64, Int64)? in
            try self.requireUser(db, userID)
            let (seq, before) = try self.fetchMemory(db, userID: userID, id)
            switch mode {
            case .soft:
                var after = before
                after.validTo = before.validTo.map { min($0, date) } ?? date
                after.updatedAt = date
                try self.updateMemoryRow(db, after)
                try self.audit(
                    db, userID: userID, action: "memory.forget", targetType: "memory", targetID: id, before: before,
                    after: after, at: date)
                return nil
            case .hard:
                let versionBefore = try VectorCache.version(db, userID: userID)
                try db.run(
                    sql: "UPDATE memories SET parent_id = NULL WHERE user_id = ? AND parent_id = ?",
                    arguments: [userID, id])
                try db.run(sql: "DELETE FROM memories WHERE seq = ?", arguments: [seq])
                try self.audit(
                    db, userID: userID, action: "memory.erase", targetType: "memory", targetID: id, before: before,
                    after: Nothing?.none, at: date)
                return (seq, versionBefore, try VectorCache.version(db, userID: userID))
            }
        }
        if let (seq, before, after) = removed {
            vectors.apply(userID: userID, before: before, after: after, upserts: [:], removals: [seq])
        }
    }

    public func setEmotion(_ emotion: Emotion) async throws -> Emotion {
        var emotion = emotion
        emotion.userID = try validator.identifier(emotion.userID, field: "user id")
        emotion.memoryID = try validator.identifier(emotion.memoryID, field: "memory id")
        emotion.valence = try validator.number(emotion.valence, field: "valence", in: -1...1)
        emotion.arousal = try validator.number(emotion.arousal, field: "arousal")
        emotion.dominance = try validator.number(emotion.dominance, field: "dominance", in: -1...1)
        emotion.confidence = try validator.number(emotion.confidence, field: "confidence")
        emotion.primaryEmotion = try validator.optionalIdentifier(emotion.primaryEmotion, field: "primary emotion")
        for (name, score) in emotion.discreteEmotions {
            _ = try validator.identifier(name, field: "emotion name")
            _ = try validator.number(score, field: "emotion score")
        }
        let date = now()
        emotion.updatedAt = date
        let stored = emotion
        return try await write { db in
            try self.requireUser(db, stored.userID)
            _ = try self.fetchMemory(db, userID: stored.userID, stored.memoryID)
            let before = try self.fetchEmotion(db, userID: stored.userID, memoryID: stored.memoryID)
            try self.upsertEmotion(db, stored)
            try self.audit(
                db, userID: stored.userID, action: "emotion.set", targetType: "memory", targetID: stored.memoryID,
                before: before, after: stored, at: date)
            return stored
        }
    }

    public func emotion(userID: String, memoryID: String) async throws -> Emotion? {
        let userID = try validator.identifier(userID, field: "user id")
        let memoryID = try validator.identifier(memoryID, field: "memory id")
        return try await read { db in
            try self.requireUser(db, userID)
            _ = try self.fetchMemory(db, userID: userID, memoryID)
            return try self.fetchEmotion(db, userID: userID, memoryID: memoryID)
        }
    }

    public func feedback(userID: String, memoryID: String, query: String?, useful: Bool) async throws -> Feedback {
        let userID = try validator.identifier(userID, field: "user id")
        let memoryID = try validator.identifier(memoryID, field: "memory id")
        let query = try validator.optionalText(query, field: "query")
        let date = now()
        return try await write { db in
            try self.requireUser(db, userID)
            let (_, before) = try self.fetchMemory(db, userID: userID, memoryID)
            let feedback = Feedback(
                id: UUID().uuidString.lowercased(), userID: userID, memoryID: memoryID, query: query, useful: useful,
                createdAt: date)
            try self.insertFeedback(db, feedback)
            var after = before
            after.salience = min(1, max(0, before.salience + (useful ? 0.05 : -0.05)))
            after.updatedAt = date
            try self.updateMemoryRow(db, after)
            try self.audit(
                db, userID: userID, action: "memory.feedback", targetType: "memory", targetID: memoryID,
                before: before, after: after, at: date)
            return feedback
        }
    }

    // MARK: Row writers, shared with import

    /// The full-text owner token: restricts FTS matching to one user's rows inside the index.
    func ftsOwner(_ userID: String) -> String {
        "u" + ContentHash.hex(Data(userID.utf8)).prefix(20)
    }

    @discardableResult
    func insertMemory(_ db: Database, _ memory: Memory) throws -> Int64 {
        try db.run(
            sql: """
                INSERT INTO memories (user_id, id, agent_id, session_id, content, content_json, summary, sector,
                    context_type, salience, importance, strength, decay_rate, access_count, last_accessed_at,
                    last_reinforced_at, created_at, updated_at, valid_from, valid_to, tags, keywords, category,
                    metadata, entity_system, entity_id, entity_type, entity_data, entity_update_count, parent_id,
                    is_atomic, source_message_ids, content_hash, fts_owner)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: StatementArguments(memoryArguments(memory) + [ftsOwner(memory.userID)]))
        return db.lastInsertedRowID
    }

    func updateMemoryRow(_ db: Database, _ memory: Memory) throws {
        var arguments = StatementArguments(Array(memoryArguments(memory).dropFirst(2)))
        arguments += [memory.userID, memory.id]
        try db.run(
            sql: """
                UPDATE memories SET agent_id = ?, session_id = ?, content = ?, content_json = ?, summary = ?,
                    sector = ?, context_type = ?, salience = ?, importance = ?, strength = ?, decay_rate = ?,
                    access_count = ?, last_accessed_at = ?, last_reinforced_at = ?, created_at = ?, updated_at = ?,
                    valid_from = ?, valid_to = ?, tags = ?, keywords = ?, category = ?, metadata = ?,
                    entity_system = ?, entity_id = ?, entity_type = ?, entity_data = ?, entity_update_count = ?,
                    parent_id = ?, is_atomic = ?, source_message_ids = ?, content_hash = ?
                WHERE user_id = ? AND id = ?
                """,
            arguments: arguments)
    }

    private func memoryArguments(_ memory: Memory) -> [(any DatabaseValueConvertible)?] {
        [
            memory.userID, memory.id, memory.agentID, memory.sessionID, memory.content,
            Column.json(memory.contentJSON), memory.summary, memory.sector.rawValue, memory.contextType.rawValue,
            memory.salience, memory.importance, memory.strength, memory.decayRate, memory.accessCount,
            memory.lastAccessedAt?.millis, memory.lastReinforcedAt.millis, memory.createdAt.millis,
            memory.updatedAt.millis, memory.validFrom.millis, memory.validTo?.millis, Column.strings(memory.tags),
            Column.strings(memory.keywords), memory.category, memory.metadata.jsonText, memory.entity?.system,
            memory.entity?.id, memory.entity?.type, Column.json(memory.entityData), memory.entityUpdateCount,
            memory.parentID, memory.isAtomic, Column.strings(memory.sourceMessageIDs), memory.contentHash,
        ]
    }

    func insertEmbedding(_ db: Database, _ embedding: StoredEmbedding) throws {
        try db.run(
            sql: """
                INSERT INTO embeddings (user_id, memory_id, sector, model, dimension, vector, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                embedding.userID, embedding.memoryID, embedding.sector.rawValue, embedding.model, embedding.dimension,
                Column.vector(embedding.vector), embedding.createdAt.millis,
            ])
    }

    func fetchEmotion(_ db: Database, userID: String, memoryID: String) throws -> Emotion? {
        try Row.fetchOne(
            db, cached: "SELECT * FROM emotions WHERE user_id = ? AND memory_id = ?", arguments: [userID, memoryID]
        ).map(Decode.emotion)
    }

    func upsertEmotion(_ db: Database, _ emotion: Emotion) throws {
        let discrete = JSONValue.object(emotion.discreteEmotions.mapValues(JSONValue.number)).jsonText
        try db.run(
            sql: """
                INSERT INTO emotions (user_id, memory_id, valence, arousal, dominance, discrete_emotions,
                    primary_emotion, confidence, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id, memory_id) DO UPDATE SET valence = excluded.valence,
                    arousal = excluded.arousal, dominance = excluded.dominance,
                    discrete_emotions = excluded.discrete_emotions, primary_emotion = excluded.primary_emotion,
                    confidence = excluded.confidence, updated_at = excluded.updated_at
                """,
            arguments: [
                emotion.userID, emotion.memoryID, emotion.valence, emotion.arousal, emotion.dominance, discrete,
                emotion.primaryEmotion, emotion.confidence, emotion.updatedAt.millis,
            ])
    }

    func insertFeedback(_ db: Database, _ feedback: Feedback) throws {
        try db.run(
            sql: "INSERT INTO feedback (user_id, id, memory_id, query, useful, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [
                feedback.userID, feedback.id, feedback.memoryID, feedback.query, feedback.useful,
                feedback.createdAt.millis,
            ])
    }
}
