import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

@Suite struct LinkTests {
    /// Three memories A → B → C.
    private func chain(_ h: Harness) async throws -> (a: Memory, b: Memory, c: Memory) {
        try await h.user()
        let a = try await h.remember("alice", "Alice started learning Japanese")
        let b = try await h.remember("alice", "Alice booked a trip to Kyoto")
        let c = try await h.remember("alice", "Alice visited the Fushimi Inari shrine")
        return (a, b, c)
    }

    @Test(arguments: Backend.allCases)
    func linkCreatesADirectedWeightedEdge(backend: Backend) async throws {
        let h = try Harness(backend)
        let (a, b, _) = try await chain(h)
        let link = try await h.store.link(
            LinkDraft(
                userID: "alice", sourceID: a.id, targetID: b.id, type: .ledTo, weight: 0.7,
                metadata: .object(["why": .string("motivation")])))
        #expect(link.userID == "alice")
        #expect(link.sourceID == a.id)
        #expect(link.targetID == b.id)
        #expect(link.type == .ledTo)
        #expect(link.weight == 0.7)
        #expect(link.origin == .explicit)
        #expect(link.metadata == .object(["why": .string("motivation")]))
        #expect(link.createdAt == h.now)
        let stats = try await h.stats()
        #expect(stats.links == 1)
        #expect(stats.linksByType["led_to"] == 1)
    }

    @Test(arguments: Backend.allCases)
    func neighboursAtDepthOneAndTwoInEitherDirection(backend: Backend) async throws {
        let h = try Harness(backend)
        let (a, b, c) = try await chain(h)
        let ab = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, type: .ledTo))
        let bc = try await h.store.link(
            LinkDraft(userID: "alice", sourceID: b.id, targetID: c.id, type: .causal, weight: 0.5))

        let one = try await h.store.neighbours(userID: "alice", memoryID: a.id, depth: 1, types: [])
        #expect(one.map(\.memory.id) == [b.id])
        #expect(one.first?.depth == 1)
        #expect(one.first?.link == ab)

        let two = try await h.store.neighbours(userID: "alice", memoryID: a.id, depth: 2, types: [])
        #expect(two.map(\.memory.id) == [b.id, c.id])
        #expect(two.map(\.depth) == [1, 2])
        #expect(two.last?.link == bc)

        let backwards = try await h.store.neighbours(userID: "alice", memoryID: c.id, depth: 1, types: [])
        #expect(backwards.map(\.memory.id) == [b.id])
        let fromMiddle = try await h.store.neighbours(userID: "alice", memoryID: b.id, depth: 1, types: [])
        #expect(Set(fromMiddle.map(\.memory.id)) == [a.id, c.id])
        #expect(!fromMiddle.contains { $0.memory.id == b.id })

        let onlyLedTo = try await h.store.neighbours(userID: "alice", memoryID: a.id, depth: 2, types: [.ledTo])
        #expect(onlyLedTo.map(\.memory.id) == [b.id])
        let onlyCausal = try await h.store.neighbours(userID: "alice", memoryID: b.id, depth: 2, types: [.causal])
        #expect(onlyCausal.map(\.memory.id) == [c.id])
    }

    @Test(arguments: Backend.allCases)
    func cyclesDoNotRepeatMemories(backend: Backend) async throws {
        let h = try Harness(backend)
        let (a, b, c) = try await chain(h)
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id))
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: b.id, targetID: c.id))
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: c.id, targetID: a.id))
        let reached = try await h.store.neighbours(userID: "alice", memoryID: a.id, depth: 3, types: [])
        #expect(Set(reached.map(\.memory.id)) == [b.id, c.id])
        #expect(reached.count == 2)
        #expect(reached.allSatisfy { $0.depth == 1 })
    }

    @Test(arguments: Backend.allCases)
    func relinkingUpdatesTheWeight(backend: Backend) async throws {
        let h = try Harness(backend)
        let (a, b, _) = try await chain(h)
        let first = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, weight: 0.4))
        let second = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, weight: 0.9))
        #expect(second.id == first.id)
        #expect(second.weight == 0.9)
        #expect(try await h.stats().links == 1)
        let neighbour = try await h.store.neighbours(userID: "alice", memoryID: a.id, depth: 1, types: [])
        #expect(neighbour.first?.link.weight == 0.9)
        // Another type is another link.
        _ = try await h.store.link(
            LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, type: .causal, weight: 0.2))
        #expect(try await h.stats().links == 2)
    }

    @Test(arguments: Backend.allCases)
    func unlinkRemovesOneTypeOrAll(backend: Backend) async throws {
        let h = try Harness(backend)
        let (a, b, c) = try await chain(h)
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, type: .relatesTo))
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, type: .causal))
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: c.id, type: .causal))
        #expect(try await h.store.unlink(userID: "alice", sourceID: a.id, targetID: b.id, type: .causal) == 1)
        let left = try await h.store.neighbours(userID: "alice", memoryID: a.id, depth: 1, types: [])
        #expect(left.map(\.link.type).sorted { $0.rawValue < $1.rawValue } == [.causal, .relatesTo])
        #expect(Set(left.map(\.memory.id)) == [b.id, c.id])
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, type: .causal))
        #expect(try await h.store.unlink(userID: "alice", sourceID: a.id, targetID: b.id, type: nil) == 2)
        #expect(
            try await h.store.neighbours(userID: "alice", memoryID: a.id, depth: 1, types: []).map(\.memory.id) == [
                c.id
            ])
        #expect(try await h.stats().links == 1)
        #expect(try await h.store.user("alice").counters.links == 1)
        // Nothing left between a and b: either 0 or link_not_found is acceptable.
        do {
            let removed = try await h.store.unlink(userID: "alice", sourceID: a.id, targetID: b.id, type: nil)
            #expect(removed == 0)
        } catch let error as EngramError {
            #expect(error.code == .linkNotFound)
        }
    }

    @Test(arguments: Backend.allCases)
    func hardForgetRemovesLinks(backend: Backend) async throws {
        let h = try Harness(backend)
        let (a, b, c) = try await chain(h)
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id))
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: b.id, targetID: c.id))
        try await h.store.forget(userID: "alice", id: b.id, mode: .hard)
        #expect(try await h.store.neighbours(userID: "alice", memoryID: a.id, depth: 2, types: []).isEmpty)
        #expect(try await h.store.neighbours(userID: "alice", memoryID: c.id, depth: 2, types: []).isEmpty)
        #expect(try await h.stats().links == 0)
        #expect(try await h.store.user("alice").counters.links == 0)
        #expect(try await h.store.user("alice").counters.memories == 2)
    }

    @Test(arguments: Backend.allCases)
    func invalidLinksAreRejected(backend: Backend) async throws {
        let h = try Harness(backend)
        let (a, b, _) = try await chain(h)
        try await h.user("bob")
        let bobs = try await h.remember("bob", "Bob likes jazz")
        let before = try await h.snapshot()
        let bobBefore = try await h.snapshot("bob")
        await expectEngramError(.invalidArgument) {
            try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: a.id))
        }
        await expectEngramError(.memoryNotFound) {
            try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: bobs.id))
        }
        await expectEngramError(.memoryNotFound) {
            try await h.store.link(LinkDraft(userID: "alice", sourceID: bobs.id, targetID: a.id))
        }
        await expectEngramError(.memoryNotFound) {
            try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: "missing"))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, weight: 1.5))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id, weight: .nan))
        }
        await expectEngramError(.memoryNotFound) {
            try await h.store.neighbours(userID: "alice", memoryID: "missing", depth: 1, types: [])
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.neighbours(userID: "alice", memoryID: a.id, depth: 0, types: [])
        }
        #expect(try await h.snapshot() == before)
        #expect(try await h.snapshot("bob") == bobBefore)
    }
}
