import EngramCore
import Foundation
import PostgresNIO

extension PostgresTransaction: RecordRows {
    /// Takes the user's audit-trail lock first (a transaction-scoped advisory lock, held until commit), so that
    /// concurrent transactions of one user number their audit lines in turn.
    func lastAuditID(userID: String) async throws -> Int64 {
        let key = "engram.audit.\(driver.postgres.schema).\(userID)"
        try await execute("SELECT pg_advisory_xact_lock(hashtext(\(key)))")
        return Int64(try await integer("SELECT max(id) FROM audit_log WHERE user_id = \(userID)"))
    }

    /// Multi-row statements of up to 1,000 lines.
    func insertAuditEntries(_ entries: [AuditEntry]) async throws {
        for chunk in entries.indices.chunked(by: 1_000) {
            var query = PostgresQuery(
                unsafeSQL: """
                    INSERT INTO audit_log (user_id, id, actor, action, target_type, target_id, before_digest,
                        after_digest, reason, created_at) VALUES
                    """)
            for index in chunk {
                let entry = entries[index]
                query.sql += index == chunk.lowerBound ? " " : ", "
                query.sql += try query.row(
                    entry.userID, entry.id, entry.actor, entry.action, entry.targetType, entry.targetID,
                    entry.beforeDigest, entry.afterDigest, entry.reason, entry.createdAt.timestamp)
            }
            try await execute(query)
        }
    }

    func auditEntries(userID: String, before: Int64?, limit: Int) async throws -> [AuditEntry] {
        try await rows(
            """
            SELECT * FROM audit_log WHERE user_id = \(userID) AND (\(before)::int8 IS NULL OR id < \(before))
            ORDER BY id DESC LIMIT \(limit)
            """, Decode.audit)
    }

    func statisticsCounts(userID: String, at date: Date) async throws -> StatisticsCounts {
        var counts = StatisticsCounts()
        let scalars = try await first(
            """
            SELECT (SELECT count(*) FROM memories WHERE user_id = \(userID)),
                (SELECT count(*) FROM memories WHERE user_id = \(userID) AND entity_id IS NOT NULL),
                (SELECT count(*) FROM embeddings WHERE user_id = \(userID)),
                (SELECT count(*) FROM links WHERE user_id = \(userID)),
                (SELECT count(*) FROM sessions WHERE user_id = \(userID)),
                (SELECT count(*) FROM messages WHERE user_id = \(userID)),
                (SELECT count(*) FROM working_facts WHERE user_id = \(userID) AND expires_at > \(date.timestamp)),
                (SELECT count(*) FROM emotions WHERE user_id = \(userID)),
                (SELECT count(*) FROM feedback WHERE user_id = \(userID))
            """
        ) { try $0.decode((Int, Int, Int, Int, Int, Int, Int, Int, Int).self) }
        if let scalars {
            (
                counts.memories, counts.entities, counts.embeddings, counts.links, counts.sessions, counts.messages,
                counts.activeWorkingFacts, counts.emotions, counts.feedback
            ) = scalars
        }
        func grouped(_ query: PostgresQuery) async throws -> [String: Int] {
            Dictionary(try await rows(query) { try $0.decode((String, Int).self) }, uniquingKeysWith: +)
        }
        counts.memoriesBySector = try await grouped(
            "SELECT sector, count(*) FROM memories WHERE user_id = \(userID) GROUP BY sector")
        counts.memoriesByContextType = try await grouped(
            "SELECT context_type, count(*) FROM memories WHERE user_id = \(userID) GROUP BY context_type")
        counts.linksByType = try await grouped(
            "SELECT type, count(*) FROM links WHERE user_id = \(userID) GROUP BY type")
        return counts
    }

    func memoryVitals(userID: String) async throws -> [MemoryVitals] {
        try await rows(
            """
            SELECT salience, strength, decay_rate, last_reinforced_at, created_at, valid_to FROM memories
            WHERE user_id = \(userID)
            """
        ) { row in
            let (salience, strength, rate, reinforced, created, validTo) = try row.decode(
                (Double, Double, Double, Timestamp, Timestamp, Timestamp?).self)
            return MemoryVitals(
                salience: salience, strength: strength, decayRate: rate, lastReinforcedAt: reinforced.date,
                createdAt: created.date, validTo: validTo?.date)
        }
    }

    /// Within a table, by time then key in byte order (`COLLATE "C"`, as SQLite compares), memories by row number:
    /// the same order on every backend, so that exports compare line by line.
    func exportRows(of table: StorageTable, userID: String) async throws -> [ExportRecord] {
        switch table {
        case .users:
            return try await rows("SELECT * FROM users WHERE id = \(userID)") { .user(try Decode.user($0)) }
        case .agents:
            return try await rows(
                #"SELECT * FROM agents WHERE user_id = \#(userID) ORDER BY created_at, id COLLATE "C""#
            ) { .agent(try Decode.agent($0)) }
        case .modules:
            return try await rows(
                #"SELECT * FROM modules WHERE user_id = \#(userID) ORDER BY created_at, id COLLATE "C""#
            ) { .module(try Decode.module($0)) }
        case .sessions:
            return try await rows(
                #"SELECT * FROM sessions WHERE user_id = \#(userID) ORDER BY created_at, id COLLATE "C""#
            ) { .session(try Decode.session($0)) }
        case .messages:
            return try await rows(
                #"""
                SELECT * FROM messages WHERE user_id = \#(userID)
                ORDER BY created_at, session_id COLLATE "C", sequence, id COLLATE "C"
                """#
            ) { .message(try Decode.message($0)) }
        case .workingFacts:
            return try await rows(
                #"SELECT * FROM working_facts WHERE user_id = \#(userID) ORDER BY created_at, id COLLATE "C""#
            ) { .workingFact(try Decode.fact($0)) }
        case .memories:
            return try await rows(
                "SELECT \(unescaped: Decode.memoryColumns) FROM memories WHERE user_id = \(userID) ORDER BY seq"
            ) { .memory(try Decode.memory($0)) }
        case .embeddings:
            return try await rows(
                #"""
                SELECT e.* FROM embeddings e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                WHERE e.user_id = \#(userID) ORDER BY m.seq, e.sector COLLATE "C", e.model COLLATE "C", e.dimension
                """#
            ) { .embedding(try Decode.embedding($0)) }
        case .links:
            return try await rows(
                #"SELECT * FROM links WHERE user_id = \#(userID) ORDER BY created_at, id COLLATE "C""#
            ) { .link(try Decode.link($0)) }
        case .emotions:
            return try await rows(
                """
                SELECT e.* FROM emotions e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                WHERE e.user_id = \(userID) ORDER BY m.seq
                """
            ) { .emotion(try Decode.emotion($0)) }
        case .sessionState:
            return try await rows(
                #"""
                SELECT * FROM session_state WHERE user_id = \#(userID)
                ORDER BY created_at, session_id COLLATE "C", agent_id COLLATE "C", module COLLATE "C", key COLLATE "C"
                """#
            ) { .sessionState(try Decode.state($0)) }
        case .entityAliases:
            return try await rows(
                #"""
                SELECT a.user_id, a.alias, a.memory_id, a.created_at FROM entity_aliases a
                JOIN memories m ON m.user_id = a.user_id AND m.id = a.memory_id
                WHERE a.user_id = \#(userID) ORDER BY m.seq, a.alias COLLATE "C"
                """#
            ) { row in
                let c = Columns(row)
                return .entityAlias(
                    EntityAlias(
                        userID: try c["user_id"], alias: try c["alias"], memoryID: try c["memory_id"],
                        createdAt: try c.date("created_at")))
            }
        case .feedback:
            return try await rows(
                #"SELECT * FROM feedback WHERE user_id = \#(userID) ORDER BY created_at, id COLLATE "C""#
            ) { .feedback(try Decode.feedback($0)) }
        case .auditLog:
            return try await rows("SELECT * FROM audit_log WHERE user_id = \(userID) ORDER BY id") {
                .audit(try Decode.audit($0))
            }
        case .apiKeys:
            return []  // Credentials, not memory: never exported.
        }
    }

    /// Memories, vectors and audit lines go in multi-row statements; other rows one by one.
    func importRows(_ records: ArraySlice<ExportRecord>) async throws {
        var memories: [Memory] = []
        var embeddings: [StoredEmbedding] = []
        var aliases: [EntityAlias] = []
        var entries: [AuditEntry] = []
        for record in records {
            switch record {
            case .user(let user):
                try await execute(
                    """
                    INSERT INTO users (id, name, role, info, created_at, updated_at, last_activity_at)
                    VALUES (\(user.id), \(user.name), \(user.role.rawValue), \(user.info.jsonb),
                        \(user.createdAt.timestamp), \(user.updatedAt.timestamp), \(user.lastActivityAt.timestamp))
                    """)
            case .agent(let agent): try await insertAgent(agent)
            case .module(let module): try await insertModule(module)
            case .session(let session): try await insertSession(session)
            case .message(let message): try await insertMessage(message)
            case .workingFact(let fact): try await insertFact(fact)
            case .memory(let memory): memories.append(memory)
            case .embedding(let embedding): embeddings.append(embedding)
            case .link(let link):
                guard try await insertLink(link) else {
                    throw EngramError(.alreadyExists, "A row with the same key already exists; nothing was written.")
                }
            case .emotion(let emotion): try await upsertEmotion(emotion)
            case .sessionState(let state): try await insert(state)
            case .feedback(let feedback): try await insertFeedback(feedback)
            case .entityAlias(let alias): aliases.append(alias)
            case .audit(let entry): entries.append(entry)
            }
        }
        try await insertMemories(memories)
        for alias in aliases {
            try await execute(
                """
                INSERT INTO entity_aliases (user_id, alias, memory_id, created_at)
                VALUES (\(alias.userID), \(alias.alias), \(alias.memoryID), \(alias.createdAt.timestamp))
                """)
        }
        try await insertEmbeddings(embeddings)
        try await insertAuditEntries(entries)
    }

    func deleteRows(of table: StorageTable, userID: String) async throws -> Int {
        if table == .users {
            return try await changes("DELETE FROM users WHERE id = \(userID)")
        }
        return try await changes("DELETE FROM \(unescaped: table.rawValue) WHERE user_id = \(userID)")
    }

    /// Nothing to do beyond the `DELETE`s: the deleted rows are dead tuples, unreadable through SQL at once and
    /// overwritten once `VACUUM` (or autovacuum) reclaims their space; the write-ahead log keeps them until it is
    /// recycled.
    func scrubDeletedData() async throws {}

    /// Foreign keys prevent orphans here, but rows written around them (say, with triggers disabled during a bulk
    /// load) are cleaned up the same way as on SQLite.
    func deleteOrphans(userID: String) async throws -> [ExportRecord] {
        var removed: [ExportRecord] = []
        for (table, column) in StorageTable.memoryReferences {
            removed += try await rows(
                """
                DELETE FROM \(unescaped: table.rawValue) t WHERE t.user_id = \(userID) AND NOT EXISTS
                    (SELECT 1 FROM memories m WHERE m.user_id = t.user_id AND m.id = t.\(unescaped: column))
                RETURNING t.*
                """
            ) { try Decode.orphan(of: table, $0) }
        }
        for table in StorageTable.sessionReferences {
            removed += try await rows(
                """
                DELETE FROM \(unescaped: table.rawValue) t WHERE t.user_id = \(userID) AND t.session_id IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = t.user_id AND s.id = t.session_id)
                RETURNING t.*
                """
            ) { try Decode.orphan(of: table, $0) }
        }
        removed += try await rows(
            """
            SELECT \(unescaped: Decode.memoryColumns) FROM memories c WHERE c.user_id = \(userID)
                AND c.parent_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM memories p WHERE p.user_id = c.user_id AND p.id = c.parent_id)
            FOR UPDATE
            """
        ) { .memory(try Decode.memory($0)) }
        try await execute(
            """
            UPDATE memories c SET parent_id = NULL WHERE c.user_id = \(userID) AND c.parent_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM memories p WHERE p.user_id = c.user_id AND p.id = c.parent_id)
            """)
        return removed
    }
}

extension Decode: OrphanRowDecoding {}
