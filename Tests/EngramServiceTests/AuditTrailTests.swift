import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// Every mutation leaves its audit lines, with the action, target and reason, in the transaction that made it; a
/// failed operation leaves none.
@Suite struct AuditTrailTests {
    /// The user's lines written after line `after`, oldest first.
    private func lines(_ h: Harness, after: Int64 = 0, _ userID: String = "alice") async throws -> [AuditEntry] {
        try await h.store.auditLog(userID: userID, limit: 100_000).filter { $0.id > after }.reversed()
    }

    /// The number of the user's newest line.
    private func lastLine(_ h: Harness, _ userID: String = "alice") async throws -> Int64 {
        try await h.store.auditLog(userID: userID, limit: 1).first?.id ?? 0
    }

    @Test(arguments: Backend.allCases)
    func messageAppendsAreAudited(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let mark = try await lastLine(h)
        let message = try await h.message("alice", "s1", "Hello there")
        let written = try await lines(h, after: mark)
        #expect(written.map(\.action) == ["message.append"])
        #expect(written.first?.targetType == "message")
        #expect(written.first?.targetID == message.id)
        #expect(written.first?.beforeDigest == nil)
        #expect(written.first?.afterDigest == ContentHash.digest(message))
        #expect(written.first?.id == mark + 1)
    }

    @Test(arguments: Backend.allCases)
    func recallReinforcementWritesOneLinePerMemory(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let a = try await h.remember("alice", "Alice grows tomatoes in her garden")
        let b = try await h.remember("alice", "Alice waters the garden every morning")
        h.clock.advance(by: day)
        let mark = try await lastLine(h)
        _ = try await h.peek("alice", "garden")
        #expect(try await lines(h, after: mark).isEmpty, "recall without reinforcement writes nothing")

        let results = try await h.store.recall(RecallQuery(userID: "alice", text: "garden"))
        #expect(Set(results.map(\.memory.id)) == [a.id, b.id])
        let written = try await lines(h, after: mark)
        #expect(written.map(\.action) == ["memory.reinforce", "memory.reinforce"])
        #expect(written.map(\.targetID) == [a.id, b.id].sorted())
        #expect(written.allSatisfy { $0.reason == "recall reinforcement" && $0.createdAt == h.now })
        for line in written {
            let stored = try await h.store.memory(userID: "alice", id: line.targetID)
            #expect(stored.accessCount == 1)
            #expect(line.afterDigest == ContentHash.digest(stored), "the line's digest is the row as written")
            #expect(line.beforeDigest != line.afterDigest)
        }
    }

    @Test(arguments: Backend.allCases)
    func aLinkThatBringsAResultIsAuditedAsTraversed(backend: Backend) async throws {
        var configuration = EngramConfiguration()
        configuration.recall.minSimilarity = 0  // a memory reached along a link may share nothing with the query
        let h = try Harness(backend, configuration: configuration)
        try await h.user()
        let seed = try await h.remember("alice", "Zebra stripes")
        let far = try await h.remember("alice", "Quantum chromodynamics lecture")
        // More near neighbours of the query than the vector pool holds, so that the far memory is found only
        // along its link.
        _ = try await h.store.rememberAll(
            (0..<60).map { MemoryDraft(userID: "alice", content: "Zebrafish tank number \($0)") })
        let link = try await h.store.link(LinkDraft(userID: "alice", sourceID: seed.id, targetID: far.id))
        let mark = try await lastLine(h)
        let results = try await h.store.recall(
            RecallQuery(
                userID: "alice", text: "zebra", k: 3,
                weights: RecallWeights(similarity: 0, salience: 0, recency: 0, link: 1)))
        let reached = try #require(results.first { $0.memory.id == far.id })
        #expect(reached.matchedBy == ["link"])
        let written = try await lines(h, after: mark)
        let traversal = try #require(written.first { $0.action == "link.traverse" })
        #expect(traversal.targetType == "link")
        #expect(traversal.targetID == link.id)
        #expect(traversal.reason == "recall traversal")
        #expect(traversal.beforeDigest == ContentHash.digest(link))
        var after = link
        after.traversalCount = 1
        #expect(traversal.afterDigest == ContentHash.digest(after))
        #expect(written.filter { $0.action == "memory.reinforce" }.count == results.count)
        #expect(written.last?.action == "link.traverse", "memories first, then links")
    }

    @Test(arguments: Backend.allCases)
    func aDecaySweepAfterATimeJumpAuditsEveryStrengthItWrites(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let episode = try await h.remember("alice", "Alice had soup for lunch", sector: .episodic)
        let fact = try await h.remember("alice", "Alice is allergic to cats", sector: .semantic)
        let procedure = try await h.remember("alice", "Alice brews coffee with a press", sector: .procedural)
        h.clock.advance(by: 60 * day)
        let mark = try await lastLine(h)
        let report = try await h.store.maintain(userID: "alice", options: MaintenanceOptions())
        #expect(report.decayed == 2)
        #expect(report.forgotten == 1)
        let written = try await lines(h, after: mark)
        #expect(written.map(\.targetID) == [episode.id, fact.id, procedure.id].sorted(), "in memory id order")
        let forgotten = try #require(written.first { $0.targetID == episode.id })
        #expect(forgotten.action == "memory.decay_forget")
        #expect(forgotten.reason == "decay sweep: strength below the forget threshold")
        for id in [fact.id, procedure.id] {
            let line = try #require(written.first { $0.targetID == id })
            #expect(line.action == "memory.decay")
            #expect(line.targetType == "memory")
            #expect(line.reason == "decay sweep")
            #expect(line.createdAt == h.now)
            #expect(line.afterDigest == ContentHash.digest(try await h.store.memory(userID: "alice", id: id)))
        }
        #expect(written.map(\.id) == Array((mark + 1)...(mark + 3)))

        // Nothing decayed since: a second sweep writes no line.
        let again = try await lastLine(h)
        _ = try await h.store.maintain(userID: "alice", options: MaintenanceOptions())
        #expect(try await lines(h, after: again).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func expiryAuditsEachExpiredFactAndMessage(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let short = try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "short one", ttl: hour))
        let shorter = try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "short two", ttl: 60))
        let kept = try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "long", ttl: 30 * day))
        let old = try await h.message("alice", "s1", "an old message")
        h.clock.advance(by: 3 * day)
        let recent = try await h.message("alice", "s1", "a recent message")
        let mark = try await lastLine(h)
        let report = try await h.store.maintain(
            userID: "alice", options: MaintenanceOptions(decaySweep: false, messageRetention: 2 * day))
        #expect(report.expiredWorkingFacts == 2)
        #expect(report.expiredMessages == 1)
        let written = try await lines(h, after: mark)
        let expired = written.filter { $0.action == "fact.expire" }
        #expect(expired.map(\.targetID) == [short.id, shorter.id].sorted())
        #expect(expired.allSatisfy { $0.targetType == "working_fact" && $0.reason == "working fact expired" })
        #expect(expired.allSatisfy { $0.afterDigest == nil })
        #expect(expired.first { $0.targetID == short.id }?.beforeDigest == ContentHash.digest(short))
        #expect(!written.contains { $0.targetID == kept.id || $0.targetID == recent.id })
        let retention = written.filter { $0.action == "message.expire" }
        #expect(retention.map(\.targetID) == [old.id])
        #expect(retention.first?.targetType == "message")
        #expect(retention.first?.reason == "message retention")
        #expect(retention.first?.beforeDigest == ContentHash.digest(old))
    }

    @Test(arguments: Backend.allCases)
    func purgeRememberAndFeedbackSayWhy(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let memory = try await h.remember("alice", "Alice's cart holds two lamps", contextType: .temporaryState)
        var mark = try await lastLine(h)
        _ = try await h.store.remember(MemoryDraft(userID: "alice", content: "alice's cart holds TWO lamps"))
        _ = try await h.store.feedback(userID: "alice", memoryID: memory.id, query: nil, useful: true)
        _ = try await h.store.feedback(userID: "alice", memoryID: memory.id, query: nil, useful: false)
        var written = try await lines(h, after: mark)
        #expect(written.map(\.action) == ["memory.reinforce", "memory.feedback", "memory.feedback"])
        #expect(
            written.map(\.reason) == ["same content remembered again", "useful feedback", "not useful feedback"])

        h.clock.advance(by: 10 * day)
        mark = try await lastLine(h)
        _ = try await h.store.maintain(
            userID: "alice", options: MaintenanceOptions(decaySweep: false, purgeOlderThan: 5 * day))
        written = try await lines(h, after: mark)
        #expect(written.map(\.action) == ["memory.purge"])
        #expect(written.first?.reason == "purge by age")
    }

    @Test(arguments: Backend.allCases)
    func anImportAuditsEachRowAfterTheImportedTrail(backend: Backend) async throws {
        let source = try Harness(backend)
        try await buildRichDataset(source, userID: "dora")
        let records = try await source.store.export(userID: "dora")
        let exportedTrail = records.filter { $0.table == "audit_log" }.count
        let rows = records.filter { $0.table != "audit_log" }

        let target = try Harness(backend)
        _ = try await target.store.importRecords(records, scope: .allUsers)
        let trail = try await lines(target, "dora")
        #expect(trail.map(\.id) == Array(1...Int64(exportedTrail + rows.count)), "numbered after the imported lines")
        let imported = Array(trail.dropFirst(exportedTrail))
        #expect(imported.allSatisfy { $0.action.hasSuffix(".import") && $0.reason == "import" })
        let nouns = [
            "users": "user", "agents": "agent", "sessions": "session", "messages": "message", "working_facts": "fact",
            "memories": "memory", "embeddings": "embedding", "links": "link", "emotions": "emotion",
            "session_state": "state", "feedback": "feedback", "modules": "module", "entity_aliases": "entity_alias",
        ]
        #expect(imported.map(\.action) == rows.map { "\(nouns[$0.table] ?? $0.table).import" }, "in file order")
        for (line, record) in zip(imported, rows) {
            if case .memory(let memory) = record {
                #expect(line.targetID == memory.id)
                #expect(line.afterDigest == ContentHash.digest(memory))
            }
        }
        #expect(imported.contains { $0.action == "user.import" && $0.targetID == "dora" })
        #expect(imported.contains { $0.action == "memory.import" })
        #expect(imported.contains { $0.action == "message.import" })
        // The export is the original one, then the import's own lines.
        let lines = try await target.exportLines("dora")
        #expect(lines.count == records.count + rows.count)
    }

    @Test(arguments: Backend.allCases)
    func reembeddingAuditsEachVectorItWrites(backend: Backend) async throws {
        let open = try makeDatabaseWithEmbedders(backend)
        let clock = ManualClock()
        let a = Harness(store: try open(clock, .init(), HashingEmbedder(), []), clock: clock)
        try await a.user()
        let puppy = try await a.remember("alice", "The puppy chewed my slippers")
        let mark = try await lastLine(a)
        let b = Harness(store: try open(clock, .init(), ConceptEmbedder(), [HashingEmbedder()]), clock: clock)
        let report = try await b.store.reembed(batchSize: 10, prune: true) { _ in }
        #expect(report.embedded == 1)
        let written = try await lines(b, after: mark)
        #expect(written.map(\.action) == ["embedding.create", "embedding.prune"])
        #expect(written.first?.targetType == "embedding")
        #expect(written.first?.targetID.hasPrefix(puppy.id + "/") == true)
        #expect(written.first?.reason == "reembed")
        #expect(written.last?.targetID == EmbeddingModel(HashingEmbedder()).description)
        #expect(written.last?.reason == "reembed prune: 1 vectors deleted")
    }

    @Test(arguments: Backend.allCases)
    func anErasureLeavesOnlyItsOwnLine(backend: Backend) async throws {
        let h = try Harness(backend)
        try await buildRichDataset(h, userID: "alice")
        let mark = try await lastLine(h)
        _ = try await h.store.eraseUser("alice")
        try await h.user()
        let trail = try await lines(h)
        #expect(trail.map(\.action) == ["user.erase", "user.create"])
        #expect(trail.first?.id == mark + 1)
        #expect(trail.first?.reason == "erasure: every row of the user deleted")
    }

    @Test(arguments: Backend.allCases)
    func aFailedOperationLeavesNoLine(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let memory = try await h.remember("alice", "Alice likes jazz")
        let before = try await h.store.auditLog(userID: "alice", limit: 1_000)
        // Refused by validation, before the transaction.
        await expectEngramError(.emptyContent) {
            try await h.store.appendMessage(MessageDraft(userID: "alice", sessionID: "s1", role: .user, content: " "))
        }
        // Refused inside the transaction.
        await expectEngramError(.sessionNotFound) { try await h.message("alice", "missing", "hello") }
        await expectEngramError(.memoryNotFound) {
            try await h.store.feedback(userID: "alice", memoryID: "missing", query: nil, useful: true)
        }
        // A row the database refuses after earlier rows of the batch were written.
        let dangling = ExportRecord.link(
            Link(
                id: "dangling", userID: "alice", sourceID: memory.id, targetID: "missing", type: .relatesTo,
                weight: 0.5, origin: .explicit, traversalCount: 0, metadata: .emptyObject, createdAt: h.now))
        let fine = ExportRecord.feedback(
            Feedback(id: "f1", userID: "alice", memoryID: memory.id, query: nil, useful: true, createdAt: h.now))
        await expectAnyEngramError { try await h.store.importRecords([fine, dangling], scope: .user("alice")) }
        #expect(try await h.store.auditLog(userID: "alice", limit: 1_000) == before)
    }
}
