import EngramCore
import Foundation
import PostgresNIO

extension PostgresTransaction: MemoryRows {
    func memory(userID: String, id: String, forUpdate: Bool) async throws -> Memory? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await first(
            """
            SELECT \(unescaped: Decode.memoryColumns) FROM memories
            WHERE user_id = \(userID) AND id = \(id)\(unescaped: lock)
            """, Decode.memory)
    }

    func memories(userID: String, ids: [String]) async throws -> [Memory] {
        guard !ids.isEmpty else { return [] }
        return try await rows(
            "SELECT \(unescaped: Decode.memoryColumns) FROM memories WHERE user_id = \(userID) AND id = ANY(\(ids))",
            Decode.memory)
    }

    func memories(userID: String, filters: RecallFilters, at date: Date, limit: Int, offset: Int) async throws
        -> [Memory]
    {
        var query: PostgresQuery =
            "SELECT \(unescaped: Decode.memoryColumns) FROM memories m WHERE m.user_id = \(userID)"
        try PostgresMemoryFilter.append(filters, at: date, to: &query)
        query.sql +=
            " ORDER BY m.created_at DESC, m.seq DESC LIMIT \(try query.bind(limit)) OFFSET \(try query.bind(offset))"
        return try await rows(query, Decode.memory)
    }

    /// With `lockKeys`, takes a transaction-scoped advisory lock per key, in their order, then locks the rows
    /// (`FOR UPDATE`): concurrent writers of one entity or one content wait for each other and end in one row.
    func rememberTargets(
        userID: String, entityIDs: [String], hashes: [String], validAt date: Date, lockKeys: [String]?
    ) async throws -> [Memory] {
        if let lockKeys, !lockKeys.isEmpty {
            try await execute(
                """
                SELECT pg_advisory_xact_lock(hashtext(k))
                FROM unnest(\(lockKeys)::text[]) WITH ORDINALITY AS l(k, n) ORDER BY n
                """)
        }
        guard !entityIDs.isEmpty || !hashes.isEmpty else { return [] }
        return try await rows(
            """
            SELECT \(unescaped: Decode.memoryColumns) FROM memories
            WHERE user_id = \(userID) AND (entity_id = ANY(\(entityIDs))
                OR (content_hash = ANY(\(hashes)) AND entity_id IS NULL
                    AND (valid_to IS NULL OR valid_to > \(date.timestamp))))
            ORDER BY created_at, seq\(unescaped: lockKeys == nil ? "" : " FOR UPDATE")
            """, Decode.memory)
    }

    func validMemories(userID: String, at date: Date) async throws -> [Memory] {
        try await rows(
            """
            SELECT \(unescaped: Decode.memoryColumns) FROM memories
            WHERE user_id = \(userID) AND (valid_to IS NULL OR valid_to > \(date.timestamp))
            ORDER BY seq FOR UPDATE
            """, Decode.memory)
    }

    func memories(userID: String, createdBefore date: Date, contextTypes: Set<ContextType>) async throws -> [Memory] {
        let types = contextTypes.map(\.rawValue).sorted()
        return try await rows(
            """
            SELECT \(unescaped: Decode.memoryColumns) FROM memories
            WHERE user_id = \(userID) AND created_at < \(date.timestamp)
                AND (cardinality(\(types)::text[]) = 0 OR context_type = ANY(\(types)))
            ORDER BY seq FOR UPDATE
            """, Decode.memory)
    }

    /// Multi-row statements of up to 1,000 memories.
    func insertMemories(_ memories: [Memory]) async throws {
        for chunk in memories.indices.chunked(by: 1_000) {
            var query = PostgresQuery(
                unsafeSQL: """
                    INSERT INTO memories (user_id, id, agent_id, session_id, content, content_json, summary, sector,
                        context_type, salience, importance, strength, decay_rate, access_count, last_accessed_at,
                        last_reinforced_at, created_at, updated_at, valid_from, valid_to, tags, keywords, category,
                        metadata, entity_system, entity_id, entity_type, entity_data, entity_update_count, parent_id,
                        is_atomic, source_message_ids, content_hash, visibility, subject, predicate, value) VALUES
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
                    memory.isAtomic, memory.sourceMessageIDs, memory.contentHash, memory.visibility.rawValue,
                    memory.parts?.subject, memory.parts?.predicate, memory.parts?.value)
            }
            try await execute(query)
        }
    }

    func updateMemories(_ memories: [Memory]) async throws {
        for memory in memories {
            try await execute(
                """
                UPDATE memories SET agent_id = \(memory.agentID), session_id = \(memory.sessionID),
                    content = \(memory.content), content_json = \(memory.contentJSON?.jsonb),
                    summary = \(memory.summary), sector = \(memory.sector.rawValue),
                    context_type = \(memory.contextType.rawValue), salience = \(memory.salience),
                    importance = \(memory.importance), strength = \(memory.strength), decay_rate = \(memory.decayRate),
                    access_count = \(memory.accessCount), last_accessed_at = \(memory.lastAccessedAt?.timestamp),
                    last_reinforced_at = \(memory.lastReinforcedAt.timestamp),
                    created_at = \(memory.createdAt.timestamp), updated_at = \(memory.updatedAt.timestamp),
                    valid_from = \(memory.validFrom.timestamp), valid_to = \(memory.validTo?.timestamp),
                    tags = \(memory.tags), keywords = \(memory.keywords), category = \(memory.category),
                    metadata = \(memory.metadata.jsonb), entity_system = \(memory.entity?.system),
                    entity_id = \(memory.entity?.id), entity_type = \(memory.entity?.type),
                    entity_data = \(memory.entityData?.jsonb), entity_update_count = \(memory.entityUpdateCount),
                    parent_id = \(memory.parentID), is_atomic = \(memory.isAtomic),
                    source_message_ids = \(memory.sourceMessageIDs), content_hash = \(memory.contentHash),
                    visibility = \(memory.visibility.rawValue), subject = \(memory.parts?.subject),
                    predicate = \(memory.parts?.predicate), value = \(memory.parts?.value)
                WHERE user_id = \(memory.userID) AND id = \(memory.id)
                """)
        }
    }

    /// Locks the rows in the given order, then writes them all in one statement.
    func recordAccesses(userID: String, _ accesses: [MemoryAccess]) async throws {
        guard !accesses.isEmpty else { return }
        let ids = accesses.map(\.id)
        try await lockInOrder(userID: userID, ids: ids)
        try await execute(
            """
            UPDATE memories m SET strength = a.strength, last_reinforced_at = a.at, last_accessed_at = a.at,
                access_count = m.access_count + a.count
            FROM (
                SELECT id, strength, timestamptz 'epoch' + millis * interval '1 millisecond' AS at, count
                FROM unnest(\(ids)::text[], \(accesses.map(\.strength))::float8[], \(accesses.map(\.at.timestamp.millis))::bigint[],
                    \(accesses.map(\.count))::bigint[]) AS u(id, strength, millis, count)
            ) a
            WHERE m.user_id = \(userID) AND m.id = a.id
            """)
    }

    /// Locks the rows in the given order, then writes them all in one statement.
    func updateStrengths(userID: String, strengths: [(id: String, strength: Double)], at date: Date) async throws {
        guard !strengths.isEmpty else { return }
        let (ids, values) = (strengths.map { $0.id }, strengths.map { $0.strength })
        try await lockInOrder(userID: userID, ids: ids)
        try await execute(
            """
            UPDATE memories m SET strength = a.strength, last_reinforced_at = \(date.timestamp)
            FROM unnest(\(ids)::text[], \(values)::float8[]) AS a(id, strength)
            WHERE m.user_id = \(userID) AND m.id = a.id
            """)
    }

    /// Locks the user's memories `ids` in that order (rows are locked as the sorted result is produced).
    private func lockInOrder(userID: String, ids: [String]) async throws {
        try await execute(
            """
            SELECT 1 FROM unnest(\(ids)::text[]) WITH ORDINALITY AS a(id, n)
            JOIN memories m ON m.user_id = \(userID) AND m.id = a.id
            ORDER BY a.n FOR UPDATE OF m
            """)
    }

    func clearParent(userID: String, parentID: String) async throws {
        try await execute("UPDATE memories SET parent_id = NULL WHERE user_id = \(userID) AND parent_id = \(parentID)")
    }

    /// Vectors, links, emotion and feedback go with the memory (their foreign keys cascade).
    func deleteMemory(userID: String, id: String) async throws {
        try await execute("DELETE FROM memories WHERE user_id = \(userID) AND id = \(id)")
    }

    func emotion(userID: String, memoryID: String) async throws -> Emotion? {
        try await first("SELECT * FROM emotions WHERE user_id = \(userID) AND memory_id = \(memoryID)", Decode.emotion)
    }

    func upsertEmotion(_ emotion: Emotion) async throws {
        let discrete = JSONValue.object(emotion.discreteEmotions.mapValues(JSONValue.number)).jsonb
        try await execute(
            """
            INSERT INTO emotions (user_id, memory_id, valence, arousal, dominance, discrete_emotions, primary_emotion,
                confidence, updated_at)
            VALUES (\(emotion.userID), \(emotion.memoryID), \(emotion.valence), \(emotion.arousal),
                \(emotion.dominance), \(discrete), \(emotion.primaryEmotion), \(emotion.confidence),
                \(emotion.updatedAt.timestamp))
            ON CONFLICT (user_id, memory_id) DO UPDATE SET valence = excluded.valence, arousal = excluded.arousal,
                dominance = excluded.dominance, discrete_emotions = excluded.discrete_emotions,
                primary_emotion = excluded.primary_emotion, confidence = excluded.confidence,
                updated_at = excluded.updated_at
            """)
    }

    func insertFeedback(_ feedback: Feedback) async throws {
        try await execute(
            """
            INSERT INTO feedback (user_id, id, memory_id, query, useful, created_at)
            VALUES (\(feedback.userID), \(feedback.id), \(feedback.memoryID), \(feedback.query), \(feedback.useful),
                \(feedback.createdAt.timestamp))
            """)
    }

    func links(userID: String, sourceID: String, targetID: String, type: LinkType?) async throws -> [Link] {
        try await rows(
            #"""
            SELECT * FROM links WHERE user_id = \#(userID) AND source_id = \#(sourceID) AND target_id = \#(targetID)
                AND (\#(type?.rawValue)::text IS NULL OR type = \#(type?.rawValue))
            ORDER BY type COLLATE "C"
            """#, Decode.link)
    }

    func links(userID: String, touching ids: [String], types: Set<LinkType>) async throws -> [Link] {
        guard !ids.isEmpty else { return [] }
        let typeList = types.map(\.rawValue).sorted()
        return try await rows(
            #"""
            SELECT * FROM links
            WHERE user_id = \#(userID) AND (source_id = ANY(\#(ids)) OR target_id = ANY(\#(ids)))
                AND (cardinality(\#(typeList)::text[]) = 0 OR type = ANY(\#(typeList)))
            ORDER BY weight DESC, id COLLATE "C"
            """#, Decode.link)
    }

    func insertLink(_ link: Link) async throws -> Bool {
        try await changes(
            """
            INSERT INTO links (user_id, id, source_id, target_id, type, weight, origin, traversal_count, metadata,
                created_at)
            VALUES (\(link.userID), \(link.id), \(link.sourceID), \(link.targetID), \(link.type.rawValue),
                \(link.weight), \(link.origin.rawValue), \(link.traversalCount), \(link.metadata.jsonb),
                \(link.createdAt.timestamp))
            ON CONFLICT (user_id, source_id, target_id, type) DO NOTHING
            """) > 0
    }

    func updateLink(_ link: Link) async throws {
        try await execute(
            """
            UPDATE links SET weight = \(link.weight), origin = \(link.origin.rawValue), metadata = \(link.metadata.jsonb)
            WHERE user_id = \(link.userID) AND id = \(link.id)
            """)
    }

    func deleteLink(userID: String, id: String) async throws {
        try await execute("DELETE FROM links WHERE user_id = \(userID) AND id = \(id)")
    }

    func countTraversals(userID: String, _ traversals: [LinkTraversal]) async throws {
        guard !traversals.isEmpty else { return }
        try await execute(
            """
            UPDATE links l SET traversal_count = l.traversal_count + t.count
            FROM unnest(\(traversals.map(\.id))::text[], \(traversals.map(\.count))::bigint[]) AS t(id, count)
            WHERE l.user_id = \(userID) AND l.id = t.id
            """)
    }
}
