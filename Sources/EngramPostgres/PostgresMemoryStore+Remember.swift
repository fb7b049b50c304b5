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
        let vectors = try await embedder.vectors(for: drafts)
        let date = now()
        try await ensureVectorIndex(model: embedder.model, dimension: embedder.dimension)
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            try await self.requireReferences(connection, userID: userID, drafts)
            var plan = RememberPlan(
                existing: try await self.lockExisting(connection, userID: userID, drafts, at: date),
                decay: self.configuration.decay)
            for (draft, vector) in zip(drafts, vectors) { plan.apply(draft, vector: vector, at: date) }
            try await self.insertMemories(connection, plan.created)
            for memory in plan.updated { try await self.updateMemoryRow(connection, memory) }
            try await self.writeVectors(connection, plan, userID: userID, at: date)
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

    /// Writes the plan's vectors under the store's model: replaced for existing memories, inserted for new ones.
    private func writeVectors(
        _ connection: PostgresConnection, _ plan: RememberPlan, userID: String, at date: Date
    ) async throws {
        let replaced = plan.vectors.keys.filter { !plan.isNew($0) }.sorted()
        if !replaced.isEmpty {
            try await connection.query(
                """
                DELETE FROM embeddings WHERE user_id = \(userID) AND memory_id = ANY(\(replaced))
                    AND model = \(embedder.model) AND dimension = \(embedder.dimension)
                """, logger: logger)
        }
        let memories = plan.created + plan.updated
        try await insertEmbeddings(
            connection,
            memories.compactMap { memory in
                plan.vectors[memory.id].map {
                    StoredEmbedding(
                        memoryID: memory.id, userID: memory.userID, sector: memory.sector, model: embedder.model,
                        dimension: embedder.dimension, vector: $0, createdAt: date)
                }
            })
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
