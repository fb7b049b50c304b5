import Foundation
import Testing

@testable import EngramCore
@testable import EngramTestSupport

@Suite struct RecallTests {
    static let distractors = [
        "The weather in Paris was rainy all week",
        "Bob bought new running shoes for the marathon",
        "The quarterly budget meeting moved to Thursday",
        "Remember to water the tomato plants on the balcony",
        "The train to Porto leaves at nine in the morning",
        "Carol recommended a book about medieval history",
        "The laptop battery drains quickly when gaming",
        "Pizza night is every Friday with the neighbours",
    ]

    @Test(arguments: Backend.allCases)
    func relevantMemoryRanksFirstAmongDistractors(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        for text in Self.distractors { try await h.remember("alice", text) }
        let target = try await h.remember("alice", "Alice's cat Whiskers only eats salmon flavoured food")
        for text in Self.distractors { try await h.remember("alice", "Also: " + text) }
        let results = try await h.peek("alice", "what food does the cat Whiskers eat")
        let first = try #require(results.first)
        #expect(first.memory.id == target.id)
        #expect(!first.matchedBy.isEmpty)
        #expect(first.score.similarity > 0)
        #expect(results.count <= 10)
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.score.composite >= $1.score.composite })
        #expect(results.allSatisfy { $0.memory.userID == "alice" })
        let top3 = try await h.peek("alice", "what food does the cat Whiskers eat", k: 3)
        #expect(top3.count <= 3)
        #expect(top3.first?.memory.id == target.id)
    }

    /// A memory the full-text search finds outside the vector search's pool still carries its cosine with the
    /// query (the full-text search scores it itself when the driver has the vectors at hand, else recall asks), both
    /// on the first recall after opening and on a later one.
    @Test(arguments: Backend.allCases)
    func aTextOnlyMatchCarriesItsVectorScore(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        // 80 memories nearer the query's vector than the target (3 of its 4 words), more than the pool of k = 6 (60).
        _ = try await h.store.rememberAll(
            (0..<80).map { MemoryDraft(userID: "alice", content: "alpha beta gamma note \($0)") })
        let content = "Zanzibar spice farms visited on a humid afternoon with cloves and nutmeg everywhere"
        let target = try await h.remember("alice", content)
        let query = "alpha beta gamma zanzibar"
        let vectors = try await HashingEmbedder().embed([query, content])
        let cosine = Double(VectorMath.dot(vectors[0], vectors[1]))
        for _ in 0..<2 {
            let results = try await h.peek("alice", query, k: 6)
            let found = try #require(results.first { $0.memory.id == target.id })
            #expect(found.matchedBy == ["text"], "the target must come from the full-text search alone")
            #expect(abs(found.score.vector - cosine) < 0.01, "\(found.score.vector) against \(cosine)")
            #expect(found.score.vector > 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func compositeIsTheWeightedSumOfTheBreakdown(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let a = try await h.remember("alice", "Rust ownership rules prevent data races", salience: 0.9)
        let b = try await h.remember("alice", "Rust borrow checker enforces ownership", salience: 0.3)
        try await h.remember("alice", "Python has a global interpreter lock", salience: 0.5)
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, weight: 0.6))
        h.clock.advance(by: 3 * day)
        let results = try await h.peek("alice", "rust ownership")
        #expect(results.count >= 2)
        for result in results {
            let s = result.score
            let expected = 0.6 * s.similarity + 0.2 * s.salience + 0.1 * s.recency + 0.1 * s.linkWeight
            #expect(isClose(s.composite, expected), "composite of \(result.memory.content)")
            #expect(isClose(s.salience, result.memory.salience))
            #expect(isClose(s.similarity, min(1, 0.4 * s.vectorNormalised + 0.6 * s.text + s.boost)))
            #expect((0...1).contains(s.vector))
            #expect((0...1).contains(s.text))
            #expect(isClose(s.recency, DecayPolicy.default.currentStrength(of: result.memory, at: h.now), 1e-6))
        }

        let weights = RecallWeights(similarity: 1, salience: 0, recency: 0, link: 0)
        let custom = try await h.store.recall(
            RecallQuery(userID: "alice", text: "rust ownership", weights: weights, reinforce: false))
        #expect(!custom.isEmpty)
        for result in custom { #expect(isClose(result.score.composite, result.score.similarity)) }

        let strict = try await h.store.recall(
            RecallQuery(userID: "alice", text: "rust ownership", minScore: 0.999, reinforce: false))
        #expect(strict.isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func resultsCarryTheirSourceMessages(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let m1 = try await h.message("alice", "s1", "I'm allergic to peanuts")
        try await h.message("alice", "s1", "unrelated chatter")
        let m3 = try await h.message("alice", "s1", "and also to shellfish")
        let memory = try await h.remember(
            "alice", "Alice is allergic to peanuts and shellfish", sessionID: "s1", sourceMessageIDs: [m3.id, m1.id])
        try await h.remember("alice", "Alice has no known drug allergies")
        let results = try await h.peek("alice", "peanuts shellfish allergy")
        let hit = try #require(results.first { $0.memory.id == memory.id })
        #expect(hit.sources.map(\.id) == [m1.id, m3.id])
        #expect(hit.sources.map(\.content) == ["I'm allergic to peanuts", "and also to shellfish"])
        let other = results.first { $0.memory.id != memory.id }
        #expect(other.map { $0.sources.isEmpty } ?? true)
    }

    @Test(arguments: Backend.allCases)
    func filtersExcludeNonMatchingMemories(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        _ = try await h.store.createAgent(AgentDraft(userID: "alice", id: "a1", name: "One"))
        _ = try await h.store.createAgent(AgentDraft(userID: "alice", id: "a2", name: "Two"))
        try await h.session(id: "s1")
        try await h.session(id: "s2")
        let episodic = try await h.remember(
            "alice", "Project falcon kickoff meeting happened", sector: .episodic, contextType: .conversationFact,
            tags: ["work", "falcon"], sessionID: "s1", agentID: "a1")
        h.clock.advance(by: day)
        let middle = h.now
        let semantic = try await h.remember(
            "alice", "Project falcon uses a Postgres database", sector: .semantic, contextType: .toolOutput,
            tags: ["work"], sessionID: "s2", agentID: "a2")
        h.clock.advance(by: day)
        let procedural = try await h.remember(
            "alice", "To deploy project falcon run the release script", sector: .procedural,
            contextType: .completedAction, tags: ["falcon", "ops"])
        let all = [episodic.id, semantic.id, procedural.id]

        func ids(_ filters: RecallFilters) async throws -> Set<String> {
            Set(try await h.peek("alice", "project falcon", filters: filters).map(\.memory.id))
        }
        #expect(try await ids(.init()) == Set(all))
        #expect(try await ids(RecallFilters(sectors: [.episodic])) == [episodic.id])
        #expect(try await ids(RecallFilters(sectors: [.semantic, .procedural])) == [semantic.id, procedural.id])
        #expect(try await ids(RecallFilters(contextTypes: [.toolOutput])) == [semantic.id])
        #expect(try await ids(RecallFilters(tags: ["falcon"])) == [episodic.id, procedural.id])
        #expect(try await ids(RecallFilters(tags: ["falcon", "work"])) == [episodic.id])
        #expect(try await ids(RecallFilters(sessionID: "s2")) == [semantic.id])
        #expect(try await ids(RecallFilters(agentID: "a1")) == [episodic.id])
        #expect(try await ids(RecallFilters(createdAfter: middle)) == [semantic.id, procedural.id])
        #expect(try await ids(RecallFilters(createdBefore: middle)) == [episodic.id])
        #expect(
            try await ids(RecallFilters(createdAfter: middle, createdBefore: middle.addingTimeInterval(hour))) == [
                semantic.id
            ])
        #expect(try await ids(RecallFilters(sectors: [.emotional])).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func linkedMemoriesGetALinkWeight(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let best = try await h.remember("alice", "Alice's sister Maria lives in Madrid")
        let linked = try await h.remember("alice", "Maria works as an architect")
        let unlinked = try await h.remember("alice", "Maria enjoys flamenco dancing")
        for text in RecallTests.distractors { try await h.remember("alice", text) }
        _ = try await h.store.link(
            LinkDraft(userID: "alice", sourceID: best.id, targetID: linked.id, type: .relatesTo, weight: 0.8))
        let results = try await h.peek("alice", "where does Alice's sister Maria live in Madrid")
        #expect(results.first?.memory.id == best.id)
        let hit = try #require(results.first { $0.memory.id == linked.id })
        let top = try #require(results.first)
        // Activation through the link: its weight times the similarity of the memory at the other end.
        #expect(hit.score.linkWeight > 0)
        #expect(isClose(hit.score.linkWeight, 0.8 * top.score.similarity))
        #expect(isClose(top.score.linkWeight, 0.8 * hit.score.similarity))
        let plain = results.first { $0.memory.id == unlinked.id }
        #expect(plain.map { $0.score.linkWeight == 0 } ?? true)
    }

    @Test(arguments: Backend.allCases)
    func softForgottenMemoriesNeedIncludeInvalid(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let memory = try await h.remember("alice", "Alice's locker code is 4711")
        try await h.remember("alice", "The gym opens at six")
        h.clock.advance(by: 60)
        try await h.store.forget(userID: "alice", id: memory.id, mode: .soft)
        let hidden = try await h.peek("alice", "locker code")
        #expect(!hidden.contains { $0.memory.id == memory.id })
        let shown = try await h.peek("alice", "locker code", filters: RecallFilters(includeInvalid: true))
        #expect(shown.first?.memory.id == memory.id)
        #expect(shown.first?.memory.validTo != nil)
    }

    @Test(arguments: Backend.allCases)
    func recencyFollowsDecayAndRecallReinforces(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let memory = try await h.remember("alice", "Alice visited the Louvre museum", sector: .episodic)
        h.clock.advance(by: 7 * day)
        let peeked = try await h.peek("alice", "Louvre museum visit")
        let hit = try #require(peeked.first { $0.memory.id == memory.id })
        #expect(abs(hit.score.recency - exp(-0.1 * 7)) < 1e-6)
        let untouched = try await h.store.memory(userID: "alice", id: memory.id)
        #expect(untouched.accessCount == 0)
        #expect(untouched.strength == 1)
        #expect(untouched.lastAccessedAt == nil)

        let recalled = try await h.store.recall(
            RecallQuery(userID: "alice", text: "Louvre museum visit", reinforce: true))
        #expect(recalled.contains { $0.memory.id == memory.id })
        let reinforced = try await h.store.memory(userID: "alice", id: memory.id)
        #expect(reinforced.accessCount == 1)
        #expect(reinforced.lastAccessedAt == h.now)
        #expect(reinforced.lastReinforcedAt == h.now)
        let expected = DecayPolicy.default.reinforced(untouched, at: h.now)
        #expect(abs(reinforced.strength - expected) < 1e-9)
        #expect(abs(expected - (exp(-0.7) + 0.3 * (1 - exp(-0.7)))) < 1e-12)

        // A second reinforced recall builds on the first.
        h.clock.advance(by: day)
        _ = try await h.store.recall(RecallQuery(userID: "alice", text: "Louvre museum visit"))
        let twice = try await h.store.memory(userID: "alice", id: memory.id)
        #expect(twice.accessCount == 2)
        #expect(abs(twice.strength - DecayPolicy.default.reinforced(reinforced, at: h.now)) < 1e-9)
    }

    /// A term's weight in full-text ranking counts only the user's own memories: another user writing the same
    /// words (many times) moves neither the order nor the text scores of this user's results. (On SQLite the first
    /// search, with Alice the only user holding memories, runs without the full-text owner filter; the second with
    /// it.)
    @Test(arguments: Backend.allCases)
    func anotherUsersWordsDoNotMoveAUsersTextScores(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user("alice")
        for text in [
            "Garden party on Saturday", "The garden needs water", "Party planning for the office",
            "A quiet evening with a book", "Tomatoes grow well in the garden",
        ] {
            try await h.remember("alice", text)
        }
        let before = try await h.peek("alice", "garden party", expandLinks: false)
        #expect(before.count >= 4)
        try await h.user("bob")
        _ = try await h.store.rememberAll(
            (0..<60).map { MemoryDraft(userID: "bob", content: "garden garden note \($0)") })
        let after = try await h.peek("alice", "garden party", expandLinks: false)
        #expect(after.map(\.memory.id) == before.map(\.memory.id))
        for (a, b) in zip(before, after) {
            #expect(abs(a.score.text - b.score.text) < 1e-9)
        }
    }

    /// Reinforcement is written after the answer: many recalls in a row are all counted, each audited once,
    /// and another service on the same database sees them once the first one has flushed its queue.
    @Test(arguments: Backend.allCases)
    func queuedReinforcementIsWrittenOnceEachAndSeenByAnotherService(backend: Backend) async throws {
        let open = try makeDatabase(backend)
        let clock = ManualClock()
        let first = try open(clock, .init())
        let h = Harness(store: first, clock: clock)
        try await h.user()
        let memory = try await h.remember("alice", "Alice keeps her passport in the blue drawer")
        let recalls = ReinforcementQueue.maxPending + 5  // past the backlog at which a recall waits for the writer
        for _ in 0..<recalls {
            let results = try await first.recall(RecallQuery(userID: "alice", text: "passport drawer"))
            #expect(results.first?.memory.id == memory.id)
        }
        await first.flushReinforcements()
        let second = try open(clock, .init())
        let seen = try await second.memory(userID: "alice", id: memory.id)
        #expect(seen.accessCount == recalls)
        let audit = try await second.auditLog(userID: "alice", limit: recalls + 10)
        #expect(audit.filter { $0.action == "memory.reinforce" && $0.targetID == memory.id }.count == recalls)
    }

    @Test(arguments: Backend.allCases)
    func recallOfAnEmptyStoreIsEmpty(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        #expect(try await h.peek("alice", "anything at all").isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func invalidRecallQueries(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.remember("alice", "something to find")
        let before = try await h.snapshot()
        await expectEngramError(.invalidArgument) {
            try await h.store.recall(RecallQuery(userID: "alice", text: "something", k: 0))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.recall(RecallQuery(userID: "alice", text: "something", k: -1))
        }
        await expectEngramError(.emptyContent) { try await h.store.recall(RecallQuery(userID: "alice", text: "  ")) }
        await expectEngramError(.userNotFound) { try await h.store.recall(RecallQuery(userID: "nobody", text: "x")) }
        await expectEngramError(.invalidArgument) {
            try await h.store.recall(RecallQuery(userID: "alice", text: "something", minScore: .nan))
        }
        #expect(try await h.snapshot() == before)
    }

    /// The vector search measured against the exhaustive scan: on a store smaller than SQLite's short list (and
    /// than any of pgvector's index lists) both find the same top k; bad arguments change nothing.
    @Test(arguments: Backend.allCases)
    func vectorSearchRecallAgainstTheExhaustiveScan(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.user("bob")
        for (index, text) in (Self.distractors + Self.distractors.map { "Also: " + $0 }).enumerated() {
            try await h.remember("alice", "\(text), note \(index)")
            try await h.remember("bob", "Bob's copy: \(text)")
        }
        let queries = ["weather in Paris", "running shoes marathon", "tomato plants", "a book about history"]
        #expect(try await h.store.vectorSearchRecall(userID: "alice", queries: queries, k: 5) == 1)
        #expect(try await h.store.vectorSearchRecall(userID: "alice", queries: [], k: 5) == 1)
        let before = try await h.snapshot()
        await expectEngramError(.invalidArgument) {
            try await h.store.vectorSearchRecall(userID: "alice", queries: queries, k: 0)
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.vectorSearchRecall(userID: "alice", queries: queries, k: 1_001)
        }
        await expectEngramError(.userNotFound) {
            try await h.store.vectorSearchRecall(userID: "nobody", queries: queries, k: 5)
        }
        #expect(try await h.snapshot() == before)
    }
}

@Suite struct FeedbackTests {
    @Test(arguments: Backend.allCases)
    func usefulRaisesSalienceUselessLowersItWithinBounds(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let memory = try await h.remember("alice", "Alice takes the 8:15 bus", salience: 0.5)
        let feedback = try await h.store.feedback(userID: "alice", memoryID: memory.id, query: "bus time", useful: true)
        #expect(feedback.memoryID == memory.id)
        #expect(feedback.userID == "alice")
        #expect(feedback.query == "bus time")
        #expect(feedback.useful)
        #expect(feedback.createdAt == h.now)
        let raised = try await h.store.memory(userID: "alice", id: memory.id).salience
        #expect(raised > 0.5)
        _ = try await h.store.feedback(userID: "alice", memoryID: memory.id, query: nil, useful: false)
        let lowered = try await h.store.memory(userID: "alice", id: memory.id).salience
        #expect(lowered < raised)

        #expect(try await h.stats().feedback == 2)

        // Bounded: near the top, useful feedback never passes 1; near the bottom, useless never goes below 0.
        let high = try await h.remember("alice", "Alice's passport number ends in 42", salience: 0.99)
        let low = try await h.remember("alice", "Alice once mentioned a dream about boats", salience: 0.01)
        for _ in 0..<5 {
            _ = try await h.store.feedback(userID: "alice", memoryID: high.id, query: nil, useful: true)
            _ = try await h.store.feedback(userID: "alice", memoryID: low.id, query: nil, useful: false)
        }
        let top = try await h.store.memory(userID: "alice", id: high.id).salience
        let bottom = try await h.store.memory(userID: "alice", id: low.id).salience
        #expect(top >= 0.99)
        #expect(top <= 1)
        #expect(bottom <= 0.01)
        #expect(bottom >= 0)
        #expect(try await h.stats().feedback == 12)
    }

    @Test(arguments: Backend.allCases)
    func feedbackOnUnknownMemory(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let before = try await h.snapshot()
        await expectEngramError(.memoryNotFound) {
            try await h.store.feedback(userID: "alice", memoryID: "missing", query: "q", useful: true)
        }
        await expectEngramError(.userNotFound) {
            try await h.store.feedback(userID: "nobody", memoryID: "missing", query: "q", useful: true)
        }
        #expect(try await h.snapshot() == before)
    }
}
