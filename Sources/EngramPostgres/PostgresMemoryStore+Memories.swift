import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    /// Decodes `seq` and the memory columns of a row.
    static func seqAndMemory(_ row: PostgresRow) throws -> (Int64, Memory) {
        (try Columns(row)["seq", as: Int64.self], try Decode.memory(row))
    }

    public func memory(userID: String, id: String) async throws -> Memory {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "memory id")
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            return try await self.fetchMemory(connection, userID: userID, id).memory
        }
    }

    public func memories(userID: String, filters: RecallFilters, limit: Int, offset: Int) async throws -> [Memory] {
        let userID = try validator.identifier(userID, field: "user id")
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        let offset = try validator.count(offset, field: "offset", in: 0...Int(Int32.max))
        let date = now()
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            var query: PostgresQuery =
                "SELECT \(unescaped: Decode.memoryColumns) FROM memories m WHERE m.user_id = \(userID)"
            try PostgresMemoryFilter.append(filters, at: date, to: &query)
            query.sql +=
                " ORDER BY m.created_at DESC, m.seq DESC LIMIT \(try query.bind(limit)) OFFSET \(try query.bind(offset))"
            return try await connection.rows(query, logger: self.logger, Decode.memory)
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
        for batch in batches { try await ensureVectorIndex(model: batch.model.model, dimension: batch.model.dimension) }
        let date = now()
        let embedded = batches
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            let (_, before) = try await self.fetchMemory(connection, userID: userID, id, forUpdate: true)
            let after = before.applying(patch, decay: self.configuration.decay, at: date)
            try await self.updateMemoryRow(connection, after)
            if !embedded.isEmpty {
                try await self.writeVectors(connection, [after], sources: [id: 0], embedded, at: date)
            } else if after.sector != before.sector {
                // Same vectors, filed under the new sector.
                try await connection.query(
                    """
                    UPDATE embeddings SET sector = \(after.sector.rawValue)
                    WHERE user_id = \(userID) AND memory_id = \(id)
                    """, logger: self.logger)
            }
            try await self.audit(
                connection, userID: userID, action: "memory.update", targetType: "memory", targetID: id,
                before: before, after: after, at: date)
            try await self.touchUser(connection, userID, at: date)
            return after
        }
    }

    public func forget(userID: String, id: String, mode: ForgetMode) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "memory id")
        let date = now()
        try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            let (seq, before) = try await self.fetchMemory(connection, userID: userID, id, forUpdate: true)
            switch mode {
            case .soft:
                var after = before
                after.validTo = before.validTo.map { min($0, date) } ?? date
                after.updatedAt = date
                try await self.updateMemoryRow(connection, after)
                try await self.audit(
                    connection, userID: userID, action: "memory.forget", targetType: "memory", targetID: id,
                    before: before, after: after, at: date)
            case .hard:
                try await connection.query(
                    "UPDATE memories SET parent_id = NULL WHERE user_id = \(userID) AND parent_id = \(id)",
                    logger: self.logger)
                try await connection.query("DELETE FROM memories WHERE seq = \(seq)", logger: self.logger)
                try await self.audit(
                    connection, userID: userID, action: "memory.erase", targetType: "memory", targetID: id,
                    before: before, after: Nothing?.none, at: date)
            }
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
        return try await transaction(userID: stored.userID) { connection in
            try await self.requireUser(connection, stored.userID)
            _ = try await self.fetchMemory(connection, userID: stored.userID, stored.memoryID)
            let before = try await self.fetchEmotion(connection, userID: stored.userID, memoryID: stored.memoryID)
            try await self.upsertEmotion(connection, stored)
            try await self.audit(
                connection, userID: stored.userID, action: "emotion.set", targetType: "memory",
                targetID: stored.memoryID, before: before, after: stored, at: date)
            return stored
        }
    }

    public func emotion(userID: String, memoryID: String) async throws -> Emotion? {
        let userID = try validator.identifier(userID, field: "user id")
        let memoryID = try validator.identifier(memoryID, field: "memory id")
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            _ = try await self.fetchMemory(connection, userID: userID, memoryID)
            return try await self.fetchEmotion(connection, userID: userID, memoryID: memoryID)
        }
    }

    public func feedback(userID: String, memoryID: String, query: String?, useful: Bool) async throws -> Feedback {
        let userID = try validator.identifier(userID, field: "user id")
        let memoryID = try validator.identifier(memoryID, field: "memory id")
        let query = try validator.optionalText(query, field: "query")
        let date = now()
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            let (_, before) = try await self.fetchMemory(connection, userID: userID, memoryID, forUpdate: true)
            let feedback = Feedback(
                id: UUID().uuidString.lowercased(), userID: userID, memoryID: memoryID, query: query, useful: useful,
                createdAt: date)
            try await self.insertFeedback(connection, feedback)
            var after = before
            after.salience = min(1, max(0, before.salience + (useful ? 0.05 : -0.05)))
            after.updatedAt = date
            try await self.updateMemoryRow(connection, after)
            try await self.audit(
                connection, userID: userID, action: "memory.feedback", targetType: "memory", targetID: memoryID,
                before: before, after: after, at: date)
            return feedback
        }
    }

    // MARK: Row writers, shared with import

    /// Inserts memory rows as they are, in multi-row statements.
    func insertMemories(_ connection: PostgresConnection, _ memories: [Memory]) async throws {
        for chunk in memories.indices.chunked(by: 1_000) {
            var query = PostgresQuery(
                unsafeSQL: """
                    INSERT INTO memories (user_id, id, agent_id, session_id, content, content_json, summary, sector,
                        context_type, salience, importance, strength, decay_rate, access_count, last_accessed_at,
                        last_reinforced_at, created_at, updated_at, valid_from, valid_to, tags, keywords, category,
                        metadata, entity_system, entity_id, entity_type, entity_data, entity_update_count, parent_id,
                        is_atomic, source_message_ids, content_hash) VALUES
                    """)
            for index in chunk {
                let memory = memories[index]
                query.sql += index == chunk.lowerBound ? " " : ", "
                query.sql += try query.row(
                    memory.userID, memory.id, memory.agentID, memory.sessionID, memory.content,
                    memory.contentJSON?.jsonb, memory.summary, memory.sector.rawValue, memory.contextType.rawValue,
                    memory.salience, memory.importance, memory.strength, memory.decayRate, memory.accessCount,
                    memory.lastAccessedAt?.timestamp, memory.lastReinforcedAt.timestamp, memory.createdAt.timestamp,
                    memory.updatedAt.timestamp, memory.validFrom.timestamp, memory.validTo?.timestamp, memory.tags,
                    memory.keywords, memory.category, memory.metadata.jsonb, memory.entity?.system, memory.entity?.id,
                    memory.entity?.type, memory.entityData?.jsonb, memory.entityUpdateCount, memory.parentID,
                    memory.isAtomic, memory.sourceMessageIDs, memory.contentHash)
            }
            try await connection.query(query, logger: logger)
        }
    }

    /// Writes every column of `memory` to its row.
    func updateMemoryRow(_ connection: PostgresConnection, _ memory: Memory) async throws {
        try await connection.query(
            """
            UPDATE memories SET agent_id = \(memory.agentID), session_id = \(memory.sessionID),
                content = \(memory.content), content_json = \(memory.contentJSON?.jsonb), summary = \(memory.summary),
                sector = \(memory.sector.rawValue), context_type = \(memory.contextType.rawValue),
                salience = \(memory.salience), importance = \(memory.importance), strength = \(memory.strength),
                decay_rate = \(memory.decayRate), access_count = \(memory.accessCount),
                last_accessed_at = \(memory.lastAccessedAt?.timestamp),
                last_reinforced_at = \(memory.lastReinforcedAt.timestamp), created_at = \(memory.createdAt.timestamp),
                updated_at = \(memory.updatedAt.timestamp), valid_from = \(memory.validFrom.timestamp),
                valid_to = \(memory.validTo?.timestamp), tags = \(memory.tags), keywords = \(memory.keywords),
                category = \(memory.category), metadata = \(memory.metadata.jsonb),
                entity_system = \(memory.entity?.system), entity_id = \(memory.entity?.id),
                entity_type = \(memory.entity?.type), entity_data = \(memory.entityData?.jsonb),
                entity_update_count = \(memory.entityUpdateCount), parent_id = \(memory.parentID),
                is_atomic = \(memory.isAtomic), source_message_ids = \(memory.sourceMessageIDs),
                content_hash = \(memory.contentHash)
            WHERE user_id = \(memory.userID) AND id = \(memory.id)
            """, logger: logger)
    }

    /// Inserts embedding rows, in multi-row statements with binary vector binds.
    func insertEmbeddings(_ connection: PostgresConnection, _ embeddings: [StoredEmbedding]) async throws {
        guard !embeddings.isEmpty else { return }
        let oid = try await vectorType(connection)
        for chunk in embeddings.indices.chunked(by: 1_000) {
            var query = PostgresQuery(
                unsafeSQL:
                    "INSERT INTO embeddings (user_id, memory_id, sector, model, dimension, embedding, created_at) VALUES"
            )
            for index in chunk {
                let embedding = embeddings[index]
                query.sql += index == chunk.lowerBound ? " " : ", "
                query.sql += try query.row(
                    embedding.userID, embedding.memoryID, embedding.sector.rawValue, embedding.model,
                    embedding.dimension, PGVector(embedding.vector, oid: oid), embedding.createdAt.timestamp)
            }
            try await connection.query(query, logger: logger)
        }
    }

    func fetchEmotion(_ connection: PostgresConnection, userID: String, memoryID: String) async throws -> Emotion? {
        try await connection.first(
            "SELECT * FROM emotions WHERE user_id = \(userID) AND memory_id = \(memoryID)", logger: logger,
            Decode.emotion)
    }

    func upsertEmotion(_ connection: PostgresConnection, _ emotion: Emotion) async throws {
        let discrete = JSONValue.object(emotion.discreteEmotions.mapValues(JSONValue.number)).jsonb
        try await connection.query(
            """
            INSERT INTO emotions (user_id, memory_id, valence, arousal, dominance, discrete_emotions,
                primary_emotion, confidence, updated_at)
            VALUES (\(emotion.userID), \(emotion.memoryID), \(emotion.valence), \(emotion.arousal),
                \(emotion.dominance), \(discrete), \(emotion.primaryEmotion), \(emotion.confidence),
                \(emotion.updatedAt.timestamp))
            ON CONFLICT (user_id, memory_id) DO UPDATE SET valence = excluded.valence,
                arousal = excluded.arousal, dominance = excluded.dominance,
                discrete_emotions = excluded.discrete_emotions, primary_emotion = excluded.primary_emotion,
                confidence = excluded.confidence, updated_at = excluded.updated_at
            """, logger: logger)
    }

    func insertFeedback(_ connection: PostgresConnection, _ feedback: Feedback) async throws {
        try await connection.query(
            """
            INSERT INTO feedback (user_id, id, memory_id, query, useful, created_at)
            VALUES (\(feedback.userID), \(feedback.id), \(feedback.memoryID), \(feedback.query), \(feedback.useful),
                \(feedback.createdAt.timestamp))
            """, logger: logger)
    }

    // MARK: Vector indexes

    /// The partial HNSW index of one model and dimension: its name and its `CREATE INDEX` statement.
    static func vectorIndexDDL(model: String, dimension: Int) -> (name: String, sql: String) {
        (
            vectorIndexName(.hnsw, model: model, dimension: dimension),
            vectorIndexDDL(.hnsw, model: model, dimension: dimension)
        )
    }

    /// HNSW indexes `vector` columns of at most this many dimensions.
    static let maxIndexedDimension = 2000

    /// Creates the partial HNSW index of `model` and `dimension` unless this store already did; runs in its
    /// own whole-store transaction, outside any user's data transaction.
    func ensureVectorIndex(model: String, dimension: Int) async throws {
        guard dimension > 0, dimension <= Self.maxIndexedDimension else { return }
        let (name, sql) = Self.vectorIndexDDL(model: model, dimension: dimension)
        if vectorIndexes.withLock({ $0.contains(name) }) { return }
        let lockKey = "engram.vector_index.\(postgres.schema)"
        // An IVFFlat index built by rebuildVectorIndexes(method: .ivfflat) serves the model as well.
        let ivfflat = Self.vectorIndexName(.ivfflat, model: model, dimension: dimension)
        try await transaction(userID: nil) { connection in
            // An existing index needs no DDL (which would take a share lock on the table, even when it exists).
            let exists = try await connection.first(
                "SELECT to_regclass(\(name)) IS NOT NULL OR to_regclass(\(ivfflat)) IS NOT NULL", logger: self.logger
            ) { try $0.decode(Bool.self) }
            if exists == true { return }
            // Serialise index creation: concurrent CREATE INDEX IF NOT EXISTS of one name can collide.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", logger: self.logger)
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: self.logger)
        }
        _ = vectorIndexes.withLock { $0.insert(name) }
    }
}

/// Translates ``RecallFilters`` into conditions on the `memories` table aliased `m`, every value a bind.
enum PostgresMemoryFilter {
    /// Appends ` AND …` conditions (possibly none) to `query`.
    static func append(_ filters: RecallFilters, at date: Date, to query: inout PostgresQuery) throws {
        if !filters.sectors.isEmpty {
            query.sql += " AND m.sector = ANY(\(try query.bind(filters.sectors.map(\.rawValue).sorted())))"
        }
        if !filters.contextTypes.isEmpty {
            query.sql += " AND m.context_type = ANY(\(try query.bind(filters.contextTypes.map(\.rawValue).sorted())))"
        }
        if !filters.tags.isEmpty {
            query.sql += " AND m.tags @> \(try query.bind(filters.tags.sorted()))"
        }
        if let after = filters.createdAfter {
            query.sql += " AND m.created_at >= \(try query.bind(after.timestamp))"
        }
        if let before = filters.createdBefore {
            query.sql += " AND m.created_at < \(try query.bind(before.timestamp))"
        }
        if let sessionID = filters.sessionID {
            query.sql += " AND m.session_id = \(try query.bind(sessionID))"
        }
        if let agentID = filters.agentID {
            query.sql += " AND m.agent_id = \(try query.bind(agentID))"
        }
        if !filters.includeInvalid {
            query.sql += " AND (m.valid_to IS NULL OR m.valid_to > \(try query.bind(date.timestamp)))"
        }
    }
}

extension PostgresQuery {
    /// Binds `value` as the next parameter and returns its placeholder (`$n`), for queries assembled in parts.
    mutating func bind(_ value: some PostgresThrowingDynamicTypeEncodable) throws -> String {
        try binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds `values` (`nil` as NULL) and returns their placeholders as one row of a multi-row `VALUES`: `($n, …)`.
    mutating func row<each Value: PostgresThrowingDynamicTypeEncodable>(_ values: repeat (each Value)?) throws -> String
    {
        var placeholders: [String] = []
        for value in repeat each values {
            try binds.append(value)
            placeholders.append("$\(binds.count)")
        }
        return "(" + placeholders.joined(separator: ", ") + ")"
    }
}
