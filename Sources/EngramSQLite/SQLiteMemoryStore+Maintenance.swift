import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
    public func statistics(userID: String) async throws -> UserStatistics {
        let userID = try validator.identifier(userID, field: "user id")
        let date = now()
        let decay = configuration.decay
        return try await read { db in
            let user = try self.fetchUser(db, userID)
            func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
                var all: StatementArguments = [userID]
                all += arguments
                return try Int.fetchOne(db, cached: sql, arguments: all) ?? 0
            }
            func grouped(_ sql: String) throws -> [String: Int] {
                var result: [String: Int] = [:]
                for row in try Row.fetchAll(db, cached: sql, arguments: [userID]) { result[row[0]] = row[1] }
                return result
            }
            var valid = 0
            var salienceSum = 0.0
            var strengthSum = 0.0
            var oldest: Int64?
            var newest: Int64?
            let rows = try Row.fetchCursor(
                db,
                cached: """
                    SELECT salience, strength, decay_rate, last_reinforced_at, created_at, valid_from, valid_to
                    FROM memories WHERE user_id = ?
                    """,
                arguments: [userID])
            while let row = try rows.next() {
                let created: Int64 = row["created_at"]
                oldest = min(oldest ?? created, created)
                newest = max(newest ?? created, created)
                if let validTo = row["valid_to"] as Int64?, validTo <= date.millis { continue }
                valid += 1
                salienceSum += row["salience"]
                strengthSum += DecayPolicy.strength(
                    row["strength"], rate: row["decay_rate"], since: Column.date(row, "last_reinforced_at"), at: date)
            }
            _ = decay
            return UserStatistics(
                userID: userID,
                memories: try count("SELECT count(*) FROM memories WHERE user_id = ?"),
                validMemories: valid,
                memoriesBySector: try grouped(
                    "SELECT sector, count(*) FROM memories WHERE user_id = ? GROUP BY sector"),
                memoriesByContextType: try grouped(
                    "SELECT context_type, count(*) FROM memories WHERE user_id = ? GROUP BY context_type"),
                entities: try count("SELECT count(*) FROM memories WHERE user_id = ? AND entity_id IS NOT NULL"),
                embeddings: try count("SELECT count(*) FROM embeddings WHERE user_id = ?"),
                links: try count("SELECT count(*) FROM links WHERE user_id = ?"),
                linksByType: try grouped("SELECT type, count(*) FROM links WHERE user_id = ? GROUP BY type"),
                sessions: try count("SELECT count(*) FROM sessions WHERE user_id = ?"),
                messages: try count("SELECT count(*) FROM messages WHERE user_id = ?"),
                activeWorkingFacts: try count(
                    "SELECT count(*) FROM working_facts WHERE user_id = ? AND expires_at > ?", [date.millis]),
                emotions: try count("SELECT count(*) FROM emotions WHERE user_id = ?"),
                feedback: try count("SELECT count(*) FROM feedback WHERE user_id = ?"),
                averageSalience: valid > 0 ? salienceSum / Double(valid) : 0,
                averageStrength: valid > 0 ? strengthSum / Double(valid) : 0,
                oldestMemoryAt: oldest.map(Date.init(millis:)),
                newestMemoryAt: newest.map(Date.init(millis:)),
                lastActivityAt: user.lastActivityAt)
        }
    }

    public func auditLog(userID: String, limit: Int) async throws -> [AuditEntry] {
        let userID = try validator.identifier(userID, field: "user id")
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        return try await read { db in
            try self.requireUser(db, userID)
            return try Row.fetchAll(
                db, cached: "SELECT * FROM audit_log WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                arguments: [userID, limit]
            ).map(Decode.audit)
        }
    }

    public func maintain(userID: String, options: MaintenanceOptions) async throws -> MaintenanceReport {
        let userID = try validator.identifier(userID, field: "user id")
        let retention = try options.messageRetention.map { try validator.duration($0, field: "message retention") }
        let purgeAge = try options.purgeOlderThan.map { try validator.duration($0, field: "purge age") }
        let date = now()
        var report = MaintenanceReport()
        _ = try await read { db in try self.requireUser(db, userID) }
        if options.decaySweep {
            (report.decayed, report.forgotten) = try await write { db in try self.decaySweep(db, userID, at: date) }
        }
        if options.expireWorkingFacts {
            report.expiredWorkingFacts = try await write { db in
                try db.run(
                    sql: "DELETE FROM working_facts WHERE user_id = ? AND expires_at <= ?",
                    arguments: [userID, date.millis])
                return db.changesCount
            }
        }
        if let retention {
            report.expiredMessages = try await write { db in
                try db.run(
                    sql: "DELETE FROM messages WHERE user_id = ? AND created_at < ?",
                    arguments: [userID, date.addingTimeInterval(-retention).millis])
                return db.changesCount
            }
        }
        if options.removeOrphans {
            report.removedOrphans = try await write { db in try self.removeOrphans(db, userID) }
        }
        if let purgeAge {
            let types = options.purgeContextTypes.map(\.rawValue).sorted()
            report.purged = try await write { db in
                let doomed = try Row.fetchAll(
                    db,
                    cached: """
                        SELECT * FROM memories WHERE user_id = ? AND created_at < ?
                            AND (? = '[]' OR context_type IN (SELECT value FROM json_each(?)))
                        """,
                    arguments: [
                        userID, date.addingTimeInterval(-purgeAge).millis, Column.strings(types), Column.strings(types),
                    ]
                ).map(Decode.memory)
                for memory in doomed {
                    try db.run(
                        sql: "UPDATE memories SET parent_id = NULL WHERE user_id = ? AND parent_id = ?",
                        arguments: [userID, memory.id])
                    try db.run(
                        sql: "DELETE FROM memories WHERE user_id = ? AND id = ?", arguments: [userID, memory.id])
                    try self.audit(
                        db, userID: userID, action: "memory.purge", targetType: "memory", targetID: memory.id,
                        before: memory, after: Nothing?.none, at: date)
                }
                return doomed.count
            }
        }
        if report.purged > 0 || report.removedOrphans > 0 { vectors.invalidate(userID: userID) }
        // Refresh the query planner's statistics now that the tables have grown or shrunk.
        try await write { db in try db.run(sql: "PRAGMA optimize") }
        logger.info(
            "maintenance",
            metadata: [
                "decayed": "\(report.decayed)", "forgotten": "\(report.forgotten)", "purged": "\(report.purged)",
            ])
        return report
    }

    /// Writes decayed strengths back and soft-forgets memories below the threshold.
    private func decaySweep(_ db: Database, _ userID: String, at date: Date) throws -> (Int, Int) {
        let memories = try Row.fetchAll(
            db, cached: "SELECT * FROM memories WHERE user_id = ? AND (valid_to IS NULL OR valid_to > ?)",
            arguments: [userID, date.millis]
        ).map(Decode.memory)
        var decayed = 0
        var forgotten = 0
        for memory in memories {
            let current = configuration.decay.currentStrength(of: memory, at: date)
            if current < configuration.decay.forgetThreshold {
                var after = memory
                after.strength = current
                after.lastReinforcedAt = date
                after.validTo = date
                after.updatedAt = date
                try updateMemoryRow(db, after)
                try audit(
                    db, userID: userID, action: "memory.decay_forget", targetType: "memory", targetID: memory.id,
                    before: memory, after: after, at: date)
                forgotten += 1
            } else if memory.strength - current >= 1e-4 {  // skip rewriting rows for negligible decay
                try db.run(
                    sql: "UPDATE memories SET strength = ?, last_reinforced_at = ? WHERE user_id = ? AND id = ?",
                    arguments: [current, date.millis, userID, memory.id])
                decayed += 1
            }
        }
        return (decayed, forgotten)
    }

    /// Rows whose memory or session is gone (possible after manual edits or imports with foreign keys off).
    private func removeOrphans(_ db: Database, _ userID: String) throws -> Int {
        var removed = 0
        let memoryChildren = [
            ("embeddings", "memory_id"), ("emotions", "memory_id"), ("feedback", "memory_id"), ("links", "source_id"),
            ("links", "target_id"),
        ]
        for (table, column) in memoryChildren {
            try db.run(
                sql: """
                    DELETE FROM \(table) WHERE user_id = ? AND NOT EXISTS
                        (SELECT 1 FROM memories m WHERE m.user_id = \(table).user_id AND m.id = \(table).\(column))
                    """,
                arguments: [userID])
            removed += db.changesCount
        }
        for table in ["messages", "session_state", "working_facts"] {
            try db.run(
                sql: """
                    DELETE FROM \(table) WHERE user_id = ? AND session_id IS NOT NULL AND NOT EXISTS
                        (SELECT 1 FROM sessions s WHERE s.user_id = \(table).user_id AND s.id = \(table).session_id)
                    """,
                arguments: [userID])
            removed += db.changesCount
        }
        try db.run(
            sql: """
                UPDATE memories SET parent_id = NULL WHERE user_id = ? AND parent_id IS NOT NULL AND NOT EXISTS
                    (SELECT 1 FROM memories p WHERE p.user_id = memories.user_id AND p.id = memories.parent_id)
                """,
            arguments: [userID])
        removed += db.changesCount
        return removed
    }

    public func health() async -> StoreHealth {
        do {
            return try await pool.read { db in
                let applied = try SQLiteSchema.migrator.appliedMigrations(db)
                let known = SQLiteSchema.knownMigrations
                let check = try String.fetchOne(db, cached: "PRAGMA quick_check") ?? "unknown"
                let details: [String: String] = [
                    "journal_mode": try String.fetchOne(db, cached: "PRAGMA journal_mode") ?? "unknown",
                    "foreign_keys": (try Bool.fetchOne(db, cached: "PRAGMA foreign_keys") ?? false) ? "on" : "off",
                    "quick_check": check,
                    "users": String(try Int.fetchOne(db, cached: "SELECT count(*) FROM users") ?? 0),
                ]
                return StoreHealth(
                    status: check == "ok" && applied.count == known.count ? "ok" : "error", backend: "sqlite",
                    database: self.path,
                    version: "SQLite " + (try String.fetchOne(db, cached: "SELECT sqlite_version()") ?? "?"),
                    schemaVersion: applied.count, pendingMigrations: known.filter { !applied.contains($0) },
                    embeddingModel: self.embedder.model, details: details)
            }
        } catch {
            return StoreHealth(
                status: "error", backend: "sqlite", database: path, version: "unknown", schemaVersion: 0,
                pendingMigrations: [], embeddingModel: embedder.model,
                details: ["error": translate(error).message])
        }
    }
}
