import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    public func recall(_ query: RecallQuery) async throws -> [RecallResult] {
        let query = try validator.recall(query)
        // Rank with the active model only: its vectors, and the query embedded by its embedder.
        let embedder = embedders.recallEmbedder(active: try await activeModel())
        let model = EmbeddingModel(embedder)
        let queryVector = try await embedder.embed(query.text)
        let date = now()
        let (ranked, memories, sources, expansions) = try await transaction(userID: query.userID) { connection in
            try await self.requireUser(connection, query.userID)
            let found = try await self.candidates(
                connection, query: query, vector: queryVector, model: model, at: date)
            let ranked = self.scorer.rank(found.candidates, links: found.links, query: query, at: date)
            let memories = try await self.memories(
                connection, userID: query.userID, ids: ranked.map(\.candidate.memoryID))
            let sourceIDs = Set(memories.values.flatMap(\.sourceMessageIDs))
            let sources = try await self.messages(connection, userID: query.userID, ids: Array(sourceIDs))
            return (ranked, memories, sources, found.expansions)
        }
        var results = ranked.compactMap { entry -> RecallResult? in
            guard let memory = memories[entry.candidate.memoryID] else { return nil }
            return RecallResult(
                memory: memory, score: entry.score,
                sources: memory.sourceMessageIDs.compactMap { sources[$0] }
                    .sorted { ($0.createdAt, $0.sequence) < ($1.createdAt, $1.sequence) },
                matchedBy: entry.candidate.matchedBy)
        }
        if query.reinforce && !results.isEmpty {
            let resultIDs = Set(results.map(\.memory.id))
            let traversed = expansions.filter { resultIDs.contains($0.key) }.map(\.value)
            let accessed = results
            results = try await transaction(userID: query.userID) { connection in
                try await self.recordAccess(connection, results: accessed, traversedLinks: traversed, at: date)
            }
        }
        return results
    }

    /// The columns phase one reads: enough to score, not to show.
    private static let signalColumns = "m.seq, m.id, m.salience, m.strength, m.decay_rate, m.last_reinforced_at"

    /// One phase-one row: the signal columns, then the raw text score and the vector score (either may be null).
    private typealias SignalRow = (Int64, String, Double, Double, Double, Timestamp, Double?, Double?)

    private func candidate(_ row: SignalRow, matchedBy: String) -> RecallCandidate {
        // A zero vector has no direction: pgvector answers NaN where a dot product answers 0.
        let vector = row.7.map { $0.isNaN ? 0 : $0 }
        return RecallCandidate(
            memoryID: row.1, salience: row.2, strength: row.3, decayRate: row.4, lastReinforcedAt: row.5.date,
            vectorScore: vector, textScore: row.6, matchedBy: [matchedBy])
    }

    /// ` LEFT JOIN LATERAL …`: the cosine similarity of the query vector (placeholder `vector`) and the
    /// vector of `model` of memory `alias`, under the memory's sector; null without one.
    private func vectorScoreJoin(
        _ query: inout PostgresQuery, alias: String, vector: String, model: EmbeddingModel
    ) throws -> String {
        let dimension = model.dimension
        return """
             LEFT JOIN LATERAL (
                SELECT max(1 - (e.embedding::vector(\(dimension)) <=> \(vector))) AS score FROM embeddings e
                WHERE e.user_id = \(alias).user_id AND e.memory_id = \(alias).id
                    AND e.model = \(try query.bind(model.model)) AND e.dimension = \(try query.bind(Int32(dimension)))
                    AND e.sector = \(alias).sector
            ) v ON true
            """
    }

    /// Everything recall scores: full-text and vector candidates, link expansions, and the links among them.
    private func candidates(
        _ connection: PostgresConnection, query: RecallQuery, vector: [Float], model: EmbeddingModel, at date: Date
    ) async throws -> (candidates: [RecallCandidate], links: [Link], expansions: [String: String]) {
        let pool = scorer.candidatePool(for: query.k)
        let queryVector = PGVector(vector, oid: try await vectorType(connection))
        let dimension = model.dimension
        var byID: [String: RecallCandidate] = [:]

        // Full text: ts_rank_cd over the weighted search vector (content A; summary, tags, keywords B),
        // filtered in the same query, with the vector score of each hit joined in.
        var terms: [String] = []
        for term in Tokenizer.terms(query.text) where !terms.contains(term) && terms.count < 32 { terms.append(term) }
        if !terms.isEmpty {
            let tsquery = terms.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }
                .joined(separator: " | ")
            var sql: PostgresQuery = """
                SELECT \(unescaped: Self.signalColumns), m.user_id, m.sector,
                    ts_rank_cd(m.search, q)::float8 AS text_score
                FROM memories m CROSS JOIN to_tsquery('english', \(tsquery)) q
                WHERE m.user_id = \(query.userID) AND m.search @@ q
                """
            try PostgresMemoryFilter.append(query.filters, at: date, to: &sql)
            sql.sql += " ORDER BY text_score DESC, m.seq LIMIT \(try sql.bind(pool))"
            let vectorPlaceholder = try sql.bind(queryVector)
            let join = try vectorScoreJoin(&sql, alias: "m", vector: vectorPlaceholder, model: model)
            sql.sql = """
                SELECT m.seq, m.id, m.salience, m.strength, m.decay_rate, m.last_reinforced_at, m.text_score, v.score
                FROM (\(sql.sql)) m\(join)
                """
            for row in try await connection.rows(sql, logger: logger, { try $0.decode(SignalRow.self) }) {
                byID[row.1] = candidate(row, matchedBy: "text")
            }
        }

        // Vectors: nearest first through the model's partial HNSW (or IVFFlat) index, scanning on until
        // enough rows pass the filters.
        try await connection.query(
            """
            SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true),
                set_config('ivfflat.iterative_scan', 'relaxed_order', true), set_config('ivfflat.probes', '10', true)
            """, logger: logger)
        var sql: PostgresQuery = """
            SELECT \(unescaped: Self.signalColumns), NULL::float8,
                1 - (e.embedding::vector(\(unescaped: String(dimension))) <=> \(queryVector))
            FROM embeddings e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
            WHERE e.user_id = \(query.userID) AND e.model = \(model.model) AND e.dimension = \(Int32(dimension))
                AND e.sector = m.sector
            """
        try PostgresMemoryFilter.append(query.filters, at: date, to: &sql)
        sql.sql +=
            " ORDER BY e.embedding::vector(\(dimension)) <=> \(try sql.bind(queryVector)) LIMIT \(try sql.bind(pool))"
        for row in try await connection.rows(sql, logger: logger, { try $0.decode(SignalRow.self) }) {
            if byID[row.1] != nil {
                byID[row.1]?.matchedBy.insert("vector")
            } else {
                byID[row.1] = candidate(row, matchedBy: "vector")
            }
        }

        // Links: neighbours of the best seeds join as candidates; links among candidates feed the link weight.
        var expansions: [String: String] = [:]
        if query.expandLinks {
            let seeds = Array(
                byID.values.sorted {
                    seedOrder($0) != seedOrder($1) ? seedOrder($0) > seedOrder($1) : $0.memoryID < $1.memoryID
                }
                .prefix(query.k).map(\.memoryID))
            let present = Set(byID.keys)
            var newIDs: [String: String] = [:]
            for link in try await links(connection, userID: query.userID, touching: seeds) {
                for (from, to) in [(link.sourceID, link.targetID), (link.targetID, link.sourceID)]
                where seeds.contains(from) && !present.contains(to) && newIDs[to] == nil {
                    newIDs[to] = link.id
                }
            }
            if !newIDs.isEmpty {
                var sql: PostgresQuery = """
                    SELECT \(unescaped: Self.signalColumns), NULL::float8 AS text_score, m.user_id, m.sector
                    FROM memories m
                    WHERE m.user_id = \(query.userID) AND m.id = ANY(\(Array(newIDs.keys).sorted()))
                    """
                try PostgresMemoryFilter.append(query.filters, at: date, to: &sql)
                let vectorPlaceholder = try sql.bind(queryVector)
                let join = try vectorScoreJoin(&sql, alias: "m", vector: vectorPlaceholder, model: model)
                sql.sql = """
                    SELECT m.seq, m.id, m.salience, m.strength, m.decay_rate, m.last_reinforced_at, m.text_score,
                        v.score
                    FROM (\(sql.sql)) m\(join)
                    """
                for row in try await connection.rows(sql, logger: logger, { try $0.decode(SignalRow.self) }) {
                    byID[row.1] = candidate(row, matchedBy: "link")
                    expansions[row.1] = newIDs[row.1]
                }
            }
        }
        let ids = Set(byID.keys)
        let links = try await links(connection, userID: query.userID, touching: Array(ids).sorted()).filter {
            ids.contains($0.sourceID) && ids.contains($0.targetID)
        }
        return (Array(byID.values), links, expansions)
    }

    /// Orders seeds for link expansion by their strongest raw signal.
    private func seedOrder(_ candidate: RecallCandidate) -> Double {
        max(candidate.vectorScore ?? 0, candidate.textScore.map { $0 > 0 ? 1 : 0 } ?? 0)
    }

    /// Access reinforces: count it, move strength back toward 1, and count traversed links.
    private func recordAccess(
        _ connection: PostgresConnection, results: [RecallResult], traversedLinks: [String], at date: Date
    ) async throws -> [RecallResult] {
        var updated = results
        for index in updated.indices {
            var memory = updated[index].memory
            memory.strength = configuration.decay.reinforced(memory, at: date)
            memory.lastReinforcedAt = date
            memory.lastAccessedAt = date
            memory.accessCount += 1
            try await connection.query(
                """
                UPDATE memories SET strength = \(memory.strength), last_reinforced_at = \(date.timestamp),
                    last_accessed_at = \(date.timestamp), access_count = access_count + 1
                WHERE user_id = \(memory.userID) AND id = \(memory.id)
                """, logger: logger)
            updated[index].memory = memory
        }
        if let userID = results.first?.memory.userID, !traversedLinks.isEmpty {
            try await connection.query(
                """
                UPDATE links SET traversal_count = traversal_count + 1
                WHERE user_id = \(userID) AND id = ANY(\(traversedLinks))
                """, logger: logger)
        }
        return updated
    }
}
