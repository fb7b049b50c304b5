import EngramCore
import Foundation
import GRDB

extension SQLiteTransaction: RecordRows {
    func lastAuditID(userID: String) async throws -> Int64 {
        try await run { db in
            try db.value("SELECT max(id) FROM audit_log WHERE user_id = \(userID)", as: Int64.self) ?? 0
        }
    }

    func insertAuditEntries(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await run { db in try db.insert(Self.insertAudit, rows: entries.map(Self.values)) }
    }

    static func insert(_ db: Database, _ entry: AuditEntry) throws {
        try db.insert(insertAudit, values(of: entry))
    }

    /// An audit line's row, in the columns of `insertAudit`.
    private static func values(of entry: AuditEntry) -> [(any DatabaseValueConvertible)?] {
        [
            entry.userID, entry.id, entry.actor, entry.action, entry.targetType, entry.targetID, entry.beforeDigest,
            entry.afterDigest, entry.reason, entry.createdAt.millis,
        ]
    }

    private static let insertAudit = InsertStatement(
        "audit_log",
        [
            "user_id", "id", "actor", "action", "target_type", "target_id", "before_digest", "after_digest", "reason",
            "created_at",
        ])

    func auditEntries(userID: String, before: Int64?, limit: Int) async throws -> [AuditEntry] {
        try await run { db in
            try db.rows(
                """
                SELECT * FROM audit_log WHERE user_id = \(userID) AND (\(before) IS NULL OR id < \(before))
                ORDER BY id DESC LIMIT \(limit)
                """
            ).map(Decode.audit)
        }
    }

    func statisticsCounts(userID: String, at date: Date) async throws -> StatisticsCounts {
        try await run { db in
            func count(_ sql: SQL) throws -> Int { try db.value(sql, as: Int.self) ?? 0 }
            func grouped(_ sql: SQL) throws -> [String: Int] {
                Dictionary(try db.rows(sql).map { ($0[0], $0[1]) }, uniquingKeysWith: +)
            }
            var counts = StatisticsCounts()
            counts.memories = try count("SELECT count(*) FROM memories WHERE user_id = \(userID)")
            counts.memoriesBySector = try grouped(
                "SELECT sector, count(*) FROM memories WHERE user_id = \(userID) GROUP BY sector")
            counts.memoriesByContextType = try grouped(
                "SELECT context_type, count(*) FROM memories WHERE user_id = \(userID) GROUP BY context_type")
            counts.entities = try count(
                "SELECT count(*) FROM memories WHERE user_id = \(userID) AND entity_id IS NOT NULL")
            counts.embeddings = try count("SELECT count(*) FROM embeddings WHERE user_id = \(userID)")
            counts.links = try count("SELECT count(*) FROM links WHERE user_id = \(userID)")
            counts.linksByType = try grouped("SELECT type, count(*) FROM links WHERE user_id = \(userID) GROUP BY type")
            counts.sessions = try count("SELECT count(*) FROM sessions WHERE user_id = \(userID)")
            counts.messages = try count("SELECT count(*) FROM messages WHERE user_id = \(userID)")
            counts.activeWorkingFacts = try count(
                "SELECT count(*) FROM working_facts WHERE user_id = \(userID) AND expires_at > \(date.millis)")
            counts.emotions = try count("SELECT count(*) FROM emotions WHERE user_id = \(userID)")
            counts.feedback = try count("SELECT count(*) FROM feedback WHERE user_id = \(userID)")
            return counts
        }
    }

    func memoryVitals(userID: String) async throws -> [MemoryVitals] {
        try await run { db in
            try db.rows(
                """
                SELECT salience, strength, decay_rate, last_reinforced_at, created_at, valid_to FROM memories
                WHERE user_id = \(userID)
                """
            ).map {
                MemoryVitals(
                    salience: $0[0], strength: $0[1], decayRate: $0[2], lastReinforcedAt: Date(millis: $0[3]),
                    createdAt: Date(millis: $0[4]), validTo: ($0[5] as Int64?).map(Date.init(millis:)))
            }
        }
    }

    func exportRows(of table: StorageTable, userID: String) async throws -> [ExportRecord] {
        try await run { db in
            // Within a table, by time then key (memories in insertion order): the same order on every backend, so
            // that exports compare line by line.
            switch table {
            case .users:
                return try db.rows("SELECT * FROM users WHERE id = \(userID)").map { .user(try Decode.user($0)) }
            case .agents:
                return try db.rows("SELECT * FROM agents WHERE user_id = \(userID) ORDER BY created_at, id")
                    .map { .agent(try Decode.agent($0)) }
            case .modules:
                return try db.rows("SELECT * FROM modules WHERE user_id = \(userID) ORDER BY created_at, id")
                    .map { .module(try Decode.module($0)) }
            case .sessions:
                return try db.rows("SELECT * FROM sessions WHERE user_id = \(userID) ORDER BY created_at, id")
                    .map { .session(try Decode.session($0)) }
            case .messages:
                return try db.rows(
                    "SELECT * FROM messages WHERE user_id = \(userID) ORDER BY created_at, session_id, sequence, id"
                ).map { .message(try Decode.message($0)) }
            case .workingFacts:
                return try db.rows("SELECT * FROM working_facts WHERE user_id = \(userID) ORDER BY created_at, id")
                    .map { .workingFact(try Decode.fact($0)) }
            case .memories:
                return try db.rows("SELECT * FROM memories WHERE user_id = \(userID) ORDER BY seq")
                    .map { .memory(try Decode.memory($0)) }
            case .entityAliases:
                return try db.rows(
                    """
                    SELECT a.* FROM entity_aliases a JOIN memories m ON m.user_id = a.user_id AND m.id = a.memory_id
                    WHERE a.user_id = \(userID) ORDER BY m.seq, a.alias
                    """
                ).map {
                    .entityAlias(
                        EntityAlias(
                            userID: $0["user_id"], alias: $0["alias"], memoryID: $0["memory_id"],
                            createdAt: Column.date($0, "created_at")))
                }
            case .embeddings:
                return try db.rows(
                    """
                    SELECT e.* FROM embeddings e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                    WHERE e.user_id = \(userID) ORDER BY m.seq, e.sector, e.model, e.dimension
                    """
                ).map { .embedding(try Decode.embedding($0)) }
            case .links:
                return try db.rows("SELECT * FROM links WHERE user_id = \(userID) ORDER BY created_at, id")
                    .map { .link(try Decode.link($0)) }
            case .emotions:
                return try db.rows(
                    """
                    SELECT e.* FROM emotions e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                    WHERE e.user_id = \(userID) ORDER BY m.seq
                    """
                ).map { .emotion(try Decode.emotion($0)) }
            case .sessionState:
                return try db.rows(
                    """
                    SELECT * FROM session_state WHERE user_id = \(userID)
                    ORDER BY created_at, session_id, agent_id, module, key
                    """
                ).map { .sessionState(try Decode.state($0)) }
            case .feedback:
                return try db.rows("SELECT * FROM feedback WHERE user_id = \(userID) ORDER BY created_at, id")
                    .map { .feedback(try Decode.feedback($0)) }
            case .auditLog:
                return try db.rows("SELECT * FROM audit_log WHERE user_id = \(userID) ORDER BY id")
                    .map { .audit(try Decode.audit($0)) }
            case .apiKeys:
                return []  // Credentials, not memory: never exported.
            }
        }
    }

    func importRows(_ records: ArraySlice<ExportRecord>) async throws {
        let records = Array(records)
        let owners = Dictionary(
            Set(records.map(\.userID)).map { ($0, driver.ftsOwner($0)) }, uniquingKeysWith: { a, _ in a })
        for userID in owners.keys { invalidateVectors(of: userID) }
        try await run { db in
            for record in records {
                switch record {
                case .user(let user):
                    try db.run(
                        """
                        INSERT INTO users (id, name, role, info, created_at, updated_at, last_activity_at)
                        VALUES (\(user.id), \(user.name), \(user.role.rawValue), \(user.info.jsonText),
                            \(user.createdAt.millis), \(user.updatedAt.millis), \(user.lastActivityAt.millis))
                        """)
                case .agent(let agent): try Self.insert(db, agent)
                case .module(let module): try Self.insert(db, module)
                case .session(let session): try Self.insert(db, session)
                case .message(let message): try Self.insert(db, message)
                case .workingFact(let fact): try Self.insert(db, fact)
                case .memory(let memory): try Self.insert(db, memory, ftsOwner: owners[memory.userID] ?? "")
                case .embedding(let embedding): try Self.insert(db, embedding)
                case .link(let link): try Self.insert(db, link)
                case .emotion(let emotion): try Self.upsert(db, emotion)
                case .sessionState(let state): try Self.insert(db, state)
                case .feedback(let feedback): try Self.insert(db, feedback)
                case .entityAlias(let alias):
                    try db.run(
                        """
                        INSERT INTO entity_aliases (user_id, alias, memory_id, created_at)
                        VALUES (\(alias.userID), \(alias.alias), \(alias.memoryID), \(alias.createdAt.millis))
                        """)
                case .audit(let entry): try Self.insert(db, entry)
                }
            }
        }
    }

    func deleteRows(of table: StorageTable, userID: String) async throws -> Int {
        invalidateVectors(of: userID)
        return try await run { db in
            table == .users
                ? try db.run("DELETE FROM users WHERE id = \(userID)")
                : try db.run("DELETE FROM \(sql: table.rawValue) WHERE user_id = \(userID)")
        }
    }

    func scrubDeletedData() async throws {
        // Rewrite the full-text index without the deleted rows' terms; with secure_delete on, the freed pages are
        // zeroed. The write-ahead log is truncated after commit.
        try await run { db in try db.run("INSERT INTO memories_fts (memories_fts) VALUES ('optimize')") }
        checkpointsAfterCommit = true
    }

    func deleteOrphans(userID: String) async throws -> [ExportRecord] {
        invalidateVectors(of: userID)
        return try await run { db in
            var removed: [ExportRecord] = []
            for (table, column) in StorageTable.memoryReferences {
                let name = table.rawValue
                removed += try db.rows(
                    """
                    DELETE FROM \(sql: name) WHERE user_id = \(userID) AND NOT EXISTS (SELECT 1 FROM memories m
                        WHERE m.user_id = \(sql: name).user_id AND m.id = \(sql: name).\(sql: column))
                    RETURNING *
                    """
                ).map { try Decode.orphan(of: table, $0) }
            }
            for table in StorageTable.sessionReferences {
                let name = table.rawValue
                removed += try db.rows(
                    """
                    DELETE FROM \(sql: name) WHERE user_id = \(userID) AND session_id IS NOT NULL AND NOT EXISTS
                        (SELECT 1 FROM sessions s WHERE s.user_id = \(sql: name).user_id AND s.id = \(sql: name).session_id)
                    RETURNING *
                    """
                ).map { try Decode.orphan(of: table, $0) }
            }
            let dangling: SQL = """
                user_id = \(userID) AND parent_id IS NOT NULL AND NOT EXISTS
                    (SELECT 1 FROM memories p WHERE p.user_id = memories.user_id AND p.id = memories.parent_id)
                """
            removed += try db.rows("SELECT * FROM memories WHERE \(dangling)").map { .memory(try Decode.memory($0)) }
            _ = try db.run("UPDATE memories SET parent_id = NULL WHERE \(dangling)")
            return removed
        }
    }
}

extension Decode: OrphanRowDecoding {}
