import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// A write that fails part-way leaves nothing behind.
@Suite struct AtomicityTests {
    @Test(arguments: Backend.allCases)
    func importWithABadLastRecordWritesNothing(backend: Backend) async throws {
        let source = try Harness(backend)
        try await buildRichDataset(source, userID: "dora")
        var records = try await source.store.export(userID: "dora")
        records.append(
            .link(
                Link(
                    id: "dangling", userID: "dora", sourceID: "does-not-exist", targetID: "neither-does-this",
                    type: .relatesTo, weight: 0.5, origin: .explicit, traversalCount: 0, metadata: .emptyObject,
                    createdAt: source.now)))
        let target = try Harness(backend)
        target.clock.set(source.now)
        try await target.user("bystander")
        let bystanderBefore = try await target.snapshot("bystander")
        await expectAnyEngramError { try await target.store.importRecords(records, scope: .allUsers) }
        await expectEngramError(.userNotFound) { try await target.store.user("dora") }
        await expectEngramError(.userNotFound) { try await target.store.export(userID: "dora") }
        #expect(try await target.store.users().map(\.id) == ["bystander"])
        #expect(try await target.snapshot("bystander") == bystanderBefore)
        #expect(try await target.peek("bystander", "fractions").isEmpty)

        // The same batch without the bad record imports fine afterwards.
        records.removeLast()
        _ = try await target.store.importRecords(records, scope: .allUsers)
        #expect(try await target.exportLinesWithoutImports("dora") == (try await source.exportLines("dora")))
    }

    @Test(arguments: Backend.allCases)
    func importWithADuplicateUserWritesNothing(backend: Backend) async throws {
        let source = try Harness(backend)
        try await buildRichDataset(source, userID: "erin")
        let records = try await source.store.export(userID: "erin")
        let target = try Harness(backend)
        await expectAnyEngramError { try await target.store.importRecords(records + [records[0]], scope: .allUsers) }
        await expectEngramError(.userNotFound) { try await target.store.user("erin") }
        #expect(try await target.store.users().isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func importOfAMalformedBatchIntoAnExistingUserWritesNothing(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let kept = try await h.remember("alice", "Alice keeps bees")
        let before = try await h.snapshot()
        let memory = Memory(
            id: "imported-1", userID: "alice", agentID: nil, sessionID: nil, content: "Imported memory about owls",
            contentJSON: nil, summary: nil, sector: .semantic, contextType: .conversationFact, salience: 0.5,
            importance: 0.5, strength: 1, decayRate: 0.004, accessCount: 0, lastAccessedAt: nil,
            lastReinforcedAt: h.now, createdAt: h.now, updatedAt: h.now, validFrom: h.now, validTo: nil, tags: [],
            keywords: [], category: nil, metadata: .emptyObject, entity: nil, entityData: nil, entityUpdateCount: 0,
            parentID: nil, isAtomic: true, sourceMessageIDs: [],
            contentHash: ContentHash.of("Imported memory about owls"))
        let badLink = Link(
            id: "imported-link", userID: "alice", sourceID: "imported-1", targetID: "missing", type: .relatesTo,
            weight: 0.5, origin: .explicit, traversalCount: 0, metadata: .emptyObject, createdAt: h.now)
        await expectAnyEngramError {
            try await h.store.importRecords([.memory(memory), .link(badLink)], scope: .allUsers)
        }
        #expect(try await h.snapshot() == before)
        await expectEngramError(.memoryNotFound) { try await h.store.memory(userID: "alice", id: "imported-1") }
        #expect(try await h.peek("alice", "owls").isEmpty)
        #expect(try await h.store.memory(userID: "alice", id: kept.id) == kept)
    }

    @Test(arguments: Backend.allCases)
    func failedRememberWritesNoMemory(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        try await h.remember("alice", "Alice collects stamps")
        let before = try await h.snapshot()
        await expectEngramError(.memoryNotFound) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: "Stamps from Japan", parentID: "missing"))
        }
        await expectEngramError(.sessionNotFound) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: "Stamps from Peru", sessionID: "missing"))
        }
        #expect(try await h.snapshot() == before)
        #expect(try await h.stats().memories == 1)
        #expect(!(try await h.peek("alice", "stamps from Japan Peru")).contains { $0.memory.content.contains("Japan") })
        // The failed content is not remembered as a hash either: the next remember creates it.
        let created = try await h.store.remember(MemoryDraft(userID: "alice", content: "Stamps from Japan"))
        #expect(created.action == .created)
    }

    @Test(arguments: Backend.allCases)
    func concurrentAppendsGetDistinctSequences(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let store = h.store
        let sequences = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 1...20 {
                group.addTask {
                    try await store.appendMessage(
                        MessageDraft(userID: "alice", sessionID: "s1", role: .user, content: "parallel \(index)")
                    ).sequence
                }
            }
            var collected: [Int] = []
            for try await sequence in group { collected.append(sequence) }
            return collected
        }
        #expect(sequences.sorted() == Array(1...20))
        #expect(try await h.store.session(userID: "alice", id: "s1").messageCount == 20)
        let stored = try await h.store.messages(userID: "alice", sessionID: "s1", after: 0, limit: 100)
        #expect(stored.map(\.sequence) == Array(1...20))
    }

    @Test(arguments: Backend.allCases)
    func concurrentDuplicateRemembersMakeOneMemory(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let store = h.store
        let outcomes = try await withThrowingTaskGroup(of: RememberOutcome.self) { group in
            for _ in 1...10 {
                group.addTask { try await store.remember(MemoryDraft(userID: "alice", content: "Alice likes rain")) }
            }
            var collected: [RememberOutcome] = []
            for try await outcome in group { collected.append(outcome) }
            return collected
        }
        #expect(Set(outcomes.map(\.memory.id)).count == 1)
        #expect(outcomes.filter { $0.action == .created }.count == 1)
        #expect(outcomes.filter { $0.action == .reinforced }.count == 9)
        #expect(try await h.stats().memories == 1)
        #expect(try await h.store.memory(userID: "alice", id: outcomes[0].memory.id).accessCount == 9)
    }
}
