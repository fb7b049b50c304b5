import EngramCore
import Foundation
import GRDB

/// Recall candidates on SQLite: FTS5 BM25 (`engram_bm25`) over the newest matches among the user's rows of the index,
/// and a scan of the user's int8 vector codes in memory whose short list is re-ranked by the Float32 query against
/// those codes, and by the stored Float32 vectors of the few rows near the last place (``FlatVectorIndex``); both
/// widened until enough matches pass the filters. The vector scores of other matches come from the codes too.
extension SQLiteTransaction: CandidateSearch {
    /// The columns a candidate needs: enough to score, not to show.
    private static let signalColumns: SQL = """
        m.seq, m.id, m.salience, m.strength, m.decay_rate, m.last_reinforced_at,
        json_extract(m.metadata, '$.speaker') AS speaker
        """

    func termMatches(userID: String, terms: [String], limit: Int) async throws -> [String: Int] {
        let owner = driver.ftsOwner(userID)
        return try await run { db in
            let prefix = try (Self.ownerFilter(db, userID: userID, owner: owner) ?? "") + Self.searchedColumns
            var counts: [String: Int] = [:]
            for term in terms {
                counts[term] =
                    try db.value(
                        """
                        SELECT count(*) FROM (
                            SELECT 1 FROM memories_fts WHERE memories_fts MATCH \(prefix + Self.phrase(term)) LIMIT \(limit))
                        """, as: Int.self) ?? 0
            }
            return counts
        }
    }

    func textCandidates(
        userID: String, terms: [WeightedTerm], memoryCount: Int, vector: [Float], model: EmbeddingModel,
        filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate] {
        guard !terms.isEmpty else { return [] }
        let cache = driver.vectors
        let owner = driver.ftsOwner(userID)
        let ownerPhrase = "fts_owner:\(owner)"
        let anyTerm = terms.map { Self.phrase($0.term) }.joined(separator: " OR ")
        let filter = MemoryFilter.sql(filters, at: date)
        let averageLengths = driver.averageLengths
        return try await run { db in
            let ownerFilter = try Self.ownerFilter(db, userID: userID, owner: owner)
            let match = (ownerFilter ?? "") + Self.searchedColumns + "(" + anyTerm + ")"
            // BM25's average row length, among the user's newest rows only (remembered, see ``AverageLengths``).
            var averageLength = averageLengths.length(userID: userID, memoryCount: memoryCount)
            if averageLength == nil {
                let row = try db.rows(
                    """
                    WITH rows AS MATERIALIZED (
                        SELECT engram_length(memories_fts, \(Self.columnWeights)) AS tokens FROM memories_fts
                        WHERE memories_fts MATCH \(ownerPhrase) ORDER BY rowid DESC LIMIT \(AverageLengths.sampleSize))
                    SELECT sum(tokens), count(*) FROM rows
                    """
                ).first
                let (tokens, rows): (Double?, Int?) = (row?[0], row?[1])
                averageLength = (tokens ?? 0) / Double(max(1, rows ?? 0))
                averageLengths.remember(userID: userID, memoryCount: memoryCount, length: averageLength ?? 0)
            }
            // engram_bm25(fts, skipped phrases, average length, column weights…, term weights…): see fts5_rank.c.
            let weights = terms.map { term -> SQL in "\(term.weight)" }.joined(separator: ", ")
            let skipped = ownerFilter == nil ? 0 : 1
            let ranking: SQL =
                "engram_bm25(memories_fts, \(skipped), \(averageLength ?? 0), \(Self.columnWeights), \(weights))"
            // Ranking costs a few microseconds a row: past the newest `textScanLimit` matches (read newest first in
            // one pass), older ones are left to the vector search.
            var want = limit
            while true {
                var scores: [Int64: Double] = [:]
                let hits = try db.rows(
                    """
                    SELECT rowid, score FROM (
                        SELECT rowid, -\(ranking) AS score FROM memories_fts WHERE memories_fts MATCH \(match)
                        ORDER BY rowid DESC LIMIT \(Self.textScanLimit))
                    ORDER BY score DESC LIMIT \(want)
                    """)
                for hit in hits { scores[hit[0]] = hit[1] }
                let rows = try Self.signals(db, userID: userID, seqs: Array(scores.keys), filter: filter)
                if rows.count >= limit || hits.count < want {
                    let ranked = rows.map {
                        (seq: $0[0] as Int64, candidate: Self.candidate($0, textScore: scores[$0[0]]))
                    }
                    .sorted {
                        ($0.candidate.textScore ?? 0, $1.candidate.memoryID)
                            > ($1.candidate.textScore ?? 0, $0.candidate.memoryID)
                    }
                    .prefix(limit)
                    // Their vector scores from the codes, when the vector search (running beside) or an earlier
                    // recall has loaded them; else recall asks for them afterwards.
                    guard let index = try cache.loadedIndex(db, userID: userID, model: model)?.index,
                        index.dimension == vector.count
                    else { return ranked.map(\.candidate) }
                    let vectorScores = index.scores(vector, keys: ranked.map(\.seq))
                    return ranked.map { entry in
                        var candidate = entry.candidate
                        candidate.vectorScore = vectorScores[entry.seq].map(Double.init)
                        return candidate
                    }
                }
                want *= 4
            }
        }
    }

    /// The columns recall searches, as the start of a match expression.
    private static let searchedColumns = "{content summary tags keywords search_context}: "

    /// The phrase (and `AND`) that keeps a match expression to one user's rows (`owner` is the user's
    /// `fts_owner` token); `nil` when no other user has a memory. The phrase would then match every row: it costs
    /// a walk of a list as long as the index (about 1 ms a query at 100,000 memories) and filters nothing. Every
    /// match is still checked against `memories.user_id` (``signals(_:userID:seqs:filter:)``).
    private static func ownerFilter(_ db: Database, userID: String, owner: String) throws -> String? {
        let othersHaveMemories =
            try db.value(
                """
                SELECT EXISTS (SELECT 1 FROM memories WHERE user_id < \(userID))
                    OR EXISTS (SELECT 1 FROM memories WHERE user_id > \(userID))
                """, as: Bool.self) ?? true
        return othersHaveMemories ? "fts_owner:\(owner) AND " : nil
    }

    /// `term` as an FTS5 phrase: quoted, so that no word is read as query syntax.
    private static func phrase(_ term: String) -> String {
        "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// How much a match in each column of `memories_fts` counts (``FullTextFieldWeight``): the owner nothing, then
    /// content, summary, tags, keywords and the conversation context. Columns of weight 0 leave a row's length.
    private static let columnWeights: SQL = {
        let (content, secondary) = (FullTextFieldWeight.content, FullTextFieldWeight.secondary)
        return "0.0, \(content), \(secondary), \(secondary), \(secondary), \(secondary)"
    }()

    /// How many of a query's full-text matches, newest first, are ranked.
    static let textScanLimit = 1_000

    func vectorCandidates(
        userID: String, vector: [Float], model: EmbeddingModel, filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate] {
        let cache = driver.vectors
        let filter = MemoryFilter.sql(filters, at: date)
        return try await run { db in
            let entry = try cache.index(db, userID: userID, model: model)
            var want = limit
            while true {
                let hits = try entry.index.search(vector, k: want, graph: entry.graph) { seqs in
                    try Self.vectors(db, userID: userID, model: model, seqs: seqs)
                }
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

    func exactVectorCandidates(
        userID: String, vector: [Float], model: EmbeddingModel, filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate] {
        let filter = MemoryFilter.sql(filters, at: date)
        return try await run { db in
            // Every Float32 vector of the user's model that passes the filters, scored as it is read.
            var best = TopK(capacity: limit)
            let rows = try Row.fetchCursor(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT m.seq, e.vector FROM embeddings e
                        JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id AND m.sector = e.sector
                        WHERE e.user_id = \(userID) AND e.model = \(model.model) AND e.dimension = \(model.dimension)
                            \(filter)
                        """))
            while let row = try rows.next() {
                let stored = Column.vector(row[1] as Data)
                guard stored.count == vector.count else { continue }
                best.insert(VectorMath.dot(stored, vector), Int(row[0] as Int64))
            }
            let scores = Dictionary(
                best.sortedDescending().map { (Int64($0.row), Double($0.score)) }, uniquingKeysWith: max)
            return try Self.signals(db, userID: userID, seqs: Array(scores.keys), filter: filter)
                .map { Self.candidate($0, vectorScore: scores[$0[0]]) }
                .sorted { ($0.vectorScore ?? 0, $1.memoryID) > ($1.vectorScore ?? 0, $0.memoryID) }
        }
    }

    func vectorScores(userID: String, memoryIDs: [String], vector: [Float], model: EmbeddingModel) async throws
        -> [String: Double]
    {
        guard !memoryIDs.isEmpty else { return [:] }
        let cache = driver.vectors
        // From the codes in memory, as the vector search scores: only the memories' row numbers are read.
        return try await run { db in
            let index = try cache.index(db, userID: userID, model: model).index
            guard index.dimension == vector.count else { return [:] }
            var seqs: [Int64: String] = [:]
            let rows = try Self.rows(db, keys: memoryIDs) { ids in
                "SELECT seq, id FROM memories WHERE user_id = \(userID) AND id IN \(ids)"
            }
            for row in rows { seqs[row[0]] = row[1] }
            var scores: [String: Double] = [:]
            for (seq, score) in index.scores(vector, keys: Array(seqs.keys)) {
                if let id = seqs[seq] { scores[id] = Double(score) }
            }
            return scores
        }
    }

    /// The Float32 vectors of `model` of the user's memories with row numbers `seqs`: the exact products a search
    /// needs near its k-th place.
    private static func vectors(_ db: Database, userID: String, model: EmbeddingModel, seqs: [Int64]) throws
        -> [Int64: [Float]]
    {
        var vectors: [Int64: [Float]] = [:]
        for row in try rows(
            db, keys: seqs,
            { seqs in
                """
                SELECT m.seq, e.vector FROM memories m
                CROSS JOIN embeddings e ON e.user_id = m.user_id AND e.memory_id = m.id AND e.sector = m.sector
                WHERE m.seq IN \(seqs) AND +m.user_id = \(userID)
                    AND e.model = \(model.model) AND e.dimension = \(model.dimension)
                """
            })
        {
            vectors[row[0]] = Column.vector(row[1] as Data)
        }
        return vectors
    }

    func candidates(userID: String, ids: [String], filters: RecallFilters, at date: Date) async throws
        -> [RecallCandidate]
    {
        guard !ids.isEmpty else { return [] }
        let filter = MemoryFilter.sql(filters, at: date)
        return try await run { db in
            try Self.rows(db, keys: ids) { ids in
                "SELECT \(Self.signalColumns) FROM memories m WHERE m.user_id = \(userID) AND m.id IN \(ids) \(filter)"
            }.map { Self.candidate($0) }
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
        // `+m.user_id` keeps the planner on the row numbers instead of scanning the user's index.
        try rows(db, keys: seqs) { seqs in
            "SELECT \(signalColumns) FROM memories m WHERE m.seq IN \(seqs) AND +m.user_id = \(userID) \(filter)"
        }
    }

    /// The rows of `query` for every key of `keys`, given in lists of at most 500 bound parameters (`IN (?, ?, …)`,
    /// through the statement cache): a JSON list for `json_each` costs more to write and read than these lookups.
    private static func rows<Key: DatabaseValueConvertible & SQLExpressible>(
        _ db: Database, keys: [Key], _ query: ([Key]) -> SQL
    ) throws -> [Row] {
        var rows: [Row] = []
        var start = 0
        while start < keys.count {
            let end = min(keys.count, start + 500)
            rows += try db.rows(query(Array(keys[start..<end])))
            start = end
        }
        return rows
    }

    private static func candidate(_ row: Row, vectorScore: Double? = nil, textScore: Double? = nil) -> RecallCandidate {
        RecallCandidate(
            memoryID: row[1], salience: row[2], strength: row[3], decayRate: row[4],
            lastReinforcedAt: Date(millis: row[5]), vectorScore: vectorScore, textScore: textScore, matchedBy: [],
            speaker: row[6])
    }
}
