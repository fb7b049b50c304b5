import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

@Suite struct DecayMaintenanceTests {
    @Test(arguments: Backend.allCases)
    func decaySweepSoftForgetsWeakMemories(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let episode = try await h.remember("alice", "Alice had a sandwich for lunch", sector: .episodic)
        let fact = try await h.remember("alice", "Alice is a vegetarian", sector: .semantic)
        h.clock.advance(by: 60 * day)  // episodic: e^-6 ≈ 0.0025 < 0.05; semantic: e^-0.24 ≈ 0.79
        let report = try await h.store.maintain(userID: "alice", options: MaintenanceOptions())
        #expect(report.forgotten == 1)
        #expect(report.decayed == 1)  // the fact's strength is written back; the episode was forgotten
        #expect(report.purged == 0)

        let forgotten = try await h.store.memory(userID: "alice", id: episode.id)
        #expect(forgotten.validTo == h.now)
        let kept = try await h.store.memory(userID: "alice", id: fact.id)
        #expect(kept.validTo == nil)
        // However the strength is written back, the current strength is unchanged by the sweep.
        #expect(abs(DecayPolicy.default.currentStrength(of: kept, at: h.now) - exp(-0.004 * 60)) < 1e-6)

        #expect(!(try await h.peek("alice", "sandwich lunch")).contains { $0.memory.id == episode.id })
        let withInvalid = try await h.peek("alice", "sandwich lunch", filters: RecallFilters(includeInvalid: true))
        #expect(withInvalid.contains { $0.memory.id == episode.id })
        let stats = try await h.stats()
        #expect(stats.memories == 2)
        #expect(stats.validMemories == 1)
        #expect(abs(stats.averageStrength - exp(-0.004 * 60)) < 1e-6)

        // A second sweep forgets nothing new.
        let again = try await h.store.maintain(userID: "alice", options: MaintenanceOptions())
        #expect(again.forgotten == 0)
        #expect(again.decayed == 0)  // nothing has decayed since the first sweep
    }

    @Test(arguments: Backend.allCases)
    func averageStrengthReflectsDecay(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.remember("alice", "Alice went to a concert", sector: .episodic)
        try await h.remember("alice", "Alice speaks Portuguese", sector: .semantic)
        #expect(abs(try await h.stats().averageStrength - 1) < 1e-9)
        h.clock.advance(by: 10 * day)
        let expected = (exp(-1.0) + exp(-0.04)) / 2
        #expect(abs(try await h.stats().averageStrength - expected) < 1e-6)
    }

    @Test(arguments: Backend.allCases)
    func messageRetentionDeletesOldMessages(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        try await h.message("alice", "s1", "old one")
        try await h.message("alice", "s1", "old two")
        h.clock.advance(by: 3 * day)
        let recent = try await h.message("alice", "s1", "recent")
        let report = try await h.store.maintain(
            userID: "alice", options: MaintenanceOptions(messageRetention: 2 * day))
        #expect(report.expiredMessages == 2)
        let left = try await h.store.messages(userID: "alice", sessionID: "s1", after: 0, limit: 100)
        #expect(left.map(\.id) == [recent.id])
        #expect(try await h.stats().messages == 1)
        // Sequence numbers keep counting.
        #expect(try await h.message("alice", "s1", "next").sequence == 4)
    }

    @Test(arguments: Backend.allCases)
    func purgeDeletesOldMemoriesOfTheChosenContextTypes(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let oldTemp = try await h.remember("alice", "Temporary cart contents", contextType: .temporaryState)
        let oldFact = try await h.remember("alice", "Alice's birthday is in May", contextType: .conversationFact)
        h.clock.advance(by: 10 * day)
        let newTemp = try await h.remember("alice", "Current search filters", contextType: .temporaryState)
        let report = try await h.store.maintain(
            userID: "alice",
            options: MaintenanceOptions(
                decaySweep: false, purgeOlderThan: 5 * day, purgeContextTypes: [.temporaryState]))
        #expect(report.purged == 1)
        await expectEngramError(.memoryNotFound) { try await h.store.memory(userID: "alice", id: oldTemp.id) }
        #expect(try await h.store.memory(userID: "alice", id: oldFact.id).id == oldFact.id)
        #expect(try await h.store.memory(userID: "alice", id: newTemp.id).id == newTemp.id)

        let everything = try await h.store.maintain(
            userID: "alice", options: MaintenanceOptions(decaySweep: false, purgeOlderThan: 5 * day))
        #expect(everything.purged == 1)
        await expectEngramError(.memoryNotFound) { try await h.store.memory(userID: "alice", id: oldFact.id) }
        #expect(try await h.stats().memories == 1)
    }

    @Test(arguments: Backend.allCases)
    func disabledStepsDoNothing(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.remember("alice", "Alice had pasta", sector: .episodic)
        _ = try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "short", ttl: hour))
        h.clock.advance(by: 90 * day)
        let before = try await h.snapshot()
        let report = try await h.store.maintain(
            userID: "alice",
            options: MaintenanceOptions(decaySweep: false, expireWorkingFacts: false, removeOrphans: false))
        #expect(report == MaintenanceReport())
        #expect(try await h.snapshot().withoutAudit == before.withoutAudit)
    }

    @Test(arguments: Backend.allCases)
    func aCleanStoreHasNoOrphans(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let a = try await h.remember("alice", "Alice plays chess", sessionID: "s1")
        let b = try await h.remember("alice", "Alice won a chess tournament")
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id))
        let report = try await h.store.maintain(userID: "alice", options: MaintenanceOptions())
        #expect(report.removedOrphans == 0)
        #expect(report.forgotten == 0)
        #expect(try await h.stats().links == 1)
        await expectEngramError(.userNotFound) {
            try await h.store.maintain(userID: "nobody", options: MaintenanceOptions())
        }
    }
}

@Suite struct SessionStateAndAuditTests {
    @Test(arguments: Backend.allCases)
    func sessionStateSetGetOverwriteDelete(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let key = SessionStateKey(userID: "alice", sessionID: "s1", module: "planner", key: "step")
        #expect(try await h.store.state(key) == nil)
        let set = try await h.store.setState(key, value: .object(["n": .number(1)]))
        #expect(set.value == .object(["n": .number(1)]))
        #expect(set.module == "planner")
        #expect(set.key == "step")
        #expect(set.agentID == "")
        #expect(set.createdAt == h.now)
        #expect(try await h.store.state(key) == set)

        h.clock.advance(by: 30)
        let overwritten = try await h.store.setState(key, value: .array([.string("a"), .bool(true)]))
        #expect(overwritten.value == .array([.string("a"), .bool(true)]))
        #expect(overwritten.createdAt == set.createdAt)
        #expect(overwritten.updatedAt == h.now)
        #expect(try await h.store.state(key)?.value == .array([.string("a"), .bool(true)]))

        // Other agents, modules and keys are separate values.
        let otherAgent = SessionStateKey(
            userID: "alice", sessionID: "s1", agentID: "a1", module: "planner", key: "step")
        let otherModule = SessionStateKey(userID: "alice", sessionID: "s1", module: "critic", key: "step")
        #expect(try await h.store.state(otherAgent) == nil)
        _ = try await h.store.setState(otherModule, value: .string("x"))
        #expect(try await h.store.state(key)?.value == .array([.string("a"), .bool(true)]))

        #expect(try await h.store.deleteState(key))
        #expect(try await h.store.state(key) == nil)
        #expect(try await h.store.deleteState(key) == false)
        #expect(try await h.store.state(otherModule)?.value == .string("x"))

        await expectEngramError(.sessionNotFound) {
            try await h.store.setState(SessionStateKey(userID: "alice", sessionID: "missing", key: "k"), value: .null)
        }
    }

    @Test(arguments: Backend.allCases)
    func auditLogRecordsCreationAndForgettingWithDigests(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let memory = try await h.remember("alice", "Alice's favourite colour is teal")
        h.clock.advance(by: 10)
        try await h.store.forget(userID: "alice", id: memory.id, mode: .soft)
        let log = try await h.store.auditLog(userID: "alice", limit: 100)
        #expect(log.allSatisfy { $0.userID == "alice" })
        let create = try #require(log.first { $0.action == "memory.create" && $0.targetID == memory.id })
        #expect(create.targetType == "memory")
        #expect(create.beforeDigest == nil)
        #expect(create.afterDigest?.count == 64)
        #expect(create.actor == "engram")
        let forget = try #require(log.first { $0.action == "memory.forget" && $0.targetID == memory.id })
        #expect(forget.beforeDigest?.count == 64)
        #expect(forget.beforeDigest != forget.afterDigest)
        #expect(forget.createdAt == h.now)
        // Newest first.
        let createIndex = try #require(log.firstIndex(of: create))
        let forgetIndex = try #require(log.firstIndex(of: forget))
        #expect(forgetIndex < createIndex)
        #expect(zip(log, log.dropFirst()).allSatisfy { $0.createdAt >= $1.createdAt })
        #expect(try await h.store.auditLog(userID: "alice", limit: 1).count == 1)

        try await h.remember("alice", "Alice's second memory")
        let hard = try await h.remember("alice", "Alice's third memory")
        try await h.store.forget(userID: "alice", id: hard.id, mode: .hard)
        let later = try await h.store.auditLog(userID: "alice", limit: 100)
        // A hard forget may be named memory.forget or memory.erase; either way it keeps the digest of the row before.
        let hardEntry = try #require(
            later.first { ["memory.forget", "memory.erase"].contains($0.action) && $0.targetID == hard.id })
        #expect(hardEntry.beforeDigest != nil)
        #expect(hardEntry.afterDigest == nil)
    }

    @Test(arguments: Backend.allCases)
    func configuredActorIsRecorded(backend: Backend) async throws {
        var configuration = EngramConfiguration()
        configuration.actor = "test-suite"
        let h = try Harness(backend, configuration: configuration)
        try await h.user()
        try await h.remember("alice", "Something worth auditing")
        let log = try await h.store.auditLog(userID: "alice", limit: 10)
        #expect(!log.isEmpty)
        #expect(log.allSatisfy { $0.actor == "test-suite" })
    }
}
