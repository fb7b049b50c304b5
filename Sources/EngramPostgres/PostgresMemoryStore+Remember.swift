import EngramCore
import Foundation
import PostgresNIO

/// `remember` is a batch of one: both go through ``RememberPlan`` and write in multi-row statements.
extension PostgresMemoryStore {
    public func remember(_ draft: MemoryDraft) async throws -> RememberOutcome {
        try await rememberAll([draft])[0]
    }

    public func rememberAll(_ drafts: [MemoryDraft]) async throws -> [RememberOutcome] {
        let drafts = try validator.memories(drafts, dimension: embedder.dimension)
        guard let userID = drafts.first?.userID else { return [] }
        let batches = try await embedders.vectors(for: drafts, active: try await activeModel())
        let date = now()
        for batch in batches { try await ensureVectorIndex(model: batch.model.model, dimension: batch.model.dimension) }
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            try await self.requireReferences(connection, userID: userID, drafts)
            var plan = RememberPlan(
                existing: try await self.lockExisting(connection, userID: userID, drafts, at: date),
                decay: self.configuration.decay)
            for (index, draft) in drafts.enumerated() { plan.apply(draft, index: index, at: date) }
            try await self.insertMemories(connection, plan.created)
            for memory in plan.updated { try await self.updateMemoryRow(connection, memory) }
            try await self.writeVectors(
                connection, plan.created + plan.updated, sources: plan.vectorSources, batches, at: date)
            try await self.auditAll(connection, userID: userID, plan.events, at: date)
            try await self.touchUser(connection, userID, at: date)
            return plan.outcomes
        }
    }

    /// Checks every session, agent, parent and source message the drafts name, each once.
    private func requireReferences(
        _ connection: PostgresConnection, userID: String, _ drafts: [MemoryDraft]
    ) async throws {
        for sessionID in Set(drafts.compactMap(\.sessionID)).sorted() {
            try await requireSession(connection, userID: userID, sessionID)
        }
        for agentID in Set(drafts.compactMap(\.agentID)).sorted() {
            try await requireAgent(connection, userID: userID, agentID)
        }
        for parentID in Set(drafts.compactMap(\.parentID)).sorted() {
            _ = try await fetchMemory(connection, userID: userID, parentID)
        }
        try await requireMessages(connection, userID: userID, Array(Set(drafts.flatMap(\.sourceMessageIDs))).sorted())
    }

    /// Takes the transaction-scoped advisory locks of the drafts' entities and contents (in one order, so
    /// concurrent batches cannot deadlock), then loads and row-locks the memories they can touch. Concurrent
    /// writers of one entity or content therefore end in one row.
    private func lockExisting(
        _ connection: PostgresConnection, userID: String, _ drafts: [MemoryDraft], at date: Date
    ) async throws -> [Memory] {
        let keys = RememberPlan.keys(of: drafts)
        try await connection.query(
            "SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest(\(keys.locks)::text[]) WITH ORDINALITY AS l(k, n) ORDER BY n",
            logger: logger)
        var existing: [Memory] = []
        if !keys.entityIDs.isEmpty {
            existing += try await connection.rows(
                """
                SELECT \(unescaped: Decode.memoryColumns) FROM memories
                WHERE user_id = \(userID) AND entity_id = ANY(\(keys.entityIDs)) ORDER BY created_at, seq FOR UPDATE
                """, logger: logger, Decode.memory)
        }
        if !keys.hashes.isEmpty {
            existing += try await connection.rows(
                """
                SELECT \(unescaped: Decode.memoryColumns) FROM memories
                WHERE user_id = \(userID) AND content_hash = ANY(\(keys.hashes)) AND entity_id IS NULL
                    AND (valid_to IS NULL OR valid_to > \(date.timestamp))
                ORDER BY created_at, seq FOR UPDATE
                """, logger: logger, Decode.memory)
        }
        return existing
    }

    /// Replaces the vectors of the `memories` that have a source with those of `batches` at that source, one
    /// per write model.
    func writeVectors(
        _ connection: PostgresConnection, _ memories: [Memory], sources: [String: Int], _ batches: [EmbeddedBatch],
        at date: Date
    ) async throws {
        let written = memories.filter { sources[$0.id] != nil }
        guard let userID = written.first?.userID else { return }
        try await connection.query(
            "DELETE FROM embeddings WHERE user_id = \(userID) AND memory_id = ANY(\(written.map(\.id)))",
            logger: logger)
        var embeddings: [StoredEmbedding] = []
        for memory in written {
            guard let source = sources[memory.id] else { continue }
            for batch in batches {
                embeddings.append(
                    StoredEmbedding(
                        memoryID: memory.id, userID: memory.userID, sector: memory.sector, model: batch.model.model,
                        dimension: batch.model.dimension, vector: batch.vectors[source], createdAt: date))
            }
        }
        try await insertEmbeddings(connection, embeddings)
    }

    /// Appends the plan's audit lines, numbered after the user's last one.
    private func auditAll(
        _ connection: PostgresConnection, userID: String, _ events: [RememberPlan.Event], at date: Date
    ) async throws {
        guard !events.isEmpty else { return }
        let last =
            try await connection.first(
                "SELECT COALESCE(max(id), 0) FROM audit_log WHERE user_id = \(userID)", logger: logger
            ) { try $0.decode(Int64.self) } ?? 0
        for chunk in events.indices.chunked(by: 1_000) {
            var query = PostgresQuery(
                unsafeSQL: """
                    INSERT INTO audit_log (user_id, id, actor, action, target_type, target_id, before_digest,
                        after_digest, created_at) VALUES
                    """)
            for index in chunk {
                let event = events[index]
                query.sql += index == chunk.lowerBound ? " " : ", "
                query.sql += try query.row(
                    userID, last + Int64(index) + 1, configuration.actor, event.action, "memory", event.memoryID,
                    event.beforeDigest, event.afterDigest, date.timestamp)
            }
            try await connection.query(query, logger: logger)
        }
    }
}
