import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
    public func recall(_ query: RecallQuery) async throws -> [RecallResult] {
        let query = try validator.recall(query)
        // Rank with the active model only: its vectors, and the query embedded by its embedder.
        let embedder = embedders.recallEmbedder(active: try await activeModel())
        let model = EmbeddingModel(embedder)
        let queryVector = try await embedder.embed(query.text)
        let date = now()
        let (ranked, memories, sources, expansions) = try await read { db in
            try self.requireUser(db, query.userID)
            let found = try self.candidates(db, query: query, vector: queryVector, model: model, at: date)
            let ranked = self.scorer.rank(found.candidates, links: found.links, query: query, at: date)
            let memories = try self.memories(db, userID: query.userID, ids: ranked.map(\.candidate.memoryID))
            let sourceIDs = Set(memories.values.flatMap(\.sourceMessageIDs))
            let sources = try self.messages(db, userID: query.userID, ids: Array(sourceIDs))
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
            results = try await write { db in
                try self.recordAccess(db, results: accessed, traversedLinks: traversed, at: date)
            }
        }
        return results
    }

    /// The columns phase one reads: enough to score, not to show.
    private static let signalColumns = "m.seq, m.id, m.salience, m.strength, m.decay_rate, m.last_reinforced_at"

    private func candidate(_ row: Row, vectorScore: Double?, textScore: Double?, matchedBy: String) -> RecallCandidate {
        RecallCandidate(
            memoryID: row[1], salience: row[2], strength: row[3], decayRate: row[4],
            lastReinforcedAt: Date(millis: row[5]), vectorScore: vectorScore, textScore: textScore,
            matchedBy: [matchedBy])
    }

    /// Everything recall scores: full-text and vector candidates, link expansions, and the links among them.
    private func candidates(
        _ db: Database, query: RecallQuery, vector: [Float], model: EmbeddingModel, at date: Date
    ) throws -> (candidates: [RecallCandidate], links: [Link], expansions: [String: String]) {
        let pool = scorer.candidatePool(for: query.k)
        let (filter, filterArguments) = MemoryFilter.clause(query.filters, at: date)
        let index = try vectors.index(db, userID: query.userID, model: model)
        var bySeq: [Int64: RecallCandidate] = [:]

        // Full text: bm25 over content, summary, tags and keywords, inside this user's rows of the index;
        // like vectors, widened until enough matches pass the filters or there are no more.
        var terms: [String] = []
        for term in Tokenizer.terms(query.text) where !terms.contains(term) && terms.count < 32 { terms.append(term) }
        if !terms.isEmpty {
            let match =
                "fts_owner:\(ftsOwner(query.userID)) AND {content summary tags keywords}: ("
                + terms.map { "\"\($0)\"" }.joined(separator: " OR ") + ")"
            var want = pool
            while true {
                let hits = try Row.fetchAll(
                    db,
                    cached: """
                        SELECT rowid, -rank FROM memories_fts
                        WHERE memories_fts MATCH ? AND rank MATCH 'bm25(0.0, 1.0, 0.5, 0.5, 0.5)'
                        ORDER BY rank LIMIT ?
                        """,
                    arguments: [match, want])
                var scores: [Int64: Double] = [:]
                for hit in hits { scores[hit[0]] = hit[1] }
                let rows = try signals(
                    db, userID: query.userID, seqs: Array(scores.keys), filter: filter, filterArguments)
                for row in rows {
                    let seq: Int64 = row[0]
                    bySeq[seq] = candidate(
                        row, vectorScore: index.score(vector, key: seq).map(Double.init), textScore: scores[seq],
                        matchedBy: "text")
                }
                if rows.count >= pool || hits.count < want { break }
                want *= 4
            }
        }

        // Vectors: exact top-k; widen the scan until enough hits pass the filters or the index is exhausted.
        var want = pool
        while true {
            let hits = index.search(vector, k: want)
            let scores = Dictionary(hits.map { ($0.key, $0.score) }, uniquingKeysWith: max)
            let rows = try signals(db, userID: query.userID, seqs: hits.map(\.key), filter: filter, filterArguments)
            for row in rows {
                let seq: Int64 = row[0]
                if bySeq[seq] != nil {
                    bySeq[seq]?.matchedBy.insert("vector")
                } else {
                    bySeq[seq] = candidate(
                        row, vectorScore: scores[seq].map(Double.init), textScore: nil, matchedBy: "vector")
                }
            }
            if rows.count >= pool || hits.count < want { break }
            want *= 4
        }

        // Links: neighbours of the best seeds join as candidates; links among candidates feed the link weight.
        var expansions: [String: String] = [:]
        if query.expandLinks {
            let seeds = Array(
                bySeq.values.sorted { seedOrder($0) > seedOrder($1) }.prefix(query.k).map(\.memoryID))
            let present = Set(bySeq.values.map(\.memoryID))
            var newIDs: [String: String] = [:]
            for link in try links(db, userID: query.userID, touching: seeds) {
                for (from, to) in [(link.sourceID, link.targetID), (link.targetID, link.sourceID)]
                where seeds.contains(from) && !present.contains(to) && newIDs[to] == nil {
                    newIDs[to] = link.id
                }
            }
            if !newIDs.isEmpty {
                var arguments: StatementArguments = [query.userID, Column.strings(Array(newIDs.keys))]
                arguments += filterArguments
                let rows = try Row.fetchAll(
                    db,
                    cached: """
                        SELECT \(Self.signalColumns) FROM memories m
                        WHERE m.user_id = ? AND m.id IN (SELECT value FROM json_each(?)) \(filter)
                        """,
                    arguments: arguments)
                for row in rows {
                    let seq: Int64 = row[0]
                    let id: String = row[1]
                    bySeq[seq] = candidate(
                        row, vectorScore: index.score(vector, key: seq).map(Double.init), textScore: nil,
                        matchedBy: "link")
                    expansions[id] = newIDs[id]
                }
            }
        }
        let ids = Set(bySeq.values.map(\.memoryID))
        let links = try links(db, userID: query.userID, touching: Array(ids)).filter {
            ids.contains($0.sourceID) && ids.contains($0.targetID)
        }
        return (Array(bySeq.values), links, expansions)
    }

    /// Orders seeds for link expansion by their strongest raw signal.
    private func seedOrder(_ candidate: RecallCandidate) -> Double {
        max(candidate.vectorScore ?? 0, candidate.textScore.map { $0 > 0 ? 1 : 0 } ?? 0)
    }

    private func signals(
        _ db: Database, userID: String, seqs: [Int64], filter: String, _ filterArguments: StatementArguments
    ) throws -> [Row] {
        guard !seqs.isEmpty else { return [] }
        // `+m.user_id` keeps the planner on the row ids instead of scanning the user's index.
        var arguments: StatementArguments = [JSONValue.array(seqs.map { .number(Double($0)) }).jsonText, userID]
        arguments += filterArguments
        return try Row.fetchAll(
            db,
            cached: """
                SELECT \(Self.signalColumns) FROM memories m
                WHERE m.seq IN (SELECT value FROM json_each(?)) AND +m.user_id = ? \(filter)
                """,
            arguments: arguments)
    }

    /// Access reinforces: count it, move strength back toward 1, and count traversed links.
    private func recordAccess(
        _ db: Database, results: [RecallResult], traversedLinks: [String], at date: Date
    ) throws -> [RecallResult] {
        var updated = results
        for index in updated.indices {
            var memory = updated[index].memory
            memory.strength = configuration.decay.reinforced(memory, at: date)
            memory.lastReinforcedAt = date
            memory.lastAccessedAt = date
            memory.accessCount += 1
            try db.run(
                sql: """
                    UPDATE memories SET strength = ?, last_reinforced_at = ?, last_accessed_at = ?,
                        access_count = access_count + 1
                    WHERE user_id = ? AND id = ?
                    """,
                arguments: [memory.strength, date.millis, date.millis, memory.userID, memory.id])
            updated[index].memory = memory
        }
        if let userID = results.first?.memory.userID, !traversedLinks.isEmpty {
            try db.run(
                sql: """
                    UPDATE links SET traversal_count = traversal_count + 1
                    WHERE user_id = ? AND id IN (SELECT value FROM json_each(?))
                    """,
                arguments: [userID, Column.strings(traversedLinks)])
        }
        return updated
    }

    /// The user's messages with the given ids, by id.
    func messages(_ db: Database, userID: String, ids: [String]) throws -> [String: Message] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db, cached: "SELECT * FROM messages WHERE user_id = ? AND id IN (SELECT value FROM json_each(?))",
            arguments: [userID, Column.strings(ids)])
        var result: [String: Message] = [:]
        for row in rows {
            let message = try Decode.message(row)
            result[message.id] = message
        }
        return result
    }
}
