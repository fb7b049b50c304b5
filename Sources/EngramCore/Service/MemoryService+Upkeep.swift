import Foundation

extension MemoryService {
    /// Counts and averages of one user's memory.
    public func statistics(userID: String) async throws -> UserStatistics {
        let userID = try validator.identifier(userID, field: "user id")
        let date = now()
        return try await read(.user(userID)) { tx in
            let user = try await self.requireUser(tx, userID)
            let counts = try await tx.statisticsCounts(userID: userID, at: date)
            let vitals = try await tx.memoryVitals(userID: userID)
            let valid = vitals.filter { $0.validTo.map { $0 > date } ?? true }
            let strengths = valid.map {
                DecayPolicy.strength($0.strength, rate: $0.decayRate, since: $0.lastReinforcedAt, at: date)
            }
            return UserStatistics(
                userID: userID, memories: counts.memories, validMemories: valid.count,
                memoriesBySector: counts.memoriesBySector, memoriesByContextType: counts.memoriesByContextType,
                entities: counts.entities, embeddings: counts.embeddings, links: counts.links,
                linksByType: counts.linksByType, sessions: counts.sessions, messages: counts.messages,
                activeWorkingFacts: counts.activeWorkingFacts, emotions: counts.emotions, feedback: counts.feedback,
                averageSalience: valid.isEmpty ? 0 : valid.map(\.salience).reduce(0, +) / Double(valid.count),
                averageStrength: valid.isEmpty ? 0 : strengths.reduce(0, +) / Double(valid.count),
                oldestMemoryAt: vitals.map(\.createdAt).min(), newestMemoryAt: vitals.map(\.createdAt).max(),
                lastActivityAt: user.lastActivityAt)
        }
    }

    /// The user's audit trail, newest first: at most `limit` lines, below line `before` when set.
    public func auditLog(userID: String, before: Int64? = nil, limit: Int) async throws -> [AuditEntry] {
        let userID = try validator.identifier(userID, field: "user id")
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        if let before, before < 1 {
            throw EngramError(.invalidArgument, "before must be a positive audit line number.")
        }
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await tx.auditEntries(userID: userID, before: before, limit: limit)
        }
    }

    /// Consolidation, decay sweep, working-fact expiry, message retention, orphan cleanup and age-based purge for one user; each
    /// step in its own transaction.
    public func maintain(userID: String, options: MaintenanceOptions) async throws -> MaintenanceReport {
        let userID = try validator.identifier(userID, field: "user id")
        let retention = try options.messageRetention.map { try validator.duration($0, field: "message retention") }
        let purgeAge = try options.purgeOlderThan.map { try validator.duration($0, field: "purge age") }
        let date = now()
        let decay = configuration.decay
        var report = MaintenanceReport()
        _ = try await read(.user(userID)) { tx in try await self.requireUser(tx, userID) }
        if options.consolidate { report.consolidation = try await consolidate(userID: userID) }
        if options.decaySweep {
            (report.decayed, report.forgotten) = try await write(.user(userID)) { tx in
                var forgotten: [(before: Memory, after: Memory)] = []
                var decayed: [(before: Memory, after: Memory)] = []
                for memory in try await tx.validMemories(userID: userID, at: date) {
                    let current = decay.currentStrength(of: memory, at: date)
                    var after = memory
                    after.strength = current
                    after.lastReinforcedAt = date
                    if current < decay.forgetThreshold {
                        after.validTo = date
                        after.updatedAt = date
                        forgotten.append((memory, after))
                    } else if memory.strength - current >= 1e-4 {  // negligible decay is not worth a write
                        decayed.append((memory, after))
                    }
                }
                try await tx.updateMemories(forgotten.map(\.after).sorted { $0.id < $1.id })
                try await tx.updateStrengths(
                    userID: userID, strengths: decayed.map { ($0.after.id, $0.after.strength) }.sorted { $0.0 < $1.0 },
                    at: date)
                let events =
                    forgotten.map {
                        AuditEvent(
                            "memory.decay_forget", "memory", $0.after.id, before: $0.before, after: $0.after,
                            reason: "decay sweep: strength below the forget threshold")
                    }
                    + decayed.map {
                        AuditEvent(
                            "memory.decay", "memory", $0.after.id, before: $0.before, after: $0.after,
                            reason: "decay sweep")
                    }
                try await self.audit(tx, userID: userID, events.sorted { $0.targetID < $1.targetID }, at: date)
                return (decayed.count, forgotten.count)
            }
        }
        if options.expireWorkingFacts {
            report.expiredWorkingFacts = try await write(.user(userID)) { tx in
                let expired = try await tx.deleteFacts(userID: userID, expiredAt: date).sorted { $0.id < $1.id }
                try await self.audit(
                    tx, userID: userID,
                    expired.map {
                        AuditEvent(
                            "fact.expire", "working_fact", $0.id, before: $0, after: nil, reason: "working fact expired"
                        )
                    }, at: date)
                return expired.count
            }
        }
        if let retention {
            report.expiredMessages = try await write(.user(userID)) { tx in
                let expired = try await tx.deleteMessages(
                    userID: userID, createdBefore: date.addingTimeInterval(-retention)
                ).sorted { $0.id < $1.id }
                try await self.audit(
                    tx, userID: userID,
                    expired.map {
                        AuditEvent(
                            "message.expire", "message", $0.id, before: $0, after: nil, reason: "message retention")
                    }, at: date)
                return expired.count
            }
        }
        if options.removeOrphans {
            report.removedOrphans = try await write(.user(userID)) { tx in
                let removed = try await tx.deleteOrphans(userID: userID)
                let events = removed.map { record -> AuditEvent in
                    guard case .memory(let before) = record else {
                        return record.auditEvent("delete", removed: true, reason: "orphan cleanup")
                    }
                    var after = before
                    after.parentID = nil
                    return AuditEvent(
                        "memory.update", "memory", before.id, before: before, after: after,
                        reason: "orphan cleanup: parent gone")
                }
                try await self.audit(
                    tx, userID: userID,
                    events.sorted { ($0.targetType, $0.targetID, $0.action) < ($1.targetType, $1.targetID, $1.action) },
                    at: date)
                return removed.count
            }
        }
        if let purgeAge {
            report.purged = try await write(.user(userID)) { tx in
                let doomed = try await tx.memories(
                    userID: userID, createdBefore: date.addingTimeInterval(-purgeAge),
                    contextTypes: options.purgeContextTypes)
                for memory in doomed {
                    try await tx.clearParent(userID: userID, parentID: memory.id)
                    try await tx.deleteMemory(userID: userID, id: memory.id)
                }
                try await self.audit(
                    tx, userID: userID,
                    doomed.sorted { $0.id < $1.id }.map {
                        AuditEvent("memory.purge", "memory", $0.id, before: $0, after: nil, reason: "purge by age")
                    },
                    at: date)
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

    /// The connection test (seed 003's fields), the schema's migrations, and the embedding models: what
    /// `engram doctor` and `/health` report. Never throws: a failure is a health report with status `error`.
    public func health() async -> StoreHealth {
        // A service that may migrate does so first (as any first operation would); one that may not reports.
        if migratesOnFirstUse, !driver.isReadOnly { try? await ready() }
        let base = await driver.health()
        var health = StoreHealth(
            status: "ok", backend: driver.backend, database: base.database, version: base.version ?? "unknown",
            host: base.host, port: base.port, message: "", schemaVersion: 0, pendingMigrations: [],
            embeddingModel: embedder.model, details: base.details)
        var problems = base.problems
        if base.version != nil {
            do {
                let status = try await migrationStatus()
                health.schemaVersion = status.filter(\.applied).map(\.version).max() ?? 0
                health.pendingMigrations = status.filter { !$0.applied }.map {
                    "\(String(format: "%03d", $0.version))_\($0.name)"
                }
                do {
                    try Self.checkApplied(status)
                } catch let error as EngramError {
                    problems.append(error.message)
                }
                if !health.pendingMigrations.isEmpty {
                    problems.append("Migrations are pending; run engram migrate up.")
                } else if problems.isEmpty, let embeddings = try? await embeddingStatus() {
                    health.details["active_model"] = embeddings.active.description
                    health.details["memories_without_active_vector"] = String(embeddings.missingActive)
                    if embeddings.missingActive > 0 {
                        health.details["vectors"] =
                            "\(embeddings.missingActive) memories lack a vector of \(embeddings.active) and are found by full text only; run engram reembed"
                    }
                }
            } catch {
                problems.append((error as? EngramError)?.message ?? "The migration check failed.")
            }
        }
        health.status = problems.isEmpty ? "ok" : "error"
        health.message = problems.first ?? "Database connection successful"
        if problems.count > 1 { health.details["problems"] = problems.joined(separator: " | ") }
        return health
    }
}
