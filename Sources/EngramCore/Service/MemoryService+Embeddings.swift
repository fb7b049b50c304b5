import Foundation

extension MemoryService {
    /// The vector the configured embedder makes of `text` (what a memory with this content is stored with).
    public func embed(_ text: String) async throws -> [Float] {
        let text = try validator.content(text, field: "text")
        return try await embedder.embed(text)
    }

    /// The configured and active embedding models, and how many memories lack a vector of each.
    public func embeddingStatus() async throws -> EmbeddingStatus {
        let configured = EmbeddingModel(embedder)
        let active = try await activeModel()
        return try await read(.store) { tx in
            let counts = try await tx.vectorCounts()
            let missing = try await tx.countMemoriesWithoutVector(of: configured, limit: .max)
            return EmbeddingStatus(
                configured: configured, active: active, memories: try await tx.memoryCount(), missing: missing,
                missingActive: active == configured
                    ? missing : try await tx.countMemoriesWithoutVector(of: active, limit: .max),
                vectors: Dictionary(counts.map { ($0.key.description, $0.value) }, uniquingKeysWith: +))
        }
    }

    /// Embeds, in batches of `batchSize`, every memory (of every user) that lacks a vector of the configured model,
    /// reporting progress after each batch; then switches recall to the configured model. Recall keeps using the
    /// previous model's vectors until the set is complete. With `prune`, vectors of other models are then deleted.
    /// Safe to interrupt and run again: it resumes where it stopped. Each vector written is audited in its user's
    /// trail (`embedding.create`, reason `reembed`), and a prune by one line per user and model (`embedding.prune`,
    /// with the count). The switch itself changes the store, not a user's rows: it is logged, not audited.
    public func reembed(
        batchSize: Int, prune: Bool, progress: @Sendable (ReembedProgress) -> Void
    ) async throws -> ReembedReport {
        let batchSize = try validator.count(batchSize, field: "batch size", in: 1...InputValidator.maxBatch)
        let target = EmbeddingModel(embedder)
        try await ready()
        try await driver.prepareVectorIndexes(for: [target])
        let total = try await read(.store) { tx in try await tx.countMemoriesWithoutVector(of: target, limit: .max) }
        progress(ReembedProgress(embedded: 0, total: total))
        var embedded = 0
        var cursor: Int64 = 0
        while true {
            let after = cursor
            // Each memory drawn from one turn is embedded with the turn before it, as when it was written.
            let (pending, preceding) = try await read(.store) { tx in
                let pending = try await tx.memoriesWithoutVector(of: target, after: after, limit: batchSize)
                var preceding: [Int: String] = [:]
                for (userID, rows) in Dictionary(grouping: pending.indices, by: { pending[$0].userID }) {
                    let memories = try await tx.memories(userID: userID, ids: rows.map { pending[$0].id })
                    let byID = Dictionary(memories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                    var sources: [Int: (sessionID: String?, messageIDs: [String])] = [:]
                    for row in rows { sources[row] = byID[pending[row].id].map { ($0.sessionID, $0.sourceMessageIDs) } }
                    preceding.merge(try await self.precedingTurns(tx, userID: userID, sources: sources)) { a, _ in a }
                }
                return (pending, preceding)
            }
            guard let last = pending.last else { break }
            cursor = last.cursor
            let vectors = try await embedder.memoryVectors(
                pending.map(\.content), preceding: pending.indices.map { preceding[$0] })
            let date = now()
            let vectorOf = Dictionary(zip(pending.map(\.cursor), vectors), uniquingKeysWith: { first, _ in first })
            try await write(.store) { tx in
                let written = try await tx.insertVectors(
                    Array(zip(pending, vectors)).map { ($0, $1) }, model: target, at: date)
                for (userID, memories) in Dictionary(grouping: written, by: \.userID).sorted(by: { $0.key < $1.key }) {
                    let events = memories.sorted { $0.id < $1.id }.map { memory in
                        ExportRecord.embedding(
                            StoredEmbedding(
                                memoryID: memory.id, userID: userID, sector: memory.sector, model: target.model,
                                dimension: target.dimension, vector: vectorOf[memory.cursor] ?? [], createdAt: date)
                        ).auditEvent("create", removed: false, reason: "reembed")
                    }
                    try await self.audit(tx, userID: userID, events, at: date)
                }
            }
            embedded += pending.count
            progress(ReembedProgress(embedded: embedded, total: max(total, embedded)))
        }
        let date = now()
        let settled = try await write(.store) { tx in try await self.settleActiveModel(tx, at: date) }
        rememberActiveModel(settled)
        var pruned = 0
        if prune, settled == target {
            pruned = try await write(.store) { tx in
                let deleted = try await tx.deleteVectors(except: target)
                for (userID, counts) in Dictionary(grouping: deleted, by: \.userID).sorted(by: { $0.key < $1.key }) {
                    let events = counts.sorted { $0.model.description < $1.model.description }.map {
                        AuditEvent(
                            action: "embedding.prune", targetType: "embedding_model", targetID: $0.model.description,
                            beforeDigest: nil, afterDigest: nil, reason: "reembed prune: \($0.count) vectors deleted")
                    }
                    try await self.audit(tx, userID: userID, events, at: date)
                }
                return deleted.map(\.count).reduce(0, +)
            }
        }
        logger.info(
            "reembed",
            metadata: ["active_model": "\(settled)", "embedded": "\(embedded)", "pruned": "\(pruned)"])
        return ReembedReport(embedded: embedded, switched: settled == target, active: settled, pruned: pruned)
    }
}
