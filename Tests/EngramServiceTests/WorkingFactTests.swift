import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

@Suite struct WorkingFactTests {
    @Test(arguments: Backend.allCases)
    func addFactStoresFieldsAndExpiry(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let message = try await h.message("alice", "s1", "I prefer window seats")
        let fact = try await h.store.addFact(
            WorkingFactDraft(
                userID: "alice", sessionID: "s1", factType: .preference, content: "prefers window seats",
                confidence: 0.8, sourceMessageIDs: [message.id], ttl: hour))
        #expect(fact.userID == "alice")
        #expect(fact.sessionID == "s1")
        #expect(fact.factType == .preference)
        #expect(fact.content == "prefers window seats")
        #expect(fact.confidence == 0.8)
        #expect(fact.sourceMessageIDs == [message.id])
        #expect(fact.createdAt == h.now)
        #expect(fact.expiresAt == h.now.addingTimeInterval(hour))
        let defaulted = try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "default ttl"))
        #expect(defaulted.expiresAt == h.now.addingTimeInterval(7 * day))
        #expect(defaulted.sessionID == nil)
        #expect(try await h.stats().activeWorkingFacts == 2)
    }

    @Test(arguments: Backend.allCases)
    func factsAreNewestFirstAndFilterBySession(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        try await h.session(id: "s2")
        let f1 = try await h.store.addFact(WorkingFactDraft(userID: "alice", sessionID: "s1", content: "one"))
        h.clock.advance(by: 10)
        let f2 = try await h.store.addFact(WorkingFactDraft(userID: "alice", sessionID: "s2", content: "two"))
        h.clock.advance(by: 10)
        let f3 = try await h.store.addFact(WorkingFactDraft(userID: "alice", sessionID: "s1", content: "three"))
        let all = try await h.store.facts(userID: "alice", sessionID: nil, includeExpired: false)
        #expect(all.map(\.id) == [f3.id, f2.id, f1.id])
        let s1 = try await h.store.facts(userID: "alice", sessionID: "s1", includeExpired: false)
        #expect(s1.map(\.id) == [f3.id, f1.id])
        await expectEngramError(.sessionNotFound) {
            try await h.store.facts(userID: "alice", sessionID: "missing", includeExpired: false)
        }
    }

    @Test(arguments: Backend.allCases)
    func expiredFactsAreHiddenThenRemovedByMaintenance(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let shortLived = try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "short", ttl: hour))
        let longLived = try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "long", ttl: 10 * hour))
        h.clock.advance(by: 2 * hour)
        let live = try await h.store.facts(userID: "alice", sessionID: nil, includeExpired: false)
        #expect(live.map(\.id) == [longLived.id])
        let everything = try await h.store.facts(userID: "alice", sessionID: nil, includeExpired: true)
        #expect(Set(everything.map(\.id)) == [shortLived.id, longLived.id])
        #expect(try await h.stats().activeWorkingFacts == 1)

        let report = try await h.store.maintain(userID: "alice", options: MaintenanceOptions())
        #expect(report.expiredWorkingFacts == 1)
        let remaining = try await h.store.facts(userID: "alice", sessionID: nil, includeExpired: true)
        #expect(remaining.map(\.id) == [longLived.id])
        await expectEngramError(.factNotFound) { try await h.store.deleteFact(userID: "alice", id: shortLived.id) }
    }

    @Test(arguments: Backend.allCases)
    func deleteFact(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let fact = try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "temporary"))
        let other = try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "kept"))
        try await h.store.deleteFact(userID: "alice", id: fact.id)
        #expect(try await h.store.facts(userID: "alice", sessionID: nil, includeExpired: true).map(\.id) == [other.id])
        await expectEngramError(.factNotFound) { try await h.store.deleteFact(userID: "alice", id: fact.id) }
        await expectEngramError(.factNotFound) { try await h.store.deleteFact(userID: "alice", id: "missing") }
    }

    @Test(arguments: Backend.allCases)
    func invalidFactsChangeNothing(backend: Backend) async throws {
        var configuration = EngramConfiguration()
        configuration.maxContentBytes = 1024
        let h = try Harness(backend, configuration: configuration)
        try await h.user()
        let before = try await h.snapshot()
        await expectEngramError(.emptyContent) {
            try await h.store.addFact(WorkingFactDraft(userID: "alice", content: " "))
        }
        await expectEngramError(.contentTooLarge) {
            try await h.store.addFact(WorkingFactDraft(userID: "alice", content: String(repeating: "f", count: 1025)))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "x", confidence: 1.5))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "x", ttl: 0))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.addFact(WorkingFactDraft(userID: "alice", content: "x", ttl: -hour))
        }
        await expectEngramError(.sessionNotFound) {
            try await h.store.addFact(WorkingFactDraft(userID: "alice", sessionID: "missing", content: "x"))
        }
        await expectEngramError(.userNotFound) {
            try await h.store.addFact(WorkingFactDraft(userID: "nobody", content: "x"))
        }
        #expect(try await h.snapshot() == before)
    }
}
