import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// The bulk path: `rememberAll`, `rememberBatches` and batched import.
@Suite struct BatchRememberTests {
    @Test(arguments: Backend.allCases)
    func batchFollowsRememberRulesInOrder(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let existing = try await h.remember("alice", "Alice drinks oat milk")
        let entity = EntityReference(system: "crm", id: "c-1", type: "customer")
        let outcomes = try await h.store.rememberAll([
            MemoryDraft(userID: "alice", content: "Alice lives in Lyon"),
            MemoryDraft(userID: "alice", content: "alice LIVES in   lyon", tags: ["home"]),
            MemoryDraft(userID: "alice", content: "Alice drinks oat milk"),
            MemoryDraft(userID: "alice", content: "Customer c-1 is on the free plan", entity: entity),
            MemoryDraft(
                userID: "alice", content: "Customer c-1 is on the pro plan", entity: entity,
                entityData: .object(["plan": .string("pro")])),
        ])
        #expect(outcomes.map(\.action) == [.created, .reinforced, .reinforced, .created, .merged])
        #expect(outcomes[1].memory.id == outcomes[0].memory.id)
        #expect(outcomes[1].memory.tags == ["home"])
        #expect(outcomes[2].memory.id == existing.id)
        #expect(outcomes[4].memory.id == outcomes[3].memory.id)
        #expect(outcomes[4].memory.entityUpdateCount == 1)
        // What the batch returned is what was stored.
        for outcome in [outcomes[1], outcomes[2], outcomes[4]] {
            #expect(try await h.store.memory(userID: "alice", id: outcome.memory.id) == outcome.memory)
        }
        let stats = try await h.stats()
        #expect(stats.memories == 3)
        #expect(stats.embeddings == 3)
        let actions = try await h.store.auditLog(userID: "alice", limit: 100).map(\.action)
        #expect(actions.filter { $0.hasPrefix("memory.") }.count == 6)
        // The entity's vector follows its latest content.
        let results = try await h.store.recall(RecallQuery(userID: "alice", text: "pro plan", k: 1))
        #expect(results.first?.memory.id == outcomes[3].memory.id)
    }

    @Test(arguments: Backend.allCases)
    func aFailingDraftWritesNothing(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.remember("alice", "Alice likes tea")
        let before = try await h.snapshot()
        await expectEngramError(.sessionNotFound) {
            try await h.store.rememberAll([
                MemoryDraft(userID: "alice", content: "Alice likes tea"),
                MemoryDraft(userID: "alice", content: "Alice likes jazz"),
                MemoryDraft(userID: "alice", content: "Alice likes rain", sessionID: "no-such-session"),
            ])
        }
        #expect(try await h.snapshot() == before)
        let error = await expectEngramError(.emptyContent) {
            try await h.store.rememberAll([
                MemoryDraft(userID: "alice", content: "fine"), MemoryDraft(userID: "alice", content: "  "),
            ])
        }
        #expect(error?.message.contains("Memory 2 of the batch") == true)
        await expectEngramError(.invalidArgument) {
            try await h.store.rememberAll([
                MemoryDraft(userID: "alice", content: "one"), MemoryDraft(userID: "bob", content: "two"),
            ])
        }
        #expect(try await h.snapshot() == before)
        #expect(try await h.store.rememberAll([]).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func largeBatchRoundTripsThroughBatchedImport(backend: Backend) async throws {
        let source = try Harness(backend)
        try await source.user()
        let drafts = (0..<1_234).map { MemoryDraft(userID: "alice", content: "Note \($0) about topic \($0 % 97)") }
        let outcomes = try await source.store.rememberAll(drafts)
        #expect(outcomes.allSatisfy { $0.action == .created })
        #expect(Set(outcomes.map(\.memory.id)).count == drafts.count)
        let records = try await source.store.export(userID: "alice")
        let target = try Harness(backend)
        target.clock.set(source.now)
        let report = try await target.store.importRecords(records, scope: .allUsers)
        #expect(report.imported["memories"] == drafts.count)
        #expect(report.imported["embeddings"] == drafts.count)
        #expect(report.imported["audit_log"] == drafts.count + 1)  // and user.create
        #expect(try await target.exportLinesWithoutImports() == (try records.map(ExportCodec.line)))
        let results = try await target.store.recall(RecallQuery(userID: "alice", text: "Note 1233", k: 3))
        #expect(results.first?.memory.content == "Note 1233 about topic \(1233 % 97)")
    }

    /// A bulk load large enough to defer the vector indexes stores what its body writes and finds it afterwards by
    /// both signals; one whose body throws keeps what committed before and still recalls by vector.
    @Test(arguments: Backend.allCases)
    func bulkLoadStoresEverythingAndRecallFindsItAfterwards(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let contents = (0..<40).map { "Shipment \($0) of violet lanterns reached harbour \($0 % 7)" }
        let outcomes = try await h.store.bulkLoad(memories: contents.count, deferringIndexesFrom: 10) {
            var outcomes: [RememberOutcome] = []
            for start in stride(from: 0, to: contents.count, by: 15) {
                outcomes += try await h.store.rememberAll(
                    contents[start..<min(start + 15, contents.count)].map {
                        MemoryDraft(userID: "alice", content: $0)
                    })
            }
            // Recall works during the load too (exactly, on PostgreSQL).
            let during = try await h.store.recall(RecallQuery(userID: "alice", text: "violet lanterns", k: 3))
            #expect(during.count == 3)
            return outcomes
        }
        #expect(outcomes.map(\.action) == Array(repeating: .created, count: contents.count))
        let stats = try await h.stats()
        #expect(stats.memories == contents.count)
        #expect(stats.embeddings == contents.count)
        let target = outcomes[23].memory
        let results = try await h.store.recall(RecallQuery(userID: "alice", text: target.content, k: 1))
        #expect(results.first?.memory.id == target.id)
        #expect(results.first?.matchedBy.contains("vector") == true)

        struct Interrupted: Error {}
        await #expect(throws: Interrupted.self) {
            try await h.store.bulkLoad(memories: 100, deferringIndexesFrom: 10) {
                _ = try await h.store.rememberAll([MemoryDraft(userID: "alice", content: "A copper kettle whistles")])
                throw Interrupted()
            }
        }
        let kettle = try await h.store.recall(RecallQuery(userID: "alice", text: "copper kettle whistles", k: 1))
        #expect(kettle.first?.memory.content == "A copper kettle whistles")
        #expect(kettle.first?.matchedBy.contains("vector") == true)
    }

    /// Batches are written in order although each is prepared while the one before is written: a later batch's
    /// copy of an earlier batch's memory reinforces it, and every row of a large batch (written many rows per
    /// statement) is found by its own words.
    @Test(arguments: Backend.allCases)
    func batchesAreWrittenInOrderByRememberRules(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        var batches: [[MemoryDraft]] = [
            ["Alice plants basil", "Alice plants thyme"],
            ["alice PLANTS basil", "Alice plants sage"],
            (0..<300).map { "Seed packet \($0) holds variety \($0 % 13)" },
            ["Alice plants thyme"],
        ].map { $0.map { MemoryDraft(userID: "alice", content: $0) } }
        batches.reverse()
        var stored: [[RememberOutcome]] = []
        try await h.store.rememberBatches {
            batches.popLast()
        } stored: {
            stored.append($0)
        }
        #expect(stored.map(\.count) == [2, 2, 300, 1])
        #expect(stored[1].map(\.action) == [.reinforced, .created])
        #expect(stored[1][0].memory.id == stored[0][0].memory.id)
        #expect(stored[3][0].action == .reinforced)
        #expect(stored[3][0].memory.id == stored[0][1].memory.id)
        #expect(stored[2].allSatisfy { $0.action == .created })
        let stats = try await h.stats()
        #expect(stats.memories == 303)
        #expect(stats.embeddings == 303)
        for index in [0, 127, 128, 255, 299] {
            let results = try await h.store.recall(
                RecallQuery(userID: "alice", text: "Seed packet \(index) variety \(index % 13)", k: 1))
            #expect(results.first?.memory.id == stored[2][index].memory.id)
            #expect(results.first?.matchedBy.contains("text") == true)
        }
    }

    /// A failing batch ends a load: the batches before it stay stored, it and those after it write nothing, and
    /// its error is thrown.
    @Test(arguments: Backend.allCases)
    func aFailingBatchEndsTheLoadAndKeepsTheBatchesBeforeIt(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        for (round, failing) in [
            MemoryDraft(userID: "alice", content: "Alice plants rue", sessionID: "no-such-session"),
            MemoryDraft(userID: "alice", content: "  "),
        ].enumerated() {
            let before = try await h.stats().memories
            var batches = [
                [MemoryDraft(userID: "alice", content: "Alice waters \(round + 1) pots")],
                [MemoryDraft(userID: "alice", content: "Alice plants dill"), failing],
                [MemoryDraft(userID: "alice", content: "Alice plants chives")],
            ]
            batches.reverse()
            var stored: [[RememberOutcome]] = []
            await #expect(throws: EngramError.self) {
                try await h.store.rememberBatches {
                    batches.popLast()
                } stored: {
                    stored.append($0)
                }
            }
            #expect(stored.map(\.count) == [1])
            #expect(try await h.stats().memories == before + 1)
            let contents = try await h.store.memories(userID: "alice", filters: .init(), limit: 100, offset: 0)
                .map(\.content)
            #expect(contents.contains("Alice waters \(round + 1) pots"))
            #expect(!contents.contains("Alice plants dill"))
            #expect(!contents.contains("Alice plants chives"))
        }
    }
}
