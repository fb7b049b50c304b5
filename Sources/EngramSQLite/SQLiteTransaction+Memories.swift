import EngramCore
import Foundation
import GRDB

extension SQLiteTransaction: MemoryRows {
    func memory(userID: String, id: String, forUpdate: Bool) async throws -> Memory? {
        try await run { db in
            try db.row("SELECT * FROM memories WHERE user_id = \(userID) AND id = \(id)").map(Decode.memory)
        }
    }

    func memories(userID: String, ids: [String]) async throws -> [Memory] {
        guard !ids.isEmpty else { return [] }
        return try await run { db in
            try db.rows(
                """
                SELECT * FROM memories
                WHERE user_id = \(userID) AND id IN (SELECT value FROM json_each(\(Column.strings(ids))))
                """
            ).map(Decode.memory)
        }
    }

    func memories(userID: String, filters: RecallFilters, at date: Date, limit: Int, offset: Int) async throws
        -> [Memory]
    {
        try await run { db in
            try db.rows(
                """
                SELECT * FROM memories m WHERE m.user_id = \(userID) \(MemoryFilter.sql(filters, at: date))
                ORDER BY m.created_at DESC, m.seq DESC LIMIT \(limit) OFFSET \(offset)
                """
            ).map(Decode.memory)
        }
    }

    /// One write transaction at a time holds the file, so no lock is needed beyond the transaction itself.
    func rememberTargets(
        userID: String, entityIDs: [String], hashes: [String], validAt date: Date, lockKeys: [String]?
    ) async throws -> [Memory] {
        try await run { db in
            var rows: [Row] = []
            if !entityIDs.isEmpty {
                rows += try db.rows(
                    """
                    SELECT * FROM memories
                    WHERE user_id = \(userID) AND entity_id IN (SELECT value FROM json_each(\(Column.strings(entityIDs))))
                    """)
            }
            if !hashes.isEmpty {
                rows += try db.rows(
                    """
                    SELECT * FROM memories
                    WHERE user_id = \(userID) AND content_hash IN (SELECT value FROM json_each(\(Column.strings(hashes))))
                        AND entity_id IS NULL AND (valid_to IS NULL OR valid_to > \(date.millis))
                    """)
            }
            return try rows.sorted { ($0["created_at"] as Int64, $0["seq"] as Int64) < ($1["created_at"], $1["seq"]) }
                .map(Decode.memory)
        }
    }

    func validMemories(userID: String, at date: Date) async throws -> [Memory] {
        try await run { db in
            try db.rows(
                """
                SELECT * FROM memories WHERE user_id = \(userID) AND (valid_to IS NULL OR valid_to > \(date.millis))
                ORDER BY seq
                """
            ).map(Decode.memory)
        }
    }

    func memories(userID: String, createdBefore date: Date, contextTypes: Set<ContextType>) async throws -> [Memory] {
        let types = Column.strings(contextTypes.map(\.rawValue).sorted())
        return try await run { db in
            try db.rows(
                """
                SELECT * FROM memories WHERE user_id = \(userID) AND created_at < \(date.millis)
                    AND (\(types) = '[]' OR context_type IN (SELECT value FROM json_each(\(types))))
                ORDER BY seq
                """
            ).map(Decode.memory)
        }
    }

    func insertMemories(_ memories: [Memory]) async throws {
        guard !memories.isEmpty else { return }
        let owners = Dictionary(
            memories.map { ($0.userID, driver.ftsOwner($0.userID)) }, uniquingKeysWith: { a, _ in a })
        try await run { db in
            try db.insert(
                Self.insertMemory, rows: memories.map { Self.values(of: $0, ftsOwner: owners[$0.userID] ?? "") })
        }
    }

    static func insert(_ db: Database, _ memory: Memory, ftsOwner: String) throws {
        try db.insert(insertMemory, values(of: memory, ftsOwner: ftsOwner))
    }

    /// A memory's row, in the columns of `insertMemory`.
    private static func values(of memory: Memory, ftsOwner: String) -> [(any DatabaseValueConvertible)?] {
        [
            memory.userID, memory.id, memory.agentID, memory.sessionID, memory.content,
            memory.contentJSON?.jsonText, memory.summary, memory.sector.rawValue, memory.contextType.rawValue,
            memory.salience, memory.importance, memory.strength, memory.decayRate, memory.accessCount,
            memory.lastAccessedAt?.millis, memory.lastReinforcedAt.millis, memory.createdAt.millis,
            memory.updatedAt.millis, memory.validFrom.millis, memory.validTo?.millis, Column.strings(memory.tags),
            Column.strings(memory.keywords), memory.category, memory.metadata.jsonText, memory.entity?.system,
            memory.entity?.id, memory.entity?.type, memory.entityData?.jsonText, memory.entityUpdateCount,
            memory.parentID, memory.isAtomic, Column.strings(memory.sourceMessageIDs), memory.contentHash, ftsOwner,
            memory.visibility.rawValue, memory.parts?.subject, memory.parts?.predicate, memory.parts?.value,
        ]
    }

    private static let insertMemory = InsertStatement(
        "memories",
        [
            "user_id", "id", "agent_id", "session_id", "content", "content_json", "summary", "sector", "context_type",
            "salience", "importance", "strength", "decay_rate", "access_count", "last_accessed_at",
            "last_reinforced_at", "created_at", "updated_at", "valid_from", "valid_to", "tags", "keywords", "category",
            "metadata", "entity_system", "entity_id", "entity_type", "entity_data", "entity_update_count", "parent_id",
            "is_atomic", "source_message_ids", "content_hash", "fts_owner", "visibility", "subject", "predicate",
            "value",
        ])

    func updateMemories(_ memories: [Memory]) async throws {
        guard !memories.isEmpty else { return }
        try await run { db in
            for memory in memories {
                try db.run(
                    """
                    UPDATE memories SET agent_id = \(memory.agentID), session_id = \(memory.sessionID),
                        content = \(memory.content), content_json = \(memory.contentJSON?.jsonText),
                        summary = \(memory.summary), sector = \(memory.sector.rawValue),
                        context_type = \(memory.contextType.rawValue), salience = \(memory.salience),
                        importance = \(memory.importance), strength = \(memory.strength),
                        decay_rate = \(memory.decayRate), access_count = \(memory.accessCount),
                        last_accessed_at = \(memory.lastAccessedAt?.millis),
                        last_reinforced_at = \(memory.lastReinforcedAt.millis), created_at = \(memory.createdAt.millis),
                        updated_at = \(memory.updatedAt.millis), valid_from = \(memory.validFrom.millis),
                        valid_to = \(memory.validTo?.millis), tags = \(Column.strings(memory.tags)),
                        keywords = \(Column.strings(memory.keywords)), category = \(memory.category),
                        metadata = \(memory.metadata.jsonText), entity_system = \(memory.entity?.system),
                        entity_id = \(memory.entity?.id), entity_type = \(memory.entity?.type),
                        entity_data = \(memory.entityData?.jsonText), entity_update_count = \(memory.entityUpdateCount),
                        parent_id = \(memory.parentID), is_atomic = \(memory.isAtomic),
                        source_message_ids = \(Column.strings(memory.sourceMessageIDs)),
                        content_hash = \(memory.contentHash), visibility = \(memory.visibility.rawValue),
                        subject = \(memory.parts?.subject), predicate = \(memory.parts?.predicate),
                        value = \(memory.parts?.value)
                    WHERE user_id = \(memory.userID) AND id = \(memory.id)
                    """)
            }
        }
    }

    func recordAccesses(userID: String, _ accesses: [MemoryAccess]) async throws {
        try await run { db in
            for access in accesses {
                try db.run(
                    """
                    UPDATE memories SET strength = \(access.strength), last_reinforced_at = \(access.at.millis),
                        last_accessed_at = \(access.at.millis), access_count = access_count + \(access.count)
                    WHERE user_id = \(userID) AND id = \(access.id)
                    """)
            }
        }
    }

    func updateStrengths(userID: String, strengths: [(id: String, strength: Double)], at date: Date) async throws {
        let rows = strengths.map { Access(id: $0.id, strength: $0.strength) }
        try await run { db in
            for row in rows {
                try db.run(
                    """
                    UPDATE memories SET strength = \(row.strength), last_reinforced_at = \(date.millis)
                    WHERE user_id = \(userID) AND id = \(row.id)
                    """)
            }
        }
    }

    func clearParent(userID: String, parentID: String) async throws {
        try await run { db in
            try db.run("UPDATE memories SET parent_id = NULL WHERE user_id = \(userID) AND parent_id = \(parentID)")
        }
    }

    func deleteMemory(userID: String, id: String) async throws {
        try await willChangeVectors(of: userID)
        let seq = try await run { db -> Int64? in
            let seq = try db.value("SELECT seq FROM memories WHERE user_id = \(userID) AND id = \(id)", as: Int64.self)
            try db.run("DELETE FROM memories WHERE user_id = \(userID) AND id = \(id)")
            return seq
        }
        if let seq { recordVectors(of: userID, removals: [seq]) }
    }

    func emotion(userID: String, memoryID: String) async throws -> Emotion? {
        try await run { db in
            try db.row("SELECT * FROM emotions WHERE user_id = \(userID) AND memory_id = \(memoryID)")
                .map(Decode.emotion)
        }
    }

    func upsertEmotion(_ emotion: Emotion) async throws {
        try await run { db in try Self.upsert(db, emotion) }
    }

    static func upsert(_ db: Database, _ emotion: Emotion) throws {
        let discrete = JSONValue.object(emotion.discreteEmotions.mapValues(JSONValue.number)).jsonText
        try db.run(
            """
            INSERT INTO emotions (user_id, memory_id, valence, arousal, dominance, discrete_emotions, primary_emotion,
                confidence, updated_at)
            VALUES (\(emotion.userID), \(emotion.memoryID), \(emotion.valence), \(emotion.arousal), \(emotion.dominance),
                \(discrete), \(emotion.primaryEmotion), \(emotion.confidence), \(emotion.updatedAt.millis))
            ON CONFLICT (user_id, memory_id) DO UPDATE SET valence = excluded.valence, arousal = excluded.arousal,
                dominance = excluded.dominance, discrete_emotions = excluded.discrete_emotions,
                primary_emotion = excluded.primary_emotion, confidence = excluded.confidence,
                updated_at = excluded.updated_at
            """)
    }

    func insertFeedback(_ feedback: Feedback) async throws {
        try await run { db in try Self.insert(db, feedback) }
    }

    static func insert(_ db: Database, _ feedback: Feedback) throws {
        try db.run(
            """
            INSERT INTO feedback (user_id, id, memory_id, query, useful, created_at)
            VALUES (\(feedback.userID), \(feedback.id), \(feedback.memoryID), \(feedback.query), \(feedback.useful),
                \(feedback.createdAt.millis))
            """)
    }

    func links(userID: String, sourceID: String, targetID: String, type: LinkType?) async throws -> [Link] {
        try await run { db in
            try db.rows(
                """
                SELECT * FROM links WHERE user_id = \(userID) AND source_id = \(sourceID) AND target_id = \(targetID)
                    AND (\(type?.rawValue) IS NULL OR type = \(type?.rawValue))
                ORDER BY type
                """
            ).map(Decode.link)
        }
    }

    func links(userID: String, touching ids: [String], types: Set<LinkType>) async throws -> [Link] {
        guard !ids.isEmpty else { return [] }
        let idList = Column.strings(ids)
        let typeList = Column.strings(types.map(\.rawValue).sorted())
        // Two index searches (by source, by target) instead of one OR that scans the user's links.
        return try await run { db in
            try db.rows(
                """
                SELECT * FROM (
                    SELECT * FROM links WHERE user_id = \(userID) AND source_id IN (SELECT value FROM json_each(\(idList)))
                    UNION
                    SELECT * FROM links WHERE user_id = \(userID) AND target_id IN (SELECT value FROM json_each(\(idList)))
                )
                WHERE \(typeList) = '[]' OR type IN (SELECT value FROM json_each(\(typeList)))
                ORDER BY weight DESC, id
                """
            ).map(Decode.link)
        }
    }

    func insertLink(_ link: Link) async throws -> Bool {
        try await run { db in
            try Self.insert(db, link, onConflict: "ON CONFLICT (user_id, source_id, target_id, type) DO NOTHING") > 0
        }
    }

    @discardableResult
    static func insert(_ db: Database, _ link: Link, onConflict: String = "") throws -> Int {
        try db.run(
            """
            INSERT INTO links (user_id, id, source_id, target_id, type, weight, origin, traversal_count, metadata,
                created_at)
            VALUES (\(link.userID), \(link.id), \(link.sourceID), \(link.targetID), \(link.type.rawValue), \(link.weight),
                \(link.origin.rawValue), \(link.traversalCount), \(link.metadata.jsonText), \(link.createdAt.millis))
            \(sql: onConflict)
            """)
    }

    func updateLink(_ link: Link) async throws {
        try await run { db in
            try db.run(
                """
                UPDATE links SET weight = \(link.weight), origin = \(link.origin.rawValue),
                    metadata = \(link.metadata.jsonText)
                WHERE user_id = \(link.userID) AND id = \(link.id)
                """)
        }
    }

    func deleteLink(userID: String, id: String) async throws {
        try await run { db in try db.run("DELETE FROM links WHERE user_id = \(userID) AND id = \(id)") }
    }

    func countTraversals(userID: String, _ traversals: [LinkTraversal]) async throws {
        try await run { db in
            for traversal in traversals {
                try db.run(
                    """
                    UPDATE links SET traversal_count = traversal_count + \(traversal.count)
                    WHERE user_id = \(userID) AND id = \(traversal.id)
                    """)
            }
        }
    }
}

/// A memory's new strength, as a `Sendable` value for a job.
private struct Access: Sendable {
    var id: String
    var strength: Double
}
