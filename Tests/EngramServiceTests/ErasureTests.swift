import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

@Suite struct ErasureTests {
    @Test(arguments: Backend.allCases)
    func eraseUserCountsEveryTableAndSparesOthers(backend: Backend) async throws {
        let h = try Harness(backend)
        let counts = try await buildRichDataset(h, userID: "alice")
        try await buildRichDataset(h, userID: "bob")
        let aliceStats = try await h.stats("alice")
        #expect(aliceStats.memories == counts.memories)
        #expect(aliceStats.messages == counts.messages)

        h.clock.advance(by: 60)
        let bobBefore = try await h.snapshot("bob")
        let receipt = try await h.store.eraseUser("alice")
        #expect(receipt.userID == "alice")
        #expect(receipt.erasedAt == h.now)
        #expect(receipt.deleted["users"] == 1)
        #expect(receipt.deleted["agents"] == counts.agents)
        #expect(receipt.deleted["modules"] == counts.modules)
        #expect(receipt.deleted["sessions"] == counts.sessions)
        #expect(receipt.deleted["messages"] == counts.messages)
        #expect(receipt.deleted["working_facts"] == counts.workingFacts)
        #expect(receipt.deleted["memories"] == counts.memories)
        #expect(receipt.deleted["embeddings"] == counts.memories)
        #expect(receipt.deleted["links"] == counts.links)
        #expect(receipt.deleted["emotions"] == counts.emotions)
        #expect(receipt.deleted["session_state"] == counts.sessionStates)
        #expect(receipt.deleted["feedback"] == counts.feedback)
        #expect((receipt.deleted["audit_log"] ?? 0) > 0)
        #expect(receipt.total == receipt.deleted.values.reduce(0, +))

        await expectEngramError(.userNotFound) { try await h.store.user("alice") }
        await expectEngramError(.userNotFound) { try await h.store.statistics(userID: "alice") }
        await expectEngramError(.userNotFound) { try await h.store.eraseUser("alice") }
        #expect(try await h.store.users().map(\.id) == ["bob"])
        #expect(try await h.snapshot("bob") == bobBefore)
        let bobRecall = try await h.peek("bob", "fractions")
        #expect(!bobRecall.isEmpty)
        #expect(bobRecall.allSatisfy { $0.memory.userID == "bob" })

        // The id is free again and starts empty.
        try await h.user("alice")
        let fresh = try await h.stats("alice")
        #expect(fresh.memories == 0)
        #expect(fresh.messages == 0)
        #expect(try await h.peek("alice", "fractions").isEmpty)
        #expect(try await h.store.user("alice").counters == UserCounters())
    }

    @Test(arguments: Backend.allCases)
    func eraseSimpleUser(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        for index in 1...3 { try await h.remember("alice", "memory number \(index) about otters") }
        for index in 1...5 { try await h.message("alice", "s1", "message \(index)") }
        let receipt = try await h.store.eraseUser("alice")
        #expect(receipt.deleted["memories"] == 3)
        #expect(receipt.deleted["messages"] == 5)
        #expect(receipt.deleted["sessions"] == 1)
        #expect(receipt.deleted["links"] ?? 0 == 0)
    }
}

@Suite struct ExportImportTests {
    static let allTables: Set<String> = [
        "users", "agents", "modules", "sessions", "messages", "working_facts", "memories", "embeddings", "links",
        "emotions", "session_state", "feedback", "audit_log",
    ]

    @Test(arguments: Backend.allCases)
    func exportThenImportReproducesEveryRow(backend: Backend) async throws {
        let source = try Harness(backend)
        let counts = try await buildRichDataset(source, userID: "alice")
        try await buildRichDataset(source, userID: "bob")
        let records = try await source.store.export(userID: "alice")
        let lines = try records.map(ExportCodec.line)
        #expect(Set(records.map(\.table)) == Self.allTables)
        #expect(records.allSatisfy { $0.userID == "alice" })
        #expect(records.first?.table == "users")
        #expect(records.filter { $0.table == "memories" }.count == counts.memories)
        #expect(records.filter { $0.table == "messages" }.count == counts.messages)
        #expect(records.filter { $0.table == "links" }.count == counts.links)
        // Parents before children.
        func firstIndex(_ table: String) -> Int? { records.firstIndex { $0.table == table } }
        func lastIndex(_ table: String) -> Int? { records.lastIndex { $0.table == table } }
        for (parent, child) in [
            ("users", "modules"), ("users", "sessions"), ("agents", "sessions"), ("sessions", "messages"),
            ("memories", "embeddings"),
            ("memories", "links"), ("memories", "emotions"), ("sessions", "session_state"), ("memories", "feedback"),
        ] {
            if let p = lastIndex(parent), let c = firstIndex(child) {
                #expect(p < c, "\(parent) before \(child)")
            }
        }
        // Export is deterministic.
        #expect(try await source.exportLines("alice") == lines)

        let target = try Harness(backend)
        target.clock.set(source.now)
        let report = try await target.store.importRecords(records, scope: .allUsers)
        #expect(report.total == records.count)
        #expect(report.imported["memories"] == counts.memories)
        #expect(report.imported["users"] == 1)
        let reexported = try await target.exportLinesWithoutImports("alice")
        #expect(reexported.count == lines.count)
        for (index, pair) in zip(lines, reexported).enumerated() where pair.0 != pair.1 {
            Issue.record("Line \(index + 1) differs after import:\n  before: \(pair.0)\n  after:  \(pair.1)")
        }
        #expect(reexported == lines)
        #expect(try await target.store.user("alice") == (try await source.store.user("alice")))
        #expect(try await target.stats("alice") == (try await source.stats("alice")))

        // The imported store works: recall finds imported memories through text and vectors.
        let recalled = try await target.peek("alice", "adding fractions")
        #expect(recalled.first?.memory.content == "The student struggles with adding fractions")
        #expect(recalled.first?.score.vector ?? 0 > 0)
        #expect(try await target.store.users().map(\.id) == ["alice"])
    }

    @Test(arguments: Backend.allCases)
    func importingTwiceFailsAndChangesNothing(backend: Backend) async throws {
        let source = try Harness(backend)
        try await buildRichDataset(source, userID: "alice")
        let records = try await source.store.export(userID: "alice")
        let target = try Harness(backend)
        target.clock.set(source.now)
        _ = try await target.store.importRecords(records, scope: .allUsers)
        let before = try await target.snapshot("alice")
        await expectEngramError(.alreadyExists) { try await target.store.importRecords(records, scope: .allUsers) }
        #expect(try await target.snapshot("alice") == before)
        // Importing into the original store fails the same way.
        let sourceBefore = try await source.snapshot("alice")
        await expectEngramError(.alreadyExists) { try await source.store.importRecords(records, scope: .allUsers) }
        #expect(try await source.snapshot("alice") == sourceBefore)
    }

    @Test(arguments: Backend.allCases)
    func importSurvivesTheCodec(backend: Backend) async throws {
        let source = try Harness(backend)
        try await buildRichDataset(source, userID: "carol")
        let lines = try await source.exportLines("carol")
        let parsed = try lines.enumerated().map { try ExportCodec.record($0.element, lineNumber: $0.offset + 1) }
        let target = try Harness(backend)
        target.clock.set(source.now)
        _ = try await target.store.importRecords(parsed, scope: .allUsers)
        #expect(try await target.exportLinesWithoutImports("carol") == lines)
    }

    @Test(arguments: Backend.allCases)
    func exportOfUnknownUser(backend: Backend) async throws {
        let h = try Harness(backend)
        await expectEngramError(.userNotFound) { try await h.store.export(userID: "nobody") }
        #expect(try await h.store.importRecords([], scope: .allUsers).total == 0)
    }
}
