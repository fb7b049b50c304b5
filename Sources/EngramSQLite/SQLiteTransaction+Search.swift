import EngramCore
import Foundation
import GRDB

/// Recall candidates on SQLite: FTS5 BM25 (`engram_bm25`) over the newest matches among the user's rows of the index,
/// and a scan of the user's vectors in memory (int8 pass, exact re-ranking); both widened until enough matches pass
/// the filters.
extension SQLiteTransaction: CandidateSearch {
    /// The columns a candidate needs: enough to score, not to show.
    private static let signalColumns: SQL = """
        m.seq, m.id, m.salience, m.strength, m.decay_rate, m.last_reinforced_at,
        json_extract(m.metadata, '$.speaker') AS speaker
        """

    func textCandidates(
        userID: String, terms: [String], filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate] {
        let ownerPhrase = "fts_owner:\(driver.ftsOwner(userID))"
        let owner = ownerPhrase + " AND {content summary tags keywords search_context}: "
        let phrases = terms.map { "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" }
        let match = owner + "(" + phrases.joined(separator: " OR ") + ")"
        let filter = MemoryFilter.sql(filters, at: date)
        let termCounts = driver.termCounts
        return try await run { db in
            // Each term weighed by its inverse document frequency among the user's memories (as on PostgreSQL), so
            // that other users' words never move a user's ranking: ln(1 + (N − n + 0.5) / (n + 0.5)), n counted up
            // to `textCountLimit` (and remembered while N stays within 1 %, see ``TermCounts``).
            let total = max(1, try db.value("SELECT memory_count FROM users WHERE id = \(userID)", as: Int.self) ?? 0)
            var counts = termCounts.counts(userID: userID, memoryCount: total, terms: phrases)
            var counted: [String: Int] = [:]
            for phrase in phrases where counts[phrase] == nil {
                counted[phrase] =
                    try db.value(
                        """
                        SELECT count(*) FROM (
                            SELECT 1 FROM memories_fts WHERE memories_fts MATCH \(owner + phrase)
                            LIMIT \(Self.textCountLimit))
                        """, as: Int.self) ?? 0
            }
            if !counted.isEmpty {
                termCounts.remember(userID: userID, memoryCount: total, counted)
                counts.merge(counted) { _, new in new }
            }
            // BM25's average row length, also among the user's rows only.
            var averageLength = termCounts.averageLength(userID: userID, memoryCount: total)
            if averageLength == nil {
                let row = try db.rows(
                    """
                    WITH rows AS MATERIALIZED (
                        SELECT engram_length(memories_fts) AS tokens FROM memories_fts
                        WHERE memories_fts MATCH \(ownerPhrase))
                    SELECT sum(tokens), count(*) FROM rows
                    """
                ).first
                let (tokens, rows): (Double?, Int?) = (row?[0], row?[1])
                averageLength = (tokens ?? 0) / Double(max(1, rows ?? 0))
                termCounts.remember(userID: userID, memoryCount: total, averageLength: averageLength ?? 0)
            }
            var ranking = "engram_bm25(1, \(averageLength ?? 0), 0.0, 1.0, 0.5, 0.5, 0.5, 0.5"
            for phrase in phrases {
                let count = Double(counts[phrase] ?? 0)
                ranking += ", " + String(log(1 + (max(0, Double(total) - count) + 0.5) / (count + 0.5)))
            }
            ranking += ")"
            // Ranking costs a few microseconds a row: past the newest `textScanLimit` matches, older ones are left
            // to the vector search. The bound is the row number of the last match ranked (0: all of them).
            let floor =
                total <= Self.textScanLimit
                ? 0
                : try db.value(
                    """
                    SELECT rowid FROM memories_fts WHERE memories_fts MATCH \(match)
                    ORDER BY rowid DESC LIMIT 1 OFFSET \(Self.textScanLimit - 1)
                    """, as: Int64.self) ?? 0
            var want = limit
            while true {
                var scores: [Int64: Double] = [:]
                let hits = try db.rows(
                    """
                    SELECT rowid, -rank FROM memories_fts
                    WHERE memories_fts MATCH \(match) AND rowid >= \(floor)
                        AND rank MATCH \(ranking)
                    ORDER BY rank LIMIT \(want)
                    """)
                for hit in hits { scores[hit[0]] = hit[1] }
                let rows = try Self.signals(db, userID: userID, seqs: Array(scores.keys), filter: filter)
                if rows.count >= limit || hits.count < want {
                    return rows.map { Self.candidate($0, textScore: scores[$0[0]]) }
                        .sorted { ($0.textScore ?? 0, $1.memoryID) > ($1.textScore ?? 0, $0.memoryID) }
                        .prefix(limit).map { $0 }
                }
                want *= 4
            }
        }
    }

    /// How many of a query's full-text matches, newest first, are ranked.
    static let textScanLimit = 1_000
    /// How many of a term's matches are counted to weigh it.
    static let textCountLimit = 1_000

    func vectorCandidates(
        userID: String, vector: [Float], model: EmbeddingModel, filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate] {
        let cache = driver.vectors
        let filter = MemoryFilter.sql(filters, at: date)
        return try await run { db in
            let index = try cache.index(db, userID: userID, model: model)
            var want = limit
            while true {
                let hits = index.search(vector, k: want)
                let scores = Dictionary(hits.map { ($0.key, Double($0.score)) }, uniquingKeysWith: max)
                let rows = try Self.signals(db, userID: userID, seqs: hits.map(\.key), filter: filter)
                if rows.count >= limit || hits.count < want {
                    return rows.map { Self.candidate($0, vectorScore: scores[$0[0]]) }
                        .sorted { ($0.vectorScore ?? 0, $1.memoryID) > ($1.vectorScore ?? 0, $0.memoryID) }
                        .prefix(limit).map { $0 }
                }
                want *= 4
            }
        }
    }

    func vectorScores(userID: String, memoryIDs: [String], vector: [Float], model: EmbeddingModel) async throws
        -> [String: Double]
    {
        guard !memoryIDs.isEmpty else { return [:] }
        let cache = driver.vectors
        return try await run { db in
            let index = try cache.index(db, userID: userID, model: model)
            var scores: [String: Double] = [:]
            for row in try db.rows(
                """
                SELECT id, seq FROM memories
                WHERE user_id = \(userID) AND id IN (SELECT value FROM json_each(\(Column.strings(memoryIDs))))
                """)
            {
                if let score = index.score(vector, key: row[1]) { scores[row[0]] = Double(score) }
            }
            return scores
        }
    }

    func candidates(userID: String, ids: [String], filters: RecallFilters, at date: Date) async throws
        -> [RecallCandidate]
    {
        guard !ids.isEmpty else { return [] }
        let filter = MemoryFilter.sql(filters, at: date)
        return try await run { db in
            try db.rows(
                """
                SELECT \(Self.signalColumns) FROM memories m
                WHERE m.user_id = \(userID) AND m.id IN (SELECT value FROM json_each(\(Column.strings(ids)))) \(filter)
                """
            ).map { Self.candidate($0) }
        }
    }

    func sourcedMemories(userID: String, sessionID: String, messageIDs: [String]) async throws -> [SourcedMemory] {
        guard !messageIDs.isEmpty else { return [] }
        return try await run { db in
            try db.rows(
                """
                SELECT id, source_message_ids, search_context FROM memories
                WHERE user_id = \(userID) AND session_id = \(sessionID) AND EXISTS (
                    SELECT 1 FROM json_each(source_message_ids) s
                    WHERE s.value IN (SELECT value FROM json_each(\(Column.strings(messageIDs)))))
                ORDER BY id
                """
            ).map { row in
                SourcedMemory(
                    id: row[0], sourceMessageIDs: Column.strings(row[1] as String?), searchContext: row[2])
            }
        }
    }

    func setSearchContexts(userID: String, _ contexts: [String: String]) async throws {
        try await run { db in
            for (id, context) in contexts.sorted(by: { $0.key < $1.key }) {
                try db.run(
                    """
                    UPDATE memories SET search_context = \(context.isEmpty ? nil : context)
                    WHERE user_id = \(userID) AND id = \(id)
                    """)
            }
        }
    }

    /// The signal rows of the memories with row numbers `seqs` that belong to the user and pass `filter`.
    private static func signals(_ db: Database, userID: String, seqs: [Int64], filter: SQL) throws -> [Row] {
        guard !seqs.isEmpty else { return [] }
        let list = JSONValue.array(seqs.map { .number(Double($0)) }).jsonText
        // `+m.user_id` keeps the planner on the row numbers instead of scanning the user's index.
        return try db.rows(
            """
            SELECT \(signalColumns) FROM memories m
            WHERE m.seq IN (SELECT value FROM json_each(\(list))) AND +m.user_id = \(userID) \(filter)
            """)
    }

    private static func candidate(_ row: Row, vectorScore: Double? = nil, textScore: Double? = nil) -> RecallCandidate {
        RecallCandidate(
            memoryID: row[1], salience: row[2], strength: row[3], decayRate: row[4],
            lastReinforcedAt: Date(millis: row[5]), vectorScore: vectorScore, textScore: textScore, matchedBy: [],
            speaker: row[6])
    }
}
