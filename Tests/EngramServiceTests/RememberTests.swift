import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

@Suite struct RememberTests {
    @Test(arguments: Backend.allCases)
    func rememberStoresEveryField(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let agent = try await h.store.createAgent(AgentDraft(userID: "alice", id: "a1", name: "Agent"))
        try await h.session(id: "s1", agentID: agent.id)
        let message = try await h.message("alice", "s1", "I went hiking in the Alps")
        let parent = try await h.remember("alice", "Alice likes mountains")
        let draft = MemoryDraft(
            userID: "alice", content: "Alice hiked in the Alps last summer", agentID: "a1", sessionID: "s1",
            contentJSON: .object(["place": .string("Alps")]), summary: "Alps hike", sector: .episodic,
            contextType: .conversationFact, salience: 0.8, importance: 0.7, tags: ["travel", "outdoors"],
            keywords: ["alps", "hiking"], category: "trips", metadata: .object(["source": .string("chat")]),
            parentID: parent.id, isAtomic: false, sourceMessageIDs: [message.id])
        let outcome = try await h.store.remember(draft)
        #expect(outcome.action == .created)
        let memory = outcome.memory
        #expect(memory.userID == "alice")
        #expect(memory.agentID == "a1")
        #expect(memory.sessionID == "s1")
        #expect(memory.content == "Alice hiked in the Alps last summer")
        #expect(memory.contentJSON == .object(["place": .string("Alps")]))
        #expect(memory.summary == "Alps hike")
        #expect(memory.sector == .episodic)
        #expect(memory.contextType == .conversationFact)
        #expect(memory.salience == 0.8)
        #expect(memory.importance == 0.7)
        #expect(memory.strength == 1)
        #expect(memory.decayRate == DecayPolicy.default.rate(for: .episodic))
        #expect(memory.accessCount == 0)
        #expect(memory.lastReinforcedAt == h.now)
        #expect(memory.createdAt == h.now)
        #expect(memory.validFrom == h.now)
        #expect(memory.validTo == nil)
        #expect(memory.tags == ["travel", "outdoors"])
        #expect(memory.keywords == ["alps", "hiking"])
        #expect(memory.category == "trips")
        #expect(memory.metadata == .object(["source": .string("chat")]))
        #expect(memory.entity == nil)
        #expect(memory.entityUpdateCount == 0)
        #expect(memory.parentID == parent.id)
        #expect(!memory.isAtomic)
        #expect(memory.sourceMessageIDs == [message.id])
        #expect(memory.contentHash == ContentHash.of(draft.content))
        #expect(try await h.store.memory(userID: "alice", id: memory.id) == memory)
        let stats = try await h.stats()
        #expect(stats.memories == 2)
        #expect(stats.validMemories == 2)
        #expect(stats.embeddings == 2)
        #expect(stats.memoriesBySector["episodic"] == 1)
        #expect(stats.memoriesBySector["semantic"] == 1)
    }

    @Test(arguments: Backend.allCases)
    func validFromAndPrecomputedEmbeddingAreHonoured(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let past = h.now.addingTimeInterval(-30 * day)
        var embedding = [Float](repeating: 0, count: 384)
        embedding[7] = 1
        let outcome = try await h.store.remember(
            MemoryDraft(userID: "alice", content: "Alice moved to Lisbon", validFrom: past, embedding: embedding))
        #expect(outcome.memory.validFrom == past)
        let exported = try await h.store.export(userID: "alice")
        let stored = exported.compactMap { record -> StoredEmbedding? in
            if case .embedding(let row) = record { return row }
            return nil
        }
        #expect(stored.count == 1)
        #expect(stored.first?.vector == embedding)
        #expect(stored.first?.memoryID == outcome.memory.id)
        #expect(stored.first?.dimension == 384)
        #expect(stored.first?.model == "hashing-v1-384")
    }

    @Test(arguments: Backend.allCases)
    func sameContentReinforcesInsteadOfDuplicating(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.user("bob")
        let original = try await h.remember("alice", "Alice drinks green tea every morning", sector: .episodic)
        h.clock.advance(by: 3 * day)
        let decayed = DecayPolicy.default.currentStrength(of: original, at: h.now)
        let again = try await h.store.remember(
            MemoryDraft(userID: "alice", content: "  ALICE drinks   green tea\nevery MORNING ", sector: .episodic))
        #expect(again.action == .reinforced)
        #expect(again.memory.id == original.id)
        let stored = try await h.store.memory(userID: "alice", id: original.id)
        #expect(stored.accessCount == original.accessCount + 1)
        #expect(stored.strength > decayed)
        #expect(stored.strength <= 1)
        #expect(stored.lastReinforcedAt == h.now)
        #expect(stored.salience >= original.salience)
        #expect(stored.content == original.content)
        #expect(try await h.stats().memories == 1)
        #expect(try await h.stats().embeddings == 1)

        let bobs = try await h.store.remember(
            MemoryDraft(userID: "bob", content: "Alice drinks green tea every morning"))
        #expect(bobs.action == .created)
        #expect(bobs.memory.id != original.id)
        #expect(bobs.memory.userID == "bob")
        #expect(try await h.stats().memories == 1)
        #expect(try await h.stats("bob").memories == 1)
    }

    @Test(arguments: Backend.allCases)
    func sameEntityMergesItsData(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.user("bob")
        let entity = EntityReference(system: "crm", id: "42", type: "customer")
        let first = try await h.store.remember(
            MemoryDraft(
                userID: "alice", content: "Customer 42 is Ada Lovelace", contextType: .domainEntity, entity: entity,
                entityData: .object(["name": .string("Ada"), "tier": .string("gold")])))
        #expect(first.action == .created)
        #expect(first.memory.entity == entity)
        #expect(first.memory.entityUpdateCount == 0)
        h.clock.advance(by: 60)
        let second = try await h.store.remember(
            MemoryDraft(
                userID: "alice", content: "Customer 42 moved to London and upgraded", contextType: .domainEntity,
                entity: EntityReference(system: "crm", id: "42"),
                entityData: .object(["tier": .string("platinum"), "city": .string("London")])))
        #expect(second.action == .merged)
        #expect(second.memory.id == first.memory.id)
        #expect(
            second.memory.entityData
                == .object(["name": .string("Ada"), "tier": .string("platinum"), "city": .string("London")]))
        #expect(second.memory.entityUpdateCount == 1)
        let stored = try await h.store.memory(userID: "alice", id: first.memory.id)
        #expect(stored.entityData == second.memory.entityData)
        #expect(stored.entityUpdateCount == 1)
        #expect(try await h.stats().memories == 1)
        #expect(try await h.stats().entities == 1)

        let third = try await h.store.remember(
            MemoryDraft(
                userID: "alice", content: "Customer 42 prefers email", entity: EntityReference(system: "crm", id: "42"),
                entityData: .object(["contact": .string("email")])))
        #expect(third.action == .merged)
        #expect(third.memory.entityUpdateCount == 2)
        #expect(third.memory.entityData?.objectValue?.keys.sorted() == ["city", "contact", "name", "tier"])

        let bobs = try await h.store.remember(
            MemoryDraft(
                userID: "bob", content: "Customer 42 is Ada Lovelace", entity: entity,
                entityData: .object(["name": .string("Ada")])))
        #expect(bobs.action == .created)
        #expect(bobs.memory.id != first.memory.id)
        #expect(bobs.memory.entityUpdateCount == 0)
        #expect(try await h.stats().memories == 1)
        #expect(try await h.stats("bob").memories == 1)
        // A different id in the same system is a different entity.
        let other = try await h.store.remember(
            MemoryDraft(
                userID: "alice", content: "Customer 43 is Grace", entity: EntityReference(system: "crm", id: "43")))
        #expect(other.action == .created)
        #expect(try await h.stats().memories == 2)
    }

    @Test(arguments: Backend.allCases)
    func rememberWithMissingReferencesWritesNothing(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        try await h.remember("alice", "An existing memory")
        let before = try await h.snapshot()
        await expectEngramError(.sessionNotFound) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: "orphan one", sessionID: "missing"))
        }
        await expectEngramError(.memoryNotFound) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: "orphan two", parentID: "missing"))
        }
        await expectEngramError(.agentNotFound) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: "orphan three", agentID: "missing"))
        }
        await expectEngramError(.userNotFound) {
            try await h.store.remember(MemoryDraft(userID: "nobody", content: "orphan four"))
        }
        #expect(try await h.snapshot() == before)
        #expect(try await h.stats().memories == 1)
    }
}

@Suite struct MemoryManagementTests {
    @Test(arguments: Backend.allCases)
    func memoriesListNewestFirstWithFiltersAndPaging(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let m1 = try await h.remember("alice", "first memory", sector: .episodic, tags: ["a"])
        h.clock.advance(by: 10)
        let m2 = try await h.remember("alice", "second memory", sector: .semantic, tags: ["a", "b"], sessionID: "s1")
        h.clock.advance(by: 10)
        let m3 = try await h.remember("alice", "third memory", sector: .procedural, contextType: .toolOutput)
        let all = try await h.store.memories(userID: "alice", filters: .init(), limit: 10, offset: 0)
        #expect(all.map(\.id) == [m3.id, m2.id, m1.id])
        #expect(
            try await h.store.memories(userID: "alice", filters: .init(), limit: 2, offset: 1).map(\.id) == [
                m2.id, m1.id,
            ])
        #expect(try await h.store.memories(userID: "alice", filters: .init(), limit: 1, offset: 0).map(\.id) == [m3.id])
        let episodic = try await h.store.memories(
            userID: "alice", filters: RecallFilters(sectors: [.episodic]), limit: 10, offset: 0)
        #expect(episodic.map(\.id) == [m1.id])
        let tagged = try await h.store.memories(
            userID: "alice", filters: RecallFilters(tags: ["a", "b"]), limit: 10, offset: 0)
        #expect(tagged.map(\.id) == [m2.id])
        let inSession = try await h.store.memories(
            userID: "alice", filters: RecallFilters(sessionID: "s1"), limit: 10, offset: 0)
        #expect(inSession.map(\.id) == [m2.id])
        let tools = try await h.store.memories(
            userID: "alice", filters: RecallFilters(contextTypes: [.toolOutput]), limit: 10, offset: 0)
        #expect(tools.map(\.id) == [m3.id])
        let late = try await h.store.memories(
            userID: "alice", filters: RecallFilters(createdAfter: m2.createdAt), limit: 10, offset: 0)
        #expect(late.map(\.id) == [m3.id, m2.id])
        let early = try await h.store.memories(
            userID: "alice", filters: RecallFilters(createdBefore: m2.createdAt), limit: 10, offset: 0)
        #expect(early.map(\.id) == [m1.id])

        try await h.store.forget(userID: "alice", id: m1.id, mode: .soft)
        #expect(
            try await h.store.memories(userID: "alice", filters: .init(), limit: 10, offset: 0).map(\.id) == [
                m3.id, m2.id,
            ])
        let withInvalid = try await h.store.memories(
            userID: "alice", filters: RecallFilters(includeInvalid: true), limit: 10, offset: 0)
        #expect(withInvalid.map(\.id) == [m3.id, m2.id, m1.id])
    }

    @Test(arguments: Backend.allCases)
    func updateMemoryRehashesAndReembeds(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let memory = try await h.remember("alice", "Alice owns a red bicycle")
        try await h.remember("alice", "The office coffee machine is broken")
        h.clock.advance(by: 60)
        let updated = try await h.store.updateMemory(
            userID: "alice", id: memory.id,
            MemoryPatch(
                content: "Alice owns a blue kayak", salience: 0.9, tags: ["boats"], metadata: .object(["v": .number(2)])
            ))
        #expect(updated.id == memory.id)
        #expect(updated.content == "Alice owns a blue kayak")
        #expect(updated.contentHash == ContentHash.of("Alice owns a blue kayak"))
        #expect(updated.salience == 0.9)
        #expect(updated.tags == ["boats"])
        #expect(updated.metadata == .object(["v": .number(2)]))
        #expect(updated.sector == memory.sector)
        #expect(updated.createdAt == memory.createdAt)
        #expect(updated.updatedAt == h.now)
        #expect(try await h.store.memory(userID: "alice", id: memory.id) == updated)

        let found = try await h.peek("alice", "kayak")
        #expect(found.first?.memory.id == memory.id)
        let stale = try await h.peek("alice", "bicycle")
        #expect(!stale.contains { $0.memory.id == memory.id && $0.score.text > 0 })
        #expect(try await h.stats().memories == 2)
        #expect(try await h.stats().embeddings == 2)

        // The new content now deduplicates.
        let again = try await h.store.remember(MemoryDraft(userID: "alice", content: "alice owns a BLUE kayak"))
        #expect(again.action == .reinforced)
        #expect(again.memory.id == memory.id)
    }

    @Test(arguments: Backend.allCases)
    func updateMemoryErrorsChangeNothing(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let memory = try await h.remember("alice", "Alice owns a red bicycle")
        let before = try await h.snapshot()
        await expectEngramError(.memoryNotFound) {
            try await h.store.updateMemory(userID: "alice", id: "missing", MemoryPatch(content: "x"))
        }
        await expectEngramError(.emptyContent) {
            try await h.store.updateMemory(userID: "alice", id: memory.id, MemoryPatch(content: "   "))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.updateMemory(userID: "alice", id: memory.id, MemoryPatch(salience: 2))
        }
        #expect(try await h.snapshot() == before)
    }

    @Test(arguments: Backend.allCases)
    func softForgetClosesValidityHardForgetErases(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let soft = try await h.remember("alice", "Alice's old phone number is 555-1234")
        let hard = try await h.remember("alice", "Alice's password hint is her cat")
        _ = try await h.store.setEmotion(
            Emotion(
                memoryID: hard.id, userID: "alice", valence: 0.5, arousal: 0.5, dominance: 0, discreteEmotions: [:],
                primaryEmotion: nil, confidence: 0.5, updatedAt: h.now))
        h.clock.advance(by: 60)
        try await h.store.forget(userID: "alice", id: soft.id, mode: .soft)
        let closed = try await h.store.memory(userID: "alice", id: soft.id)
        #expect(closed.validTo == h.now)
        #expect(!closed.isValid(at: h.now))
        #expect(closed.content == soft.content)

        try await h.store.forget(userID: "alice", id: hard.id, mode: .hard)
        await expectEngramError(.memoryNotFound) { try await h.store.memory(userID: "alice", id: hard.id) }
        await expectEngramError(.memoryNotFound) { try await h.store.forget(userID: "alice", id: hard.id, mode: .hard) }
        await expectEngramError(.memoryNotFound) {
            try await h.store.forget(userID: "alice", id: "missing", mode: .soft)
        }
        let stats = try await h.stats()
        #expect(stats.memories == 1)
        #expect(stats.validMemories == 0)
        #expect(stats.embeddings == 1)
        #expect(stats.emotions == 0)
        let exported = try await h.store.export(userID: "alice")
        #expect(!exported.contains { ExportRecordProbe.mentions($0, memoryID: hard.id) })
        // Hard-forgotten content can be remembered anew.
        let fresh = try await h.store.remember(
            MemoryDraft(userID: "alice", content: "Alice's password hint is her cat"))
        #expect(fresh.action == .created)
    }

    @Test(arguments: Backend.allCases)
    func emotionsAreSetReadAndValidated(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let memory = try await h.remember("alice", "Alice got the job offer", sector: .emotional)
        #expect(try await h.store.emotion(userID: "alice", memoryID: memory.id) == nil)
        let emotion = Emotion(
            memoryID: memory.id, userID: "alice", valence: 0.9, arousal: 0.7, dominance: 0.3,
            discreteEmotions: ["joy": 0.9, "surprise": 0.4], primaryEmotion: "joy", confidence: 0.8, updatedAt: h.now)
        let stored = try await h.store.setEmotion(emotion)
        #expect(stored.valence == 0.9)
        #expect(stored.discreteEmotions == ["joy": 0.9, "surprise": 0.4])
        let read = try #require(try await h.store.emotion(userID: "alice", memoryID: memory.id))
        #expect(read == stored)
        #expect(read.primaryEmotion == "joy")
        #expect(read.arousal == 0.7)
        #expect(read.dominance == 0.3)
        #expect(read.confidence == 0.8)

        var changed = emotion
        changed.valence = -0.2
        changed.primaryEmotion = "doubt"
        h.clock.advance(by: 5)
        _ = try await h.store.setEmotion(changed)
        let reread = try await h.store.emotion(userID: "alice", memoryID: memory.id)
        #expect(reread?.valence == -0.2)
        #expect(reread?.primaryEmotion == "doubt")
        #expect(try await h.stats().emotions == 1)

        let before = try await h.snapshot()
        var tooHigh = emotion
        tooHigh.valence = 2
        await expectEngramError(.invalidArgument) { try await h.store.setEmotion(tooHigh) }
        var nanArousal = emotion
        nanArousal.arousal = .nan
        await expectEngramError(.invalidArgument) { try await h.store.setEmotion(nanArousal) }
        var missing = emotion
        missing.memoryID = "missing"
        await expectEngramError(.memoryNotFound) { try await h.store.setEmotion(missing) }
        await expectEngramError(.memoryNotFound) { try await h.store.emotion(userID: "alice", memoryID: "missing") }
        #expect(try await h.snapshot() == before)
    }
}

/// Whether an exported row refers to a memory.
enum ExportRecordProbe {
    static func mentions(_ record: ExportRecord, memoryID: String) -> Bool {
        switch record {
        case .memory(let row): row.id == memoryID || row.parentID == memoryID
        case .embedding(let row): row.memoryID == memoryID
        case .link(let row): row.sourceID == memoryID || row.targetID == memoryID
        case .emotion(let row): row.memoryID == memoryID
        default: false
        }
    }
}
