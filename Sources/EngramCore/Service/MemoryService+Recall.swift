import Foundation

extension MemoryService {
    /// Ranked memories for a query, each with its score breakdown, how it was found and its source messages.
    ///
    /// The driver finds candidates (full text and vectors of the active model, among memories passing the
    /// filters); neighbours of the best of them along links join; ``RecallScorer`` ranks them all by the composite
    /// score. With `reinforce`, each result counts an access and its strength moves back toward 1, and each link
    /// that brought a result counts a traversal: written after the answer (see ``flushReinforcements()``).
    public func recall(_ query: RecallQuery) async throws -> [RecallResult] {
        let query = try validator.recall(query)
        // Reinforcement is written after the answer: refuse it here, where the caller can still hear about it.
        if query.reinforce, driver.isReadOnly {
            throw EngramError(
                .databaseReadOnly,
                "The database is open for reading only; recall without reinforcement (--no-reinforce, \"reinforce\": false) or open it for writing."
            )
        }
        // Rank with the active model only: its vectors, and the query embedded by its embedder.
        let embedder = embedders.recallEmbedder(active: try await activeModel())
        let model = EmbeddingModel(embedder)
        let vector = try await embedder.embed(query.text)
        let date = now()
        let userID = query.userID
        // The full-text and vector searches run at once, each in its own read transaction; everything after them
        // reads in a third. Each sees every write committed before recall began; a memory forgotten meanwhile is
        // not returned (the last read no longer finds it).
        async let textFound = textCandidates(query: query, vector: vector, model: model, at: date)
        async let vectorFound = vectorCandidates(query: query, vector: vector, model: model, at: date)
        let searched = Self.merge(text: try await textFound, vector: try await vectorFound)
        let found = try await read(.user(userID), waitingForRecalls: false) { tx in
            let found = try await self.expand(
                tx, searched, query: query, vector: vector, model: model, at: date)
            let ranked = self.scorer.rank(found.candidates, links: found.links, query: query, at: date)
            let memories = try await tx.memories(userID: userID, ids: ranked.map(\.candidate.memoryID))
            let sources = try await tx.messages(userID: userID, ids: memories.flatMap(\.sourceMessageIDs))
            return RecallRead(
                ranked: ranked, memories: Dictionary(memories.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }),
                sources: Dictionary(sources.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }),
                expansions: found.expansions, links: found.links)
        }
        let results = found.ranked.compactMap { entry -> RecallResult? in
            guard let memory = found.memories[entry.candidate.memoryID] else { return nil }
            return RecallResult(
                memory: memory, score: entry.score,
                sources: memory.sourceMessageIDs.compactMap { found.sources[$0] }
                    .sorted { ($0.createdAt, $0.sequence) < ($1.createdAt, $1.sequence) },
                matchedBy: entry.candidate.matchedBy)
        }
        guard query.reinforce, !results.isEmpty else { return results }
        let resultIDs = Set(results.map(\.memory.id))
        let traversedIDs = Set(found.expansions.filter { resultIDs.contains($0.key) }.map(\.value))
        let traversed = found.links.filter { traversedIDs.contains($0.id) }.sorted { $0.id < $1.id }
        return await reinforce(results, traversedLinks: traversed, at: date)
    }

    /// What the read phase of recall hands on.
    private struct RecallRead: Sendable {
        var ranked: [(candidate: RecallCandidate, score: ScoreBreakdown)]
        var memories: [String: Memory]
        var sources: [String: Message]
        var expansions: [String: String]
        /// The links among the candidates (those of `expansions` among them).
        var links: [Link]
    }

    /// The user's best full-text matches for the query's terms (none without terms), in a read of their own, with
    /// their vector scores when the driver has them at hand. Throws when the user does not exist.
    private func textCandidates(
        query: RecallQuery, vector: [Float], model: EmbeddingModel, at date: Date
    ) async throws -> [RecallCandidate] {
        let userID = query.userID
        var terms: [String] = []
        for term in Tokenizer.terms(query.text) where !terms.contains(term) && terms.count < 32 { terms.append(term) }
        return try await read(.user(userID), waitingForRecalls: false) { tx in
            let user = try await self.requireUser(tx, userID)
            guard !terms.isEmpty else { return [] }
            let weighted = try await self.weigh(tx, terms, userID: userID, memoryCount: user.counters.memories)
            return try await tx.textCandidates(
                userID: userID, terms: weighted, memoryCount: user.counters.memories, vector: vector, model: model,
                filters: query.filters, at: date,
                limit: self.scorer.candidatePool(for: query.k))
        }
    }

    /// The user's nearest memories to the query's vector, in a read of their own.
    private func vectorCandidates(
        query: RecallQuery, vector: [Float], model: EmbeddingModel, at date: Date
    ) async throws -> [RecallCandidate] {
        try await read(.user(query.userID), waitingForRecalls: false) { tx in
            try await tx.vectorCandidates(
                userID: query.userID, vector: vector, model: model, filters: query.filters, at: date,
                limit: self.scorer.candidatePool(for: query.k))
        }
    }

    /// Both searches' candidates by memory id, each marked with the paths that found it. A vector score that is not a
    /// number (a zero vector's cosine) counts 0, as in ``expand(_:_:query:vector:model:at:)``.
    private static func merge(text: [RecallCandidate], vector: [RecallCandidate]) -> [String: RecallCandidate] {
        var byID: [String: RecallCandidate] = [:]
        let (text, vector) = (text.map(Self.numericVectorScore), vector.map(Self.numericVectorScore))
        for candidate in text { byID[candidate.memoryID] = candidate.found(by: "text") }
        for candidate in vector {
            if var known = byID[candidate.memoryID] {
                known.vectorScore = candidate.found(by: "vector").vectorScore
                known.matchedBy.insert("vector")
                byID[candidate.memoryID] = known
            } else {
                byID[candidate.memoryID] = candidate.found(by: "vector")
            }
        }
        return byID
    }

    /// `candidate` with a vector score that is not a number counted 0.
    private static func numericVectorScore(_ candidate: RecallCandidate) -> RecallCandidate {
        var candidate = candidate
        if candidate.vectorScore?.isNaN == true { candidate.vectorScore = 0 }
        return candidate
    }

    /// Everything recall scores: the searches' candidates, each with a vector score, their neighbours along links,
    /// and the links among them all.
    private func expand(
        _ tx: any StorageTransaction, _ searched: [String: RecallCandidate], query: RecallQuery, vector: [Float],
        model: EmbeddingModel, at date: Date
    ) async throws -> (candidates: [RecallCandidate], links: [Link], expansions: [String: String]) {
        let userID = query.userID
        var byID = searched
        // Text matches outside the vector pool still have a vector score (most from the text search already).
        let unscored = byID.values.filter { $0.vectorScore == nil }.map(\.memoryID).sorted()
        if !unscored.isEmpty {
            let scores = try await tx.vectorScores(userID: userID, memoryIDs: unscored, vector: vector, model: model)
            for (id, score) in scores { byID[id]?.vectorScore = score.isNaN ? 0 : score }
        }

        // Links: neighbours of the best seeds join as candidates; links among candidates feed the link weight. One
        // read of the links touching any candidate serves both; the neighbours' own links are read if any join.
        var links = try await tx.links(userID: userID, touching: byID.keys.sorted(), types: [])
        var expansions: [String: String] = [:]
        if query.expandLinks {
            let seeds = byID.values.sorted {
                Self.seedOrder($0) != Self.seedOrder($1)
                    ? Self.seedOrder($0) > Self.seedOrder($1) : $0.memoryID < $1.memoryID
            }.prefix(query.k).map(\.memoryID)
            let seedSet = Set(seeds)
            var reached: [String: String] = [:]
            for link in links {
                for (from, to) in [(link.sourceID, link.targetID), (link.targetID, link.sourceID)]
                where seedSet.contains(from) && byID[to] == nil && reached[to] == nil {
                    reached[to] = link.id
                }
            }
            if !reached.isEmpty {
                let ids = reached.keys.sorted()
                let expanded = try await tx.candidates(userID: userID, ids: ids, filters: query.filters, at: date)
                let scores = try await tx.vectorScores(
                    userID: userID, memoryIDs: expanded.map(\.memoryID), vector: vector, model: model)
                for var candidate in expanded {
                    candidate.vectorScore = scores[candidate.memoryID].map { $0.isNaN ? 0 : $0 }
                    byID[candidate.memoryID] = candidate.found(by: "link")
                    expansions[candidate.memoryID] = reached[candidate.memoryID]
                }
            }
        }
        if !expansions.isEmpty {
            let known = Set(links.map(\.id))
            links += try await tx.links(userID: userID, touching: expansions.keys.sorted(), types: []).filter {
                !known.contains($0.id)
            }
            links.sort { ($0.weight, $1.id) > ($1.weight, $0.id) }  // strongest first, then by id, as drivers give them
        }
        let ids = Set(byID.keys)
        links = links.filter { ids.contains($0.sourceID) && ids.contains($0.targetID) }
        return (byID.values.sorted { $0.memoryID < $1.memoryID }, links, expansions)
    }

    /// Each term weighed by its inverse document frequency among the user's memories (BM25's), so that another
    /// user's words never move a user's ranking. A term's matches are counted up to `termCountLimit` (past that its
    /// weight is near its floor), and remembered while the user's memory count stays within 1 % (see
    /// ``TermStatistics``).
    private func weigh(
        _ tx: any StorageTransaction, _ terms: [String], userID: String, memoryCount: Int
    ) async throws -> [WeightedTerm] {
        var counts = termStatistics.counts(userID: userID, memoryCount: memoryCount, terms: terms)
        let uncounted = terms.filter { counts[$0] == nil }
        if !uncounted.isEmpty {
            let counted = try await tx.termMatches(userID: userID, terms: uncounted, limit: Self.termCountLimit)
            let complete = Dictionary(uniqueKeysWithValues: uncounted.map { ($0, counted[$0] ?? 0) })
            termStatistics.remember(userID: userID, memoryCount: memoryCount, complete)
            counts.merge(complete) { _, new in new }
        }
        return terms.map {
            WeightedTerm(
                term: $0,
                weight: WeightedTerm.inverseDocumentFrequency(matches: counts[$0] ?? 0, total: max(1, memoryCount)))
        }
    }

    /// How many of a term's matches are counted to weigh it.
    static let termCountLimit = 1_000

    /// Orders seeds for link expansion by their strongest raw signal.
    private static func seedOrder(_ candidate: RecallCandidate) -> Double {
        max(candidate.vectorScore ?? 0, candidate.textScore.map { $0 > 0 ? 1 : 0 } ?? 0)
    }

    /// Access reinforces: counts it, moves strength back toward 1, and counts the links that brought results.
    /// The results carry their new values at once; the rows are written after the answer, by the reinforcement
    /// queue. Each row written gets an audit line (`memory.reinforce`, `link.traverse`), its digests those of the
    /// row as recall read it and as it wrote it.
    private func reinforce(
        _ results: [RecallResult], traversedLinks: [Link], at date: Date
    ) async -> [RecallResult] {
        guard let userID = results.first?.memory.userID else { return results }
        var updated = results
        for index in updated.indices {
            var memory = updated[index].memory
            memory.strength = configuration.decay.reinforced(memory, at: date)
            memory.lastReinforcedAt = date
            memory.lastAccessedAt = date
            memory.accessCount += 1
            updated[index].memory = memory
        }
        await enqueueReinforcement(
            ReinforcementQueue.Entry(
                userID: userID, memories: zip(results, updated).map { ($0.memory, $1.memory) },
                traversedLinks: traversedLinks, date: date))
        return updated
    }
}

extension RecallCandidate {
    /// This candidate found by `path` (`text`, `vector`, `link`), with any vector score made finite.
    fileprivate func found(by path: String) -> RecallCandidate {
        var candidate = self
        candidate.matchedBy = [path]
        // A zero vector has no direction: pgvector answers NaN where a dot product answers 0.
        if let score = vectorScore, score.isNaN { candidate.vectorScore = 0 }
        return candidate
    }
}

extension MemoryService {
    /// How much of the exact top `k` the vector search finds, averaged over `queries` (each embedded by the active
    /// model), against an exhaustive scan of the user's Float32 vectors: below 1 where the search approximates
    /// (SQLite's int8 pass before its exact re-rank; pgvector's HNSW or IVFFlat). Every memory of the user counts,
    /// whatever its state. A measurement (`engram bench` reports it): the exhaustive scan reads every vector.
    public func vectorSearchRecall(userID: String, queries: [String], k: Int = 10) async throws -> Double {
        let userID = try validator.identifier(userID, field: "user_id")
        let k = try validator.count(k, field: "k", in: 1...1_000)
        guard !queries.isEmpty else { return 1 }
        let embedder = embedders.recallEmbedder(active: try await activeModel())
        let model = EmbeddingModel(embedder)
        let filters = RecallFilters(includeInvalid: true)
        var found = 0
        var expected = 0
        for text in queries {
            let vector = try await embedder.embed(text)
            let date = now()
            let (approximate, exact) = try await read(.user(userID), waitingForRecalls: false) { tx in
                _ = try await self.requireUser(tx, userID)
                let approximate = try await tx.vectorCandidates(
                    userID: userID, vector: vector, model: model, filters: filters, at: date, limit: k)
                let exact = try await tx.exactVectorCandidates(
                    userID: userID, vector: vector, model: model, filters: filters, at: date, limit: k)
                return (approximate.map(\.memoryID), exact.map(\.memoryID))
            }
            found += Set(approximate).intersection(exact).count
            expected += exact.count
        }
        return expected == 0 ? 1 : Double(found) / Double(expected)
    }
}
