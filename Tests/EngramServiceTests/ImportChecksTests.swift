import EngramCore
import Foundation
import Synchronization
import Testing

@testable import EngramTestSupport

/// An import is a write like any other: the same checks, the user's scope, and vectors for what it brings.
@Suite struct ImportChecksTests {
    /// A user's export, and a store to import it into.
    private func exported(_ backend: Backend) async throws -> (records: [ExportRecord], target: Harness) {
        let source = try Harness(backend)
        try await source.user()
        try await source.session(id: "s1")
        try await source.remember("alice", "Alice collects old maps")
        try await source.remember("alice", "Alice's sister lives in Oslo", sessionID: "s1")
        let target = try Harness(backend)
        target.clock.set(source.now)
        return (try await source.store.export(userID: "alice"), target)
    }

    @Test(arguments: Backend.allCases)
    func importedRowsPassTheChecksOfAWrite(backend: Backend) async throws {
        let (records, target) = try await exported(backend)
        let index = try #require(records.firstIndex { $0.memoryValue != nil })
        var memory = try #require(records[index].memoryValue)
        let cases: [(EngramError.Code, (inout Memory) -> Void)] = [
            (.contentTooLarge, { $0.content = String(repeating: "a", count: 50 * 1024 * 1024) }),
            (.emptyContent, { $0.content = "   " }),
            (.invalidArgument, { $0.accessCount = -1 }),
            (.invalidArgument, { $0.strength = 1.5 }),
            (.invalidArgument, { $0.metadata = .array([.number(1)]) }),
            (.invalidIdentifier, { $0.id = "" }),
        ]
        for (code, change) in cases {
            var bad = records
            var changed = memory
            change(&changed)
            bad[index] = .memory(changed)
            let error = await expectEngramError(code) { try await target.store.importRecords(bad, scope: .allUsers) }
            #expect(
                error?.message.hasPrefix("Record \(index + 1) (table memories)") == true, "\(String(describing: error))"
            )
            await expectEngramError(.userNotFound) { try await target.store.user("alice") }
        }
        // A tampered content hash is recomputed, not trusted.
        memory.contentHash = "0000"
        var tampered = records
        tampered[index] = .memory(memory)
        _ = try await target.store.importRecords(tampered, scope: .allUsers)
        #expect(
            try await target.store.memory(userID: "alice", id: memory.id).contentHash == ContentHash.of(memory.content))
    }

    @Test(arguments: Backend.allCases)
    func aUserScopedImportRefusesAnyOtherUsersRow(backend: Backend) async throws {
        let (records, target) = try await exported(backend)
        try await target.user("bob")
        let bobBefore = try await target.snapshot("bob")
        let error = await expectEngramError(.invalidArgument) {
            try await target.store.importRecords(records, scope: .user("bob"))
        }
        #expect(error?.message.contains("belongs to another user") == true)
        await expectEngramError(.userNotFound) { try await target.store.user("alice") }
        #expect(try await target.snapshot("bob") == bobBefore)
        #expect(try await target.store.importRecords(records, scope: .user("alice")).total == records.count)
    }

    @Test(arguments: Backend.allCases)
    func memoriesThatComeWithoutVectorsAreEmbedded(backend: Backend) async throws {
        let (records, target) = try await exported(backend)
        // A file cut short before its embedding lines, as a half-copied export would be.
        let cut = records.filter { $0.table != "embeddings" }
        let report = try await target.store.importRecords(cut, scope: .allUsers)
        #expect(report.embedded == 2)
        #expect(report.imported["embeddings"] == nil)
        #expect(try await target.stats().embeddings == 2)
        let status = try await target.store.embeddingStatus()
        #expect(status.missingActive == 0)
        let found = try await target.peek("alice", "maps")
        #expect(found.first?.memory.content == "Alice collects old maps")
        #expect(found.first.map { $0.score.vector > 0 } == true)
        // The vectors are the ones a remember would have written.
        let stored = try await target.store.export(userID: "alice").compactMap { record -> StoredEmbedding? in
            if case .embedding(let embedding) = record { return embedding }
            return nil
        }
        let expected = try await HashingEmbedder().embed("Alice collects old maps")
        #expect(stored.contains { $0.vector == expected })
    }

    @Test(arguments: Backend.allCases)
    func aUsersOwnExportImportsAfterTheUserWasErased(backend: Backend) async throws {
        let h = try Harness(backend)
        try await buildRichDataset(h, userID: "alice")
        let lines = try await h.exportLines("alice")
        let records = try await h.store.export(userID: "alice")
        let lastLine = try await h.store.auditLog(userID: "alice", limit: 1)[0].id
        _ = try await h.store.eraseUser("alice")
        await expectEngramError(.userNotFound) { try await h.store.user("alice") }

        _ = try await h.store.importRecords(records, scope: .user("alice"))
        // Everything is back; the erasure stays on record, numbered after the lines it erased, and the import's
        // own lines after it.
        let after = try await h.exportLinesWithoutImports("alice")
        #expect(Array(after.dropLast()) == lines)
        let trail = try await h.store.auditLog(userID: "alice", limit: 1_000)
        let erasure = try #require(trail.first { $0.action == "user.erase" })
        #expect(erasure.id == lastLine + 1)
        #expect(trail.filter { $0.id > erasure.id }.allSatisfy { $0.reason == "import" })
    }

    @Test(arguments: Backend.allCases)
    func rememberingKnownContentCallsNoModel(backend: Backend) async throws {
        let embedder = CountingEmbedder()
        let clock = ManualClock()
        let store = try makeDatabaseWithEmbedders(backend)(clock, .init(), embedder, [])
        let h = Harness(store: store, clock: clock)
        try await h.user()
        try await h.remember("alice", "Alice bakes sourdough on Sundays")
        #expect(embedder.texts == 1)
        let again = try await h.store.remember(
            MemoryDraft(userID: "alice", content: "alice bakes SOURDOUGH on sundays"))
        #expect(again.action == .reinforced)
        #expect(embedder.texts == 1, "a duplicate must not be embedded")
        let batch = try await h.store.rememberAll([
            MemoryDraft(userID: "alice", content: "Alice bakes sourdough on Sundays"),
            MemoryDraft(userID: "alice", content: "Alice runs on Tuesdays"),
            MemoryDraft(userID: "alice", content: "Alice runs on tuesdays"),
        ])
        #expect(batch.map(\.action) == [.reinforced, .created, .reinforced])
        #expect(embedder.texts == 2, "only the one new content is embedded")
        // An entity written again with the same content keeps its vector; new content is embedded.
        let entity = EntityReference(system: "crm", id: "42")
        _ = try await h.store.remember(MemoryDraft(userID: "alice", content: "Account 42 is active", entity: entity))
        _ = try await h.store.remember(MemoryDraft(userID: "alice", content: "Account 42 is active", entity: entity))
        #expect(embedder.texts == 3)
        _ = try await h.store.remember(MemoryDraft(userID: "alice", content: "Account 42 is closed", entity: entity))
        #expect(embedder.texts == 4)
    }
}

/// The hashing embedder, counting the texts it embeds.
final class CountingEmbedder: Embedder {
    private let base = HashingEmbedder()
    private let count = Mutex(0)

    var model: String { base.model }
    var dimension: Int { base.dimension }
    /// How many texts were embedded so far.
    var texts: Int { count.withLock { $0 } }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        count.withLock { $0 += texts.count }
        return try await base.embed(texts)
    }
}
