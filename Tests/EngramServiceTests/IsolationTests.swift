import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// No operation of one user reads or writes another user's rows.
@Suite struct IsolationTests {
    private struct World {
        let h: Harness
        let aliceMemory: Memory
        let aliceOther: Memory
        let bobMemory: Memory
        let aliceSession: Session
        let aliceFact: WorkingFact
    }

    private func world(_ backend: Backend) async throws -> World {
        let h = try Harness(backend)
        try await h.user("alice")
        try await h.user("bob")
        let session = try await h.session("alice", id: "alice-s1")
        try await h.message("alice", session.id, "Alice's private message")
        let aliceMemory = try await h.remember("alice", "I love green tea with jasmine")
        let aliceOther = try await h.remember("alice", "Alice's bank is in Zurich")
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: aliceMemory.id, targetID: aliceOther.id))
        let fact = try await h.store.addFact(
            WorkingFactDraft(userID: "alice", sessionID: session.id, content: "secret"))
        let bobMemory = try await h.remember("bob", "I love green tea with jasmine")
        return World(
            h: h, aliceMemory: aliceMemory, aliceOther: aliceOther, bobMemory: bobMemory, aliceSession: session,
            aliceFact: fact)
    }

    @Test(arguments: Backend.allCases)
    func recallNeverCrossesUsers(backend: Backend) async throws {
        let w = try await world(backend)
        #expect(w.bobMemory.id != w.aliceMemory.id)
        let bob = try await w.h.peek(
            "bob", "green tea with jasmine", k: 50, filters: RecallFilters(includeInvalid: true))
        #expect(bob.map(\.memory.id) == [w.bobMemory.id])
        #expect(bob.allSatisfy { $0.memory.userID == "bob" })
        let alice = try await w.h.peek("alice", "green tea with jasmine", k: 50)
        #expect(alice.first?.memory.id == w.aliceMemory.id)
        #expect(alice.allSatisfy { $0.memory.userID == "alice" })
        let listing = try await w.h.store.memories(
            userID: "bob", filters: RecallFilters(includeInvalid: true), limit: 100, offset: 0)
        #expect(listing.map(\.id) == [w.bobMemory.id])
    }

    @Test(arguments: Backend.allCases)
    func anotherUsersMemoryIsNotFound(backend: Backend) async throws {
        let w = try await world(backend)
        let h = w.h
        let aliceBefore = try await h.snapshot("alice")
        let id = w.aliceMemory.id
        await expectEngramError(.memoryNotFound) { try await h.store.memory(userID: "bob", id: id) }
        await expectEngramError(.memoryNotFound) { try await h.store.forget(userID: "bob", id: id, mode: .soft) }
        await expectEngramError(.memoryNotFound) { try await h.store.forget(userID: "bob", id: id, mode: .hard) }
        await expectEngramError(.memoryNotFound) {
            try await h.store.updateMemory(userID: "bob", id: id, MemoryPatch(content: "hijacked"))
        }
        await expectEngramError(.memoryNotFound) {
            try await h.store.link(LinkDraft(userID: "bob", sourceID: w.bobMemory.id, targetID: id))
        }
        await expectEngramError(.memoryNotFound) {
            try await h.store.neighbours(userID: "bob", memoryID: id, depth: 2, types: [])
        }
        await expectEngramError(.memoryNotFound) {
            try await h.store.feedback(userID: "bob", memoryID: id, query: nil, useful: false)
        }
        await expectEngramError(.memoryNotFound) {
            try await h.store.setEmotion(
                Emotion(
                    memoryID: id, userID: "bob", valence: 0, arousal: 0, dominance: 0, discreteEmotions: [:],
                    primaryEmotion: nil, confidence: 0.5, updatedAt: h.now))
        }
        await expectEngramError(.memoryNotFound) { try await h.store.emotion(userID: "bob", memoryID: id) }
        await expectEngramError(.memoryNotFound) {
            try await h.store.remember(MemoryDraft(userID: "bob", content: "child of alice's", parentID: id))
        }
        #expect(try await h.snapshot("alice") == aliceBefore)
        #expect(try await h.stats("bob").memories == 1)
    }

    @Test(arguments: Backend.allCases)
    func anotherUsersSessionAndFactsAreNotFound(backend: Backend) async throws {
        let w = try await world(backend)
        let h = w.h
        let aliceBefore = try await h.snapshot("alice")
        let sid = w.aliceSession.id
        await expectEngramError(.sessionNotFound) {
            try await h.store.appendMessage(
                MessageDraft(userID: "bob", sessionID: sid, role: .user, content: "intrusion"))
        }
        await expectEngramError(.sessionNotFound) { try await h.store.session(userID: "bob", id: sid) }
        await expectEngramError(.sessionNotFound) {
            try await h.store.messages(userID: "bob", sessionID: sid, after: 0, limit: 10)
        }
        await expectEngramError(.sessionNotFound) {
            try await h.store.activeContext(userID: "bob", sessionID: sid, window: nil)
        }
        await expectEngramError(.sessionNotFound) {
            try await h.store.renameSession(userID: "bob", id: sid, title: "mine")
        }
        await expectEngramError(.sessionNotFound) { try await h.store.deleteSession(userID: "bob", id: sid) }
        await expectEngramError(.sessionNotFound) {
            try await h.store.setState(SessionStateKey(userID: "bob", sessionID: sid, key: "k"), value: .null)
        }
        await expectEngramError(.sessionNotFound) {
            try await h.store.addFact(WorkingFactDraft(userID: "bob", sessionID: sid, content: "x"))
        }
        await expectEngramError(.sessionNotFound) {
            try await h.store.remember(MemoryDraft(userID: "bob", content: "in alice's session", sessionID: sid))
        }
        await expectEngramError(.factNotFound) { try await h.store.deleteFact(userID: "bob", id: w.aliceFact.id) }
        #expect(try await h.store.facts(userID: "bob", sessionID: nil, includeExpired: true).isEmpty)
        #expect(try await h.store.sessions(userID: "bob", limit: 10).isEmpty)
        #expect(try await h.snapshot("alice") == aliceBefore)
    }

    @Test(arguments: Backend.allCases)
    func statisticsExportAndAuditAreScoped(backend: Backend) async throws {
        let w = try await world(backend)
        let h = w.h
        let bob = try await h.stats("bob")
        #expect(bob.userID == "bob")
        #expect(bob.memories == 1)
        #expect(bob.validMemories == 1)
        #expect(bob.links == 0)
        #expect(bob.sessions == 0)
        #expect(bob.messages == 0)
        #expect(bob.activeWorkingFacts == 0)
        #expect(bob.embeddings == 1)
        let alice = try await h.stats("alice")
        #expect(alice.memories == 2)
        #expect(alice.links == 1)
        #expect(alice.messages == 1)
        #expect(try await h.store.user("bob").counters == UserCounters(memories: 1, links: 0, sessions: 0, messages: 0))
        let exported = try await h.store.export(userID: "bob")
        #expect(exported.allSatisfy { $0.userID == "bob" })
        #expect(!exported.contains { ExportRecordProbe.mentions($0, memoryID: w.aliceMemory.id) })
        let log = try await h.store.auditLog(userID: "bob", limit: 100)
        #expect(!log.isEmpty)
        #expect(log.allSatisfy { $0.userID == "bob" })
        // Maintenance of bob leaves alice alone.
        let aliceBefore = try await h.snapshot("alice")
        h.clock.advance(by: 365 * day)
        _ = try await h.store.maintain(userID: "bob", options: MaintenanceOptions(purgeOlderThan: day))
        #expect(try await h.store.memory(userID: "alice", id: w.aliceMemory.id).validTo == nil)
        #expect(try await h.snapshot("alice").lines == aliceBefore.lines)
    }

    @Test(arguments: Backend.allCases)
    func neighboursNeverCrossUsers(backend: Backend) async throws {
        let w = try await world(backend)
        let h = w.h
        // A crafted import cannot tie bob's memory to alice's.
        let crafted = ExportRecord.link(
            Link(
                id: "crafted-link", userID: "bob", sourceID: w.bobMemory.id, targetID: w.aliceMemory.id,
                type: .relatesTo, weight: 1, origin: .explicit, traversalCount: 0, metadata: .emptyObject,
                createdAt: h.now))
        await expectAnyEngramError { try await h.store.importRecords([crafted], scope: .allUsers) }
        let crossed = ExportRecord.link(
            Link(
                id: "crafted-link-2", userID: "alice", sourceID: w.bobMemory.id, targetID: w.aliceMemory.id,
                type: .relatesTo, weight: 1, origin: .explicit, traversalCount: 0, metadata: .emptyObject,
                createdAt: h.now))
        await expectAnyEngramError { try await h.store.importRecords([crossed], scope: .allUsers) }
        #expect(try await h.store.neighbours(userID: "bob", memoryID: w.bobMemory.id, depth: 3, types: []).isEmpty)
        let aliceNeighbours = try await h.store.neighbours(
            userID: "alice", memoryID: w.aliceMemory.id, depth: 3, types: [])
        #expect(aliceNeighbours.map(\.memory.id) == [w.aliceOther.id])
        #expect(aliceNeighbours.allSatisfy { $0.memory.userID == "alice" && $0.link.userID == "alice" })
        #expect(try await h.stats("bob").links == 0)
        #expect(try await h.stats("alice").links == 1)
    }
}
