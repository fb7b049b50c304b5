import EngramCore
import Foundation
import Synchronization
import Testing

@testable import EngramTestSupport

/// Memory that forms itself: `observe` and consolidation, on every backend.
@Suite struct FormationTests {
    /// Alice's conversation with Bob in session s1, one turn a minute from the clock's start.
    private func observe(
        _ h: Harness, _ text: String, speaker: String = "Alice", session: String = "s1", user: String = "alice"
    ) async throws -> Observation {
        h.clock.advance(by: 60)
        return try await h.store.observe(
            ObservationDraft(userID: user, sessionID: session, speaker: speaker, content: text))
    }

    private func harness(_ backend: Backend, users: [String] = ["alice"]) async throws -> Harness {
        let h = try Harness(backend)
        for user in users {
            try await h.user(user)
            try await h.session(user, id: "s1")
        }
        return h
    }

    @Test(arguments: Backend.allCases)
    func aTurnIsRecallableAtOnceWithItsProvenance(backend: Backend) async throws {
        let h = try await harness(backend)
        let observed = try await observe(h, "I adopted a greyhound called Pepper.")
        #expect(observed.message.sequence == 1)
        #expect(observed.memory.sourceMessageIDs == [observed.message.id])
        #expect(observed.memory.sessionID == "s1")
        #expect(observed.memory.content == "Alice: I adopted a greyhound called Pepper.")
        #expect(observed.extraction == .complete)
        #expect(observed.context.map(\.id) == [observed.message.id])
        let results = try await h.store.recall(
            RecallQuery(userID: "alice", text: "greyhound Pepper", k: 3, reinforce: false))
        let hit = try #require(results.first { $0.memory.id == observed.memory.id })
        #expect(hit.sources.map(\.id) == [observed.message.id])
    }

    @Test(arguments: Backend.allCases)
    func factsResolvePronounsAndRelativeDates(backend: Backend) async throws {
        let h = try await harness(backend)
        // The clock starts on 2026-01-01; the turn is a minute later.
        let observed = try await observe(h, "I went to a pottery class yesterday. I live in Boston.")
        let stored = try await h.store.facts(userID: "alice", sessionID: "s1", includeExpired: false)
        #expect(Set(stored.map(\.id)) == Set(observed.facts.map(\.id)))
        let lives = try #require(observed.facts.first { $0.parts?.predicate == "lives_in" })
        #expect(lives.parts == FactParts(subject: "Alice", predicate: "lives_in", value: "Boston"))
        #expect(lives.sourceMessageIDs == [observed.message.id])
        let event = try #require(observed.facts.first { $0.factType == .event })
        #expect(event.parts?.subject == "Alice")
        #expect(event.content.hasPrefix("Alice"))
        let yesterday = Date(timeIntervalSince1970: 1_767_225_600 - 86_400)
        #expect(event.occurredAt == yesterday)
        #expect(observed.entities.contains { $0.content == "Boston" && $0.entity?.type == "place" })
    }

    @Test(arguments: Backend.allCases)
    func aRepeatedFactIsReinforcedNotDuplicated(backend: Backend) async throws {
        let h = try await harness(backend)
        let first = try await observe(h, "I live in Boston.")
        let again = try await observe(h, "I still live in Boston, you know.")
        let fact = try #require(first.facts.first { $0.parts?.predicate == "lives_in" })
        let reinforced = try #require(again.facts.first { $0.id == fact.id })
        #expect(reinforced.reinforcementCount == 1)
        #expect(reinforced.sourceMessageIDs == [first.message.id, again.message.id])
        #expect(reinforced.confidence > fact.confidence)
    }

    @Test(arguments: Backend.allCases)
    func aliasesMergeEntitiesWithinOneUser(backend: Backend) async throws {
        let h = try await harness(backend, users: ["alice", "bob"])
        let first = try await observe(h, "We flew to NYC for the marathon.")
        let second = try await observe(h, "New York City was freezing.")
        let bobs = try await observe(h, "NYC is far away.", speaker: "Bob", user: "bob")
        let nyc = try #require(first.entities.first { $0.content == "NYC" })
        let merged = try #require(second.entities.first)
        #expect(merged.id == nyc.id)
        #expect(merged.entityUpdateCount == 1)
        #expect(merged.sourceMessageIDs == [first.message.id, second.message.id])
        #expect(second.links.contains { $0.type == .relatesTo && $0.targetID == nyc.id })
        let bobsNYC = try #require(bobs.entities.first)
        #expect(bobsNYC.id != nyc.id)
        #expect(bobsNYC.userID == "bob")
    }

    @Test(arguments: Backend.allCases)
    func turnsLinkInTimeAndByStatedCause(backend: Backend) async throws {
        let h = try await harness(backend)
        let first = try await observe(h, "My flight was cancelled.")
        let second = try await observe(h, "Because of that I missed the wedding.")
        #expect(
            second.links.contains {
                $0.type == .temporal && $0.sourceID == first.memory.id && $0.targetID == second.memory.id
            })
        #expect(second.links.contains { $0.type == .causal && $0.sourceID == first.memory.id })
        #expect(second.links.allSatisfy { $0.origin == .auto })
    }

    @Test(arguments: Backend.allCases)
    func consolidationSupersedesAContradiction(backend: Backend) async throws {
        let h = try await harness(backend)
        _ = try await observe(h, "I live in Boston.")
        _ = try await h.store.consolidate(userID: "alice")
        let boston = try #require(
            try await h.store.memories(userID: "alice", filters: RecallFilters(), limit: 50, offset: 0)
                .first { $0.parts?.value == "Boston" })
        h.clock.advance(by: 7 * hour)
        let moved = try await observe(h, "I live in Denver now.")
        let report = try await h.store.consolidate(userID: "alice")
        #expect(report.supersededMemories == 1)
        let closed = try await h.store.memory(userID: "alice", id: boston.id)
        #expect(closed.validTo != nil)
        let all = try await h.store.memories(userID: "alice", filters: RecallFilters(), limit: 50, offset: 0)
        let denver = try #require(all.first { $0.parts?.value == "Denver" })
        #expect(denver.validTo == nil)
        #expect(denver.sourceMessageIDs == [moved.message.id])
        let links = try await h.store.neighbours(userID: "alice", memoryID: boston.id, depth: 1, types: [])
        #expect(links.contains { $0.link.type == .supersededBy && $0.memory.id == denver.id })
        #expect(!all.contains { $0.id == boston.id })
    }

    @Test(arguments: Backend.allCases)
    func aFinishedSessionBecomesAnEpisodeLinkedToItsTurns(backend: Backend) async throws {
        let h = try await harness(backend)
        let turns = [
            try await observe(h, "I started learning the cello last month."),
            try await observe(h, "That sounds lovely, how is it going?", speaker: "Bob"),
            try await observe(h, "Slowly, but my teacher Maria is patient."),
        ]
        #expect(try await h.store.consolidate(userID: "alice").episodes == 0)  // not idle yet
        h.clock.advance(by: 2 * hour)
        #expect(try await h.store.consolidate(userID: "alice").episodes == 1)
        let session = try await h.store.session(userID: "alice", id: "s1")
        let episodeID = try #require(session.episodeID)
        let episode = try await h.store.memory(userID: "alice", id: episodeID)
        #expect(episode.sector == .episodic)
        #expect(episode.tags.contains("episode"))
        #expect(episode.sourceMessageIDs == turns.map(\.message.id))
        #expect(episode.content.contains("Alice"))
        for turn in turns {
            let memory = try await h.store.memory(userID: "alice", id: turn.memory.id)
            #expect(memory.parentID == episodeID)
        }
        let neighbours = try await h.store.neighbours(userID: "alice", memoryID: episodeID, depth: 1, types: [])
        #expect(Set(neighbours.filter { $0.link.type == .belongsTo }.map(\.memory.id)) == Set(turns.map(\.memory.id)))
        #expect(try await h.store.consolidate(userID: "alice").episodes == 0)  // nothing changed since
    }

    @Test(arguments: Backend.allCases)
    func decayConsolidationAndExpiryAcrossSimulatedWeeks(backend: Backend) async throws {
        let h = try await harness(backend)
        let said = try await observe(h, "I prefer aisle seats.")
        let hedged = try await observe(h, "Maybe I will try surfing someday.")
        let preference = try #require(said.facts.first)
        #expect(preference.confidence < EngramConfiguration().formation.promotionConfidence)
        #expect(try await h.store.confirmFact(userID: "alice", id: preference.id).confirmed)
        h.clock.advance(by: 3 * day)
        let report = try await h.store.maintain(userID: "alice", options: MaintenanceOptions())
        #expect(report.consolidation.promotedFacts >= 1)
        let promoted = try await h.store.facts(userID: "alice", sessionID: nil, includeExpired: false)
            .filter { $0.promotedMemoryID != nil }
        #expect(promoted.contains { $0.id == preference.id })
        let before = try await h.store.memory(userID: "alice", id: said.memory.id)
        h.clock.advance(by: 14 * day)
        let later = try await h.store.maintain(userID: "alice", options: MaintenanceOptions())
        #expect(later.expiredWorkingFacts == said.facts.count + hedged.facts.count)
        #expect(try await h.store.facts(userID: "alice", sessionID: nil, includeExpired: true).isEmpty)
        let after = try await h.store.memory(userID: "alice", id: said.memory.id)
        #expect(after.strength < before.strength)
        for fact in promoted {
            let memory = try await h.store.memory(userID: "alice", id: try #require(fact.promotedMemoryID))
            #expect(memory.sourceMessageIDs == fact.sourceMessageIDs)
        }
    }

    @Test(arguments: Backend.allCases)
    func extractionOverItsBudgetIsDeferredToConsolidation(backend: Backend) async throws {
        let clock = ManualClock()
        var configuration = EngramConfiguration()
        configuration.formation.extractionBudget = .milliseconds(10)
        let store = try makeStore(backend, clock: clock, configuration: configuration, extractor: StallingOnce())
        let h = Harness(store: store, clock: clock)
        try await h.user()
        try await h.session(id: "s1")
        let observed = try await observe(h, "I live in Lisbon.")
        #expect(observed.extraction == .deferred)
        #expect(observed.facts.isEmpty)
        #expect(observed.memory.tags.contains("extraction_pending"))
        let report = try await h.store.consolidate(userID: "alice")
        #expect(report.extractedTurns == 1)
        let facts = try await h.store.facts(userID: "alice", sessionID: "s1", includeExpired: false)
        #expect(facts.contains { $0.parts?.value == "Lisbon" && $0.sourceMessageIDs == [observed.message.id] })
        let turn = try await h.store.memory(userID: "alice", id: observed.memory.id)
        #expect(!turn.tags.contains("extraction_pending"))
        #expect(try await h.store.consolidate(userID: "alice").extractedTurns == 0)
    }

    @Test(arguments: Backend.allCases)
    func badTurnsChangeNothing(backend: Backend) async throws {
        var configuration = EngramConfiguration()
        configuration.maxContentBytes = 64
        let h = try Harness(backend, configuration: configuration)
        try await h.user()
        try await h.session(id: "s1")
        _ = try await observe(h, "I live in Oslo.")
        let before = try await h.snapshot()
        let draft = ObservationDraft(userID: "alice", sessionID: "s1", content: "fine")
        var unknown = draft
        unknown.sessionID = "nope"
        await expectEngramError(.sessionNotFound) { try await h.store.observe(unknown) }
        var early = draft
        early.createdAt = h.now.addingTimeInterval(-3600)
        await expectEngramError(.messageOutOfOrder) { try await h.store.observe(early) }
        var huge = draft
        huge.content = String(repeating: "x", count: 65)
        await expectEngramError(.contentTooLarge) { try await h.store.observe(huge) }
        var empty = draft
        empty.content = "  "
        await expectEngramError(.emptyContent) { try await h.store.observe(empty) }
        var privateWithoutAgent = draft
        privateWithoutAgent.visibility = .private
        await expectEngramError(.invalidArgument) { try await h.store.observe(privateWithoutAgent) }
        var stranger = draft
        stranger.userID = "mallory"
        await expectEngramError(.userNotFound) { try await h.store.observe(stranger) }
        await expectEngramError(.invalidArgument) {
            _ = try JSONValue.parse("{not json", field: "state value")
        }
        #expect(try await h.snapshot() == before)
    }
}

/// An extractor whose first call never finishes (until cancelled) and whose later calls extract as usual: the first
/// observed turn overruns any budget, without a test that depends on timing.
private final class StallingOnce: FactExtractor {
    private let calls = Mutex(0)

    func extract(_ turn: Turn) async throws -> TurnExtraction {
        if calls.withLock({ count in
            count += 1
            return count == 1
        }) {
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
            throw CancellationError()
        }
        return try await HeuristicExtractor().extract(turn)
    }
}

@Suite struct FormationTransferTests {
    @Test(arguments: Backend.allCases)
    func entityAliasesSurviveExportEraseImport(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        h.clock.advance(by: 60)
        let first = try await h.store.observe(
            ObservationDraft(userID: "alice", sessionID: "s1", speaker: "Alice", content: "We flew to NYC."))
        let nyc = try #require(first.entities.first)
        let records = try await h.store.export(userID: "alice")
        #expect(records.contains { $0.storageTable == .entityAliases })
        let receipt = try await h.store.eraseUser("alice")
        #expect(receipt.deleted["entity_aliases", default: 0] >= 2)
        _ = try await h.store.importRecords(records, scope: .user("alice"))
        // Everything comes back as it was; the audit trail also says that the user was erased.
        let reexported = try await h.store.export(userID: "alice").filter { $0.storageTable != .auditLog }
        #expect(
            try reexported.map(ExportCodec.line)
                == records.filter { $0.storageTable != .auditLog }.map(ExportCodec.line))
        h.clock.advance(by: 60)
        let again = try await h.store.observe(
            ObservationDraft(userID: "alice", sessionID: "s1", speaker: "Alice", content: "New York City again."))
        #expect(again.entities.first?.id == nyc.id)
    }
}

@Suite struct VisibilityTests {
    @Test(arguments: Backend.allCases)
    func aPrivateMemoryIsRecalledOnlyByItsAgent(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        for agent in ["tutor", "coach"] {
            _ = try await h.store.createAgent(AgentDraft(userID: "alice", id: agent, name: agent))
        }
        let secret = try await h.store.remember(
            MemoryDraft(
                userID: "alice", content: "The tutor's private note about fractions", agentID: "tutor",
                visibility: .private))
        let shared = try await h.store.remember(
            MemoryDraft(userID: "alice", content: "A shared note about fractions", agentID: "tutor"))
        func recalled(as viewer: String?) async throws -> Set<String> {
            var filters = RecallFilters()
            filters.viewer = viewer
            return Set(
                try await h.store.recall(
                    RecallQuery(
                        userID: "alice", text: "note about fractions", k: 10, filters: filters, reinforce: false)
                )
                .map(\.memory.id))
        }
        #expect(try await recalled(as: "tutor") == [secret.memory.id, shared.memory.id])
        #expect(try await recalled(as: "coach") == [shared.memory.id])
        #expect(try await recalled(as: nil) == [secret.memory.id, shared.memory.id])
        await expectEngramError(.invalidArgument) {
            try await h.store.remember(MemoryDraft(userID: "alice", content: "no agent", visibility: .private))
        }
    }
}
