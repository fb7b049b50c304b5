import EngramCore
import Foundation
import PostgresNIO

/// Recall candidates on PostgreSQL: BM25 as SQLite computes it, over the weighted `search` vector (content A; summary,
/// tags and keywords B; conversation context C) matched through its GIN index, and the model's partial HNSW (or
/// IVFFlat) index with iterative scans, so that filters applied in the query still leave enough rows.
extension PostgresTransaction: CandidateSearch {
    /// The columns a candidate needs: enough to score, not to show.
    private static let signalColumns =
        "m.id, m.salience, m.strength, m.decay_rate, m.last_reinforced_at, m.metadata->>'speaker' AS speaker"

    /// One signal row: the signal columns, then a score (or NULL).
    private typealias SignalRow = (String, Double, Double, Double, Timestamp, String?, Double?)

    func termMatches(userID: String, terms: [String], limit: Int) async throws -> [String: Int] {
        guard !terms.isEmpty else { return [:] }
        let counts = try await rows(
            """
            SELECT t, (
                SELECT count(*) FROM (
                    SELECT 1 FROM memories WHERE user_id = \(userID) AND search @@ to_tsquery('english', quote_literal(t))
                    LIMIT \(limit)
                ) counted
            )::int8
            FROM unnest(\(terms)::text[]) AS t
            """
        ) { try $0.decode((String, Int).self) }
        return Dictionary(counts, uniquingKeysWith: max)
    }

    func textCandidates(
        userID: String, terms: [WeightedTerm], memoryCount: Int, vector: [Float], model: EmbeddingModel,
        filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate] {
        guard !terms.isEmpty else { return [] }
        let averageLength = try await averageSearchLength(userID: userID, memoryCount: memoryCount)
        let probe = PGVector(vector, oid: try await vectorType())
        // BM25 as SQLite's engram_bm25 computes it (fts5_rank.c: k1 1.2, b 0.75), over the newest `textScanLimit`
        // rows that match any term (one bitmap scan of the terms' queries joined by `|`): a term's frequency in a
        // row counts its positions in the content at weight A and elsewhere at B or C as ``FullTextFieldWeight``
        // says (stored per lexeme as `search_counts`; a term of several lexemes counts its rarest), a row's length
        // is its last position (every word of every part, stop words included, as FTS5 counts tokens; stored as
        // `search_length`), and each term's weight is the caller's (inverse document frequency). The matched rows
        // carry their signal columns, so that the best of them are not looked up again by id, and the best get their
        // vector scores as ``vectorScores(userID:memoryIDs:vector:model:)`` computes them.
        var query: PostgresQuery = """
            WITH weighted AS MATERIALIZED (
                SELECT t.n, terms.q, t.weight, l.lexeme
                FROM unnest(\(terms.map(\.term))::text[], \(terms.map(\.weight))::float8[])
                    WITH ORDINALITY AS t(term, weight, n)
                    CROSS JOIN LATERAL (SELECT to_tsquery('english', quote_literal(t.term)) AS q) terms
                    CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', t.term))) AS l(lexeme)
                WHERE numnode(terms.q) > 0
            ), matched AS MATERIALIZED (
                SELECT m.seq, m.sector, m.search, m.search_counts, m.search_length, \(unescaped: Self.signalColumns)
                FROM memories m
                WHERE m.user_id = \(userID)
                    AND m.search @@ (SELECT string_agg(DISTINCT '(' || q::text || ')', ' | ')::tsquery FROM weighted)
            """
        try PostgresMemoryFilter.append(filters, at: date, to: &query)
        query.sql += " ORDER BY m.seq DESC LIMIT \(Self.textScanLimit)"
        let (average, count) = (try query.bind(averageLength), try query.bind(limit))
        let (content, secondary) = (
            try query.bind(FullTextFieldWeight.content), try query.bind(FullTextFieldWeight.secondary)
        )
        let (user, probed, modelName, dimension) = (
            try query.bind(userID), try query.bind(probe), try query.bind(model.model), try query.bind(model.dimension)
        )
        query.sql += """
            ), frequencies AS (
                SELECT x.seq, w.weight,
                    min(\(content)::float8 * (x.search_counts -> w.lexeme ->> 0)::float8
                        + \(secondary)::float8 * (x.search_counts -> w.lexeme ->> 1)::float8) AS tf
                FROM matched x JOIN weighted w ON x.search @@ w.q
                GROUP BY x.seq, w.n, w.weight
            ), scored AS (
                SELECT x.seq,
                    sum(t.weight * t.tf * 2.2 / (t.tf + 1.2 * (0.25 + 0.75 * x.search_length / \(average)::float8)))
                    ::float8 AS score
                FROM frequencies t JOIN matched x ON x.seq = t.seq
                GROUP BY x.seq
            ), ranked AS (
                SELECT x.id, x.sector, x.salience, x.strength, x.decay_rate, x.last_reinforced_at, x.speaker, s.score
                FROM scored s JOIN matched x ON x.seq = s.seq
                ORDER BY s.score DESC, x.id COLLATE "C" LIMIT \(count)
            )
            SELECT r.id, r.salience, r.strength, r.decay_rate, r.last_reinforced_at, r.speaker, r.score, (
                SELECT max(1 - (e.embedding::vector(\(model.dimension)) <=> \(probed)))::float8
                FROM embeddings e
                WHERE e.user_id = \(user) AND e.memory_id = r.id AND e.sector = r.sector
                    AND e.model = \(modelName) AND e.dimension = \(dimension)
            )
            FROM ranked r ORDER BY r.score DESC, r.id COLLATE "C"
            """
        return try await rows(query) { row in
            let (id, salience, strength, decayRate, reinforced, speaker, textScore, vectorScore) = try row.decode(
                (String, Double, Double, Double, Timestamp, String?, Double?, Double?).self)
            return RecallCandidate(
                memoryID: id, salience: salience, strength: strength, decayRate: decayRate,
                lastReinforcedAt: reinforced.date, vectorScore: vectorScore, textScore: textScore, matchedBy: [],
                speaker: speaker)
        }
    }

    /// How many of a query's full-text matches, newest first, are ranked (as on SQLite).
    static let textScanLimit = 1_000

    /// The user's average `search` length, its last position (see
    /// ``textCandidates(userID:terms:memoryCount:vector:model:filters:at:limit:)``), over the user's newest memories
    /// (`memories_by_seq`), measured again once the user's memory count has moved by more than 1 %
    /// (``AverageLengths``).
    private func averageSearchLength(userID: String, memoryCount count: Int) async throws -> Double {
        if let length = driver.averageLengths.length(userID: userID, memoryCount: count) { return length }
        let measured =
            try await first(
                """
                SELECT coalesce(avg(search_length), 1)::float8
                FROM (
                    SELECT search_length FROM memories WHERE user_id = \(userID)
                    ORDER BY seq DESC LIMIT \(AverageLengths.sampleSize)) m
                """
            ) { try $0.decode(Double.self) } ?? 1
        driver.averageLengths.remember(userID: userID, memoryCount: count, length: measured)
        return measured
    }

    func vectorCandidates(
        userID: String, vector: [Float], model: EmbeddingModel, filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate] {
        // Scan the index on (in relaxed order) until enough rows pass the filters; re-sorted below. HNSW keeps
        // `ef_search` candidates: pgvector's default, 40, found 0.63-0.69 of the exact top 10 at 100,000 memories
        // (`engram bench`), 200 found 0.917; latency moved within the run-to-run spread (p50 57-74 ms).
        let efSearch = String(min(1_000, max(200, limit * 4)))
        try await execute(
            """
            SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true),
                set_config('ivfflat.iterative_scan', 'relaxed_order', true), set_config('ivfflat.probes', '10', true),
                set_config('hnsw.ef_search', \(efSearch), true)
            """)
        return try await nearestVectors(
            userID: userID, vector: vector, model: model, filters: filters, at: date, limit: limit)
    }

    func exactVectorCandidates(
        userID: String, vector: [Float], model: EmbeddingModel, filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate] {
        // No index scans for the rest of this transaction: the planner sorts every vector of the user's model.
        try await execute(
            """
            SELECT set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
                set_config('enable_indexonlyscan', 'off', true)
            """)
        return try await nearestVectors(
            userID: userID, vector: vector, model: model, filters: filters, at: date, limit: limit)
    }

    /// The user's `limit` nearest vectors of `model` as the transaction's settings let the planner find them.
    private func nearestVectors(
        userID: String, vector: [Float], model: EmbeddingModel, filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate] {
        let probe = PGVector(vector, oid: try await vectorType())
        // The cast's dimension (a number, not a value) must match the partial index's expression.
        let cast = "e.embedding::vector(\(model.dimension))"
        var query: PostgresQuery = """
            SELECT \(unescaped: Self.signalColumns), (1 - (\(unescaped: cast) <=> \(probe)))::float8 AS score
            FROM embeddings e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
            WHERE e.user_id = \(userID) AND e.model = \(model.model) AND e.dimension = \(model.dimension)
                AND e.sector = m.sector
            """
        try PostgresMemoryFilter.append(filters, at: date, to: &query)
        query.sql += " ORDER BY \(cast) <=> \(try query.bind(probe)) LIMIT \(try query.bind(limit))"
        return try await rows(query) { Self.candidate(try $0.decode(SignalRow.self)) }
            .sorted { ($0.vectorScore ?? 0, $1.memoryID) > ($1.vectorScore ?? 0, $0.memoryID) }
    }

    func vectorScores(userID: String, memoryIDs: [String], vector: [Float], model: EmbeddingModel) async throws
        -> [String: Double]
    {
        guard !memoryIDs.isEmpty else { return [:] }
        let probe = PGVector(vector, oid: try await vectorType())
        let cast = "e.embedding::vector(\(model.dimension))"
        let scores = try await rows(
            """
            SELECT m.id, max(1 - (\(unescaped: cast) <=> \(probe)))::float8
            FROM memories m JOIN embeddings e ON e.user_id = m.user_id AND e.memory_id = m.id AND e.sector = m.sector
            WHERE m.user_id = \(userID) AND m.id = ANY(\(memoryIDs)) AND e.model = \(model.model)
                AND e.dimension = \(model.dimension)
            GROUP BY m.id
            """
        ) { try $0.decode((String, Double).self) }
        return Dictionary(scores, uniquingKeysWith: max)
    }

    func candidates(userID: String, ids: [String], filters: RecallFilters, at date: Date) async throws
        -> [RecallCandidate]
    {
        guard !ids.isEmpty else { return [] }
        var query: PostgresQuery = """
            SELECT \(unescaped: Self.signalColumns), NULL::float8
            FROM memories m WHERE m.user_id = \(userID) AND m.id = ANY(\(ids))
            """
        try PostgresMemoryFilter.append(filters, at: date, to: &query)
        return try await rows(query) { Self.candidate(try $0.decode(SignalRow.self)) }
    }

    func sourcedMemories(userID: String, sessionID: String, messageIDs: [String]) async throws -> [SourcedMemory] {
        guard !messageIDs.isEmpty else { return [] }
        return try await rows(
            """
            SELECT id, source_message_ids, search_context FROM memories
            WHERE user_id = \(userID) AND session_id = \(sessionID) AND source_message_ids && \(messageIDs)
            ORDER BY id COLLATE "C"
            """
        ) { row in
            let (id, sources, context) = try row.decode((String, [String], String?).self)
            return SourcedMemory(id: id, sourceMessageIDs: sources, searchContext: context)
        }
    }

    func setSearchContexts(userID: String, _ contexts: [String: String]) async throws {
        guard !contexts.isEmpty else { return }
        let ordered = contexts.sorted { $0.key < $1.key }
        try await execute(
            """
            UPDATE memories m SET search_context = nullif(c.context, '')
            FROM unnest(\(ordered.map(\.key)), \(ordered.map(\.value))) AS c(id, context)
            WHERE m.user_id = \(userID) AND m.id = c.id
            """)
    }

    /// A candidate from a signal row, its score the vector score (or none).
    private static func candidate(_ row: SignalRow) -> RecallCandidate {
        RecallCandidate(
            memoryID: row.0, salience: row.1, strength: row.2, decayRate: row.3, lastReinforcedAt: row.4.date,
            vectorScore: row.6, textScore: nil, matchedBy: [], speaker: row.5)
    }
}
