import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// Data outlives a store instance, and instances sharing one database see each other's writes.
@Suite struct PersistenceTests {
    @Test(arguments: Backend.allCases)
    func reopeningKeepsEverythingAndRecallStillWorks(backend: Backend) async throws {
        let open = try makeDatabase(backend)
        let clock = ManualClock()
        let first = Harness(store: try open(clock, .init()), clock: clock)
        try await buildRichDataset(first, userID: "alice")
        let lines = try await first.exportLines()
        let results = try await first.peek("alice", "adding fractions")

        let reopened = Harness(store: try open(clock, .init()), clock: clock)
        #expect(try await reopened.exportLines() == lines)
        let again = try await reopened.peek("alice", "adding fractions")
        #expect(again.map(\.memory.id) == results.map(\.memory.id))
        #expect(again.first?.score.vector == results.first?.score.vector)
        #expect(await reopened.store.health().pendingMigrations.isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func twoInstancesOnOneDatabaseSeeEachOthersWrites(backend: Backend) async throws {
        let open = try makeDatabase(backend)
        let clock = ManualClock()
        let writer = Harness(store: try open(clock, .init()), clock: clock)
        let reader = Harness(store: try open(clock, .init()), clock: clock)
        try await writer.user()
        try await writer.remember("alice", "Alice's umbrella is yellow")
        // The reader has warmed up before the next write.
        #expect(try await reader.peek("alice", "umbrella colour").first?.memory.content == "Alice's umbrella is yellow")
        let later = try await writer.remember("alice", "Alice's raincoat is green")
        let found = try await reader.peek("alice", "green raincoat")
        #expect(found.first?.memory.id == later.id)
        #expect(found.first.map { $0.score.vector > 0 } == true)
        try await writer.store.forget(userID: "alice", id: later.id, mode: .hard)
        #expect(!(try await reader.peek("alice", "green raincoat")).contains { $0.memory.id == later.id })
    }
}
