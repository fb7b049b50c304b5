import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// Bad input gets a stable error code and changes nothing.
@Suite struct ValidationTests {
    private func harness(_ backend: Backend) async throws -> Harness {
        var configuration = EngramConfiguration()
        configuration.maxContentBytes = 1024
        let h = try Harness(backend, configuration: configuration)
        try await h.user()
        try await h.session(id: "s1")
        try await h.message("alice", "s1", "hello")
        try await h.remember("alice", "A valid memory about llamas")
        return h
    }

    @Test(arguments: Backend.allCases)
    func emptyContentIsRejected(backend: Backend) async throws {
        let h = try await harness(backend)
        let before = try await h.snapshot()
        for text in ["", " ", "\n\t  \n"] {
            await expectEngramError(.emptyContent) {
                try await h.store.remember(MemoryDraft(userID: "alice", content: text))
            }
        }
        #expect(try await h.snapshot() == before)
    }

    @Test(arguments: Backend.allCases)
    func contentOverTheLimitIsRejected(backend: Backend) async throws {
        let h = try await harness(backend)
        let before = try await h.snapshot()
        await expectEngramError(.contentTooLarge) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: String(repeating: "a", count: 1025)))
        }
        await expectEngramError(.contentTooLarge) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: String(repeating: "é", count: 600)))
        }
        await expectEngramError(.contentTooLarge) {
            try await h.store.remember(
                MemoryDraft(userID: "alice", content: "ok", summary: String(repeating: "s", count: 2000)))
        }
        #expect(try await h.snapshot() == before)
        let exactly = try await h.store.remember(
            MemoryDraft(userID: "alice", content: String(repeating: "b", count: 1024)))
        #expect(exactly.action == .created)
    }

    @Test(arguments: Backend.allCases)
    func unknownIdsAreReportedByKind(backend: Backend) async throws {
        let h = try await harness(backend)
        let before = try await h.snapshot()
        await expectEngramError(.userNotFound) {
            try await h.store.remember(MemoryDraft(userID: "ghost", content: "x"))
        }
        await expectEngramError(.userNotFound) { try await h.store.statistics(userID: "ghost") }
        await expectEngramError(.userNotFound) { try await h.store.sessions(userID: "ghost", limit: 10) }
        await expectEngramError(.userNotFound) { try await h.store.agents(userID: "ghost") }
        await expectEngramError(.userNotFound) {
            try await h.store.memories(userID: "ghost", filters: .init(), limit: 10, offset: 0)
        }
        await expectEngramError(.userNotFound) { try await h.store.auditLog(userID: "ghost", limit: 10) }
        await expectEngramError(.sessionNotFound) {
            try await h.store.appendMessage(
                MessageDraft(userID: "alice", sessionID: "ghost", role: .user, content: "x"))
        }
        await expectEngramError(.sessionNotFound) {
            try await h.store.messages(userID: "alice", sessionID: "ghost", after: 0, limit: 10)
        }
        await expectEngramError(.memoryNotFound) { try await h.store.memory(userID: "alice", id: "ghost") }
        await expectEngramError(.memoryNotFound) { try await h.store.forget(userID: "alice", id: "ghost", mode: .hard) }
        await expectEngramError(.factNotFound) { try await h.store.deleteFact(userID: "alice", id: "ghost") }
        await expectEngramError(.agentNotFound) { try await h.store.agent(userID: "alice", id: "ghost") }
        await expectEngramError(.agentNotFound) { try await h.store.deleteAgent(userID: "alice", id: "ghost") }
        #expect(try await h.snapshot() == before)
    }

    @Test(arguments: Backend.allCases)
    func badVectorsAreInvalidVector(backend: Backend) async throws {
        let h = try await harness(backend)
        let before = try await h.snapshot()
        var withNaN = [Float](repeating: 0.05, count: 384)
        withNaN[100] = .nan
        var withInfinity = [Float](repeating: 0.05, count: 384)
        withInfinity[0] = .infinity
        for vector in [
            withNaN, withInfinity, [Float](repeating: 0.1, count: 383), [Float](repeating: 0.1, count: 768), [],
        ] {
            await expectEngramError(.invalidVector) {
                try await h.store.remember(MemoryDraft(userID: "alice", content: "vector test", embedding: vector))
            }
        }
        #expect(try await h.snapshot() == before)
    }

    @Test(arguments: Backend.allCases)
    func badNumbersAndIdentifiersAreRejected(backend: Backend) async throws {
        let h = try await harness(backend)
        let before = try await h.snapshot()
        for value in [1.5, -0.5, Double.nan, Double.infinity] {
            await expectEngramError(.invalidArgument) {
                try await h.store.remember(MemoryDraft(userID: "alice", content: "numbers", salience: value))
            }
            await expectEngramError(.invalidArgument) {
                try await h.store.remember(MemoryDraft(userID: "alice", content: "numbers", importance: value))
            }
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.remember(
                MemoryDraft(userID: "alice", content: "entity data alone", entityData: .object(["a": .number(1)])))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: "tags", tags: ["ok", "  "]))
        }
        await expectEngramError(.invalidIdentifier) {
            try await h.store.remember(MemoryDraft(userID: "", content: "x"))
        }
        await expectEngramError(.invalidIdentifier) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: "x", sessionID: "bad\nid"))
        }
        await expectEngramError(.invalidIdentifier) {
            try await h.store.remember(
                MemoryDraft(userID: "alice", content: "x", entity: EntityReference(system: "", id: "1")))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.recall(RecallQuery(userID: "alice", text: "llamas", k: 0))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.recall(RecallQuery(userID: "alice", text: "llamas", k: 1_000_000))
        }
        #expect(try await h.snapshot() == before)
    }
}
