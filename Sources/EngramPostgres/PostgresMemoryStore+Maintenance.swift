import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    public func statistics(userID: String) async throws -> UserStatistics {
        let userID = try validator.identifier(userID, field: "user id")
        let date = now()
        return try await transaction(userID: userID) { connection in
            guard
                let user = try await connection.first(
                    "SELECT * FROM users WHERE id = \(userID)", logger: self.logger, Decode.user)
            else { throw EngramError.userNotFound }
            func count(_ query: PostgresQuery) async throws -> Int {
                try await connection.first(query, logger: self.logger) { try $0.decode(Int.self) } ?? 0
            }
            func grouped(_ query: PostgresQuery) async throws -> [String: Int] {
                var result: [String: Int] = [:]
                for (key, value) in try await connection.rows(
                    query, logger: self.logger, { try $0.decode((String, Int).self) })
                {
                    result[key] = value
                }
                return result
            }
            var valid = 0
            var salienceSum = 0.0
            var strengthSum = 0.0
            var oldest: Date?
            var newest: Date?
            let rows = try await connection.query(
                """
                SELECT salience, strength, decay_rate, last_reinforced_at, created_at, valid_to
                FROM memories WHERE user_id = \(userID)
                """, logger: self.logger)
            for try await (salience, strength, rate, reinforced, created, validTo) in rows.decode(
                (Double, Double, Double, Timestamp, Timestamp, Timestamp?).self)
            {
                let createdAt = created.date
                oldest = min(oldest ?? createdAt, createdAt)
                newest = max(newest ?? createdAt, createdAt)
                if let validTo, validTo.date <= date { continue }
                valid += 1
                salienceSum += salience
                strengthSum += DecayPolicy.strength(strength, rate: rate, since: reinforced.date, at: date)
            }
            return UserStatistics(
                userID: userID,
                memories: try await count("SELECT count(*) FROM memories WHERE user_id = \(userID)"),
                validMemories: valid,
                memoriesBySector: try await grouped(
                    "SELECT sector, count(*) FROM memories WHERE user_id = \(userID) GROUP BY sector"),
                memoriesByContextType: try await grouped(
                    "SELECT context_type, count(*) FROM memories WHERE user_id = \(userID) GROUP BY context_type"),
                entities: try await count(
                    "SELECT count(*) FROM memories WHERE user_id = \(userID) AND entity_id IS NOT NULL"),
                embeddings: try await count("SELECT count(*) FROM embeddings WHERE user_id = \(userID)"),
                links: try await count("SELECT count(*) FROM links WHERE user_id = \(userID)"),
                linksByType: try await grouped(
                    "SELECT type, count(*) FROM links WHERE user_id = \(userID) GROUP BY type"),
                sessions: try await count("SELECT count(*) FROM sessions WHERE user_id = \(userID)"),
                messages: try await count("SELECT count(*) FROM messages WHERE user_id = \(userID)"),
                activeWorkingFacts: try await count(
                    "SELECT count(*) FROM working_facts WHERE user_id = \(userID) AND expires_at > \(date.timestamp)"),
                emotions: try await count("SELECT count(*) FROM emotions WHERE user_id = \(userID)"),
                feedback: try await count("SELECT count(*) FROM feedback WHERE user_id = \(userID)"),
                averageSalience: valid > 0 ? salienceSum / Double(valid) : 0,
                averageStrength: valid > 0 ? strengthSum / Double(valid) : 0,
                oldestMemoryAt: oldest, newestMemoryAt: newest, lastActivityAt: user.lastActivityAt)
        }
    }

    public func auditLog(userID: String, limit: Int) async throws -> [AuditEntry] {
        let userID = try validator.identifier(userID, field: "user id")
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            return try await connection.rows(
                "SELECT * FROM audit_log WHERE user_id = \(userID) ORDER BY id DESC LIMIT \(limit)",
                logger: self.logger, Decode.audit)
        }
    }

    public func maintain(userID: String, options: MaintenanceOptions) async throws -> MaintenanceReport {
        let userID = try validator.identifier(userID, field: "user id")
        let retention = try options.messageRetention.map { try validator.duration($0, field: "message retention") }
        let purgeAge = try options.purgeOlderThan.map { try validator.duration($0, field: "purge age") }
        let date = now()
        var report = MaintenanceReport()
        try await transaction(userID: userID) { connection in try await self.requireUser(connection, userID) }
        if options.decaySweep {
            (report.decayed, report.forgotten) = try await transaction(userID: userID) { connection in
                try await self.decaySweep(connection, userID, at: date)
            }
        }
        if options.expireWorkingFacts {
            report.expiredWorkingFacts = try await transaction(userID: userID) { connection in
                try await self.deletedCount(
                    connection,
                    "DELETE FROM working_facts WHERE user_id = \(userID) AND expires_at <= \(date.timestamp) RETURNING 1"
                )
            }
        }
        if let retention {
            let cutoff = date.addingTimeInterval(-retention)
            report.expiredMessages = try await transaction(userID: userID) { connection in
                try await self.deletedCount(
                    connection,
                    "DELETE FROM messages WHERE user_id = \(userID) AND created_at < \(cutoff.timestamp) RETURNING 1")
            }
        }
        if options.removeOrphans {
            report.removedOrphans = try await transaction(userID: userID) { connection in
                try await self.removeOrphans(connection, userID)
            }
        }
        if let purgeAge {
            let types = options.purgeContextTypes.map(\.rawValue).sorted()
            let cutoff = date.addingTimeInterval(-purgeAge)
            report.purged = try await transaction(userID: userID) { connection in
                let doomed = try await connection.rows(
                    """
                    SELECT \(unescaped: Decode.memoryColumns) FROM memories
                    WHERE user_id = \(userID) AND created_at < \(cutoff.timestamp)
                        AND (cardinality(\(types)::text[]) = 0 OR context_type = ANY(\(types)))
                    ORDER BY seq
                    FOR UPDATE
                    """, logger: self.logger, Decode.memory)
                for memory in doomed {
                    try await connection.query(
                        "UPDATE memories SET parent_id = NULL WHERE user_id = \(userID) AND parent_id = \(memory.id)",
                        logger: self.logger)
                    try await connection.query(
                        "DELETE FROM memories WHERE user_id = \(userID) AND id = \(memory.id)", logger: self.logger)
                    try await self.audit(
                        connection, userID: userID, action: "memory.purge", targetType: "memory", targetID: memory.id,
                        before: memory, after: Nothing?.none, at: date)
                }
                return doomed.count
            }
        }
        logger.info(
            "maintenance",
            metadata: [
                "decayed": "\(report.decayed)", "forgotten": "\(report.forgotten)", "purged": "\(report.purged)",
            ])
        return report
    }

    /// How many rows a `… RETURNING 1` statement touched.
    func deletedCount(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> Int {
        try await connection.query(query, logger: logger).collect().count
    }

    /// Writes decayed strengths back and soft-forgets memories below the threshold.
    private func decaySweep(_ connection: PostgresConnection, _ userID: String, at date: Date) async throws -> (
        Int, Int
    ) {
        let memories = try await connection.rows(
            """
            SELECT \(unescaped: Decode.memoryColumns) FROM memories
            WHERE user_id = \(userID) AND (valid_to IS NULL OR valid_to > \(date.timestamp))
            ORDER BY seq
            FOR UPDATE
            """, logger: logger, Decode.memory)
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
                try await updateMemoryRow(connection, after)
                try await audit(
                    connection, userID: userID, action: "memory.decay_forget", targetType: "memory",
                    targetID: memory.id, before: memory, after: after, at: date)
                forgotten += 1
            } else if memory.strength - current >= 1e-4 {  // skip rewriting rows for negligible decay
                try await connection.query(
                    """
                    UPDATE memories SET strength = \(current), last_reinforced_at = \(date.timestamp)
                    WHERE user_id = \(userID) AND id = \(memory.id)
                    """, logger: logger)
                decayed += 1
            }
        }
        return (decayed, forgotten)
    }

    /// Rows whose memory or session is gone. Foreign keys prevent them here, but rows written around them
    /// (say, with triggers disabled during a bulk load) are cleaned up the same way as on SQLite.
    private func removeOrphans(_ connection: PostgresConnection, _ userID: String) async throws -> Int {
        var removed = 0
        let memoryChildren = [
            ("embeddings", "memory_id"), ("emotions", "memory_id"), ("feedback", "memory_id"), ("links", "source_id"),
            ("links", "target_id"),
        ]
        for (table, column) in memoryChildren {
            removed += try await deletedCount(
                connection,
                """
                DELETE FROM \(unescaped: table) t WHERE t.user_id = \(userID) AND NOT EXISTS
                    (SELECT 1 FROM memories m WHERE m.user_id = t.user_id AND m.id = t.\(unescaped: column))
                RETURNING 1
                """)
        }
        for table in ["messages", "session_state", "working_facts"] {
            removed += try await deletedCount(
                connection,
                """
                DELETE FROM \(unescaped: table) t WHERE t.user_id = \(userID) AND t.session_id IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = t.user_id AND s.id = t.session_id)
                RETURNING 1
                """)
        }
        removed += try await deletedCount(
            connection,
            """
            UPDATE memories c SET parent_id = NULL WHERE c.user_id = \(userID) AND c.parent_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM memories p WHERE p.user_id = c.user_id AND p.id = c.parent_id)
            RETURNING 1
            """)
        return removed
    }
}
