import EngramCore
import Foundation
import Synchronization
import Testing

@testable import EngramTestSupport

/// A tiny "semantic" embedder for tests: words of one concept share a dimension, so `dog`, `puppy` and `hound`
/// embed alike, which the lexical hashing embedder cannot do.
struct ConceptEmbedder: Embedder {
    static let concepts: [[String]] = [
        ["dog", "dogs", "puppy", "hound", "canine"], ["weather", "sunny", "rain", "forecast"],
        ["shoes", "sneakers", "running", "boots"], ["beach", "sea", "coast"],
    ]
    var model: String { "concept-test" }
    var dimension: Int { Self.concepts.count + 1 }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { text in
            var vector = [Float](repeating: 0, count: dimension)
            for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) {
                // Words of no concept share the last dimension, weakly.
                if let concept = Self.concepts.firstIndex(where: { $0.contains(String(word)) }) {
                    vector[concept] += 1
                } else {
                    vector[Self.concepts.count] += 0.1
                }
            }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? vector.map { $0 / norm } : vector
        }
    }
}

@Suite struct ModelSwitchTests {
    @Test(arguments: Backend.allCases)
    func recallWorksThroughoutASwitchAndRanksWithTheNewModelAfterReembed(backend: Backend) async throws {
        let open = try makeDatabaseWithEmbedders(backend)
        let clock = ManualClock()
        let hashing = HashingEmbedder()
        let concept = ConceptEmbedder()
        let a = Harness(store: try open(clock, .init(), hashing, []), clock: clock)
        try await a.user()
        let puppy = try await a.remember("alice", "The puppy chewed my slippers")
        try await a.remember("alice", "Sunny weather all week")
        try await a.remember("alice", "Bought new running shoes")
        let query = RecallQuery(userID: "alice", text: "dog", k: 3, reinforce: false)
        let beforeSwitch = try await a.store.recall(query)
        #expect(beforeSwitch.allSatisfy { $0.score.vector < 0.5 }, "hashing cannot relate dog and puppy")

        // The configuration changes to model B; A stays available for queries during the switch.
        let b = Harness(store: try open(clock, .init(), concept, [hashing]), clock: clock)
        var status = try await b.store.embeddingStatus()
        #expect(status.configured == EmbeddingModel(concept))
        #expect(status.active == EmbeddingModel(hashing))
        #expect(status.missing == 3)
        #expect(status.isSwitching)
        // Recall still ranks with A, exactly as before.
        let during = try await b.store.recall(query)
        #expect(during.map(\.memory.id) == beforeSwitch.map(\.memory.id))
        #expect(during.map(\.score.vector) == beforeSwitch.map(\.score.vector))
        // A memory written during the switch gets vectors of both models.
        let hound = try await b.remember("alice", "Our hound sleeps all day")
        status = try await b.store.embeddingStatus()
        #expect(status.vectors[EmbeddingModel(hashing).description] == 4)
        #expect(status.vectors[EmbeddingModel(concept).description] == 1)
        #expect(status.missing == 3)

        let seen = Mutex<[ReembedProgress]>([])
        let report = try await b.store.reembed(batchSize: 2, prune: false) { progress in
            seen.withLock { $0.append(progress) }
        }
        #expect(report.embedded == 3)
        #expect(report.switched)
        #expect(report.active == EmbeddingModel(concept))
        #expect(seen.withLock { $0 }.map(\.embedded) == [0, 2, 3])
        #expect(seen.withLock { $0 }.allSatisfy { $0.total == 3 })
        status = try await b.store.embeddingStatus()
        #expect(status.active == EmbeddingModel(concept))
        #expect(status.missing == 0)
        #expect(!status.isSwitching)

        // Recall now ranks with B: both dog memories first, by meaning.
        let after = try await b.store.recall(query)
        #expect(Set(after.prefix(2).map(\.memory.id)) == [puppy.id, hound.id])
        #expect(after.prefix(2).allSatisfy { $0.score.vector > 0.9 })

        // Pruning leaves B's vectors only; running again has nothing to do.
        let pruned = try await b.store.reembed(batchSize: 2, prune: true) { _ in }
        #expect(pruned.embedded == 0)
        #expect(pruned.pruned == 4)
        status = try await b.store.embeddingStatus()
        #expect(status.vectors == [EmbeddingModel(concept).description: 4])
    }

    @Test(arguments: Backend.allCases)
    func reembedEmbedsATurnAfterTheTurnBeforeItAsRememberDid(backend: Backend) async throws {
        let open = try makeDatabaseWithEmbedders(backend)
        let clock = ManualClock()
        let a = Harness(store: try open(clock, .init(), HashingEmbedder(), []), clock: clock)
        try await a.user()
        try await a.session("alice", id: "chat")
        var memories: [Memory] = []
        for text in ["Did you walk the dog?", "Yes, along the coast.", "In the rain?"] {
            let message = try await a.store.appendMessage(
                MessageDraft(userID: "alice", sessionID: "chat", role: .user, content: text))
            memories.append(
                try await a.store.remember(
                    MemoryDraft(userID: "alice", content: text, sessionID: "chat", sourceMessageIDs: [message.id])
                ).memory)
        }
        let concept = ConceptEmbedder()
        let b = Harness(store: try open(clock, .init(), concept, [HashingEmbedder()]), clock: clock)
        let report = try await b.store.reembed(batchSize: 2, prune: true) { _ in }
        #expect(report.embedded == 3)
        let stored = Dictionary(
            uniqueKeysWithValues: try await b.store.export(userID: "alice").compactMap { record -> (String, [Float])? in
                if case .embedding(let row) = record { return (row.memoryID, row.vector) }
                return nil
            })
        let vectors = try await concept.embed([
            "Did you walk the dog?", "Yes, along the coast.", "Did you walk the dog?\nYes, along the coast.",
            "In the rain?", "Yes, along the coast.\nIn the rain?",
        ])
        let expected = [
            vectors[0], MemoryService.turnVector(own: vectors[1], inContext: vectors[2]),
            MemoryService.turnVector(own: vectors[3], inContext: vectors[4]),
        ]
        #expect(memories.map { stored[$0.id] } == expected)
    }

    @Test(arguments: Backend.allCases)
    func anEmptyStoreSwitchesAtOnceAndReembedSkipsChangedMemories(backend: Backend) async throws {
        let open = try makeDatabaseWithEmbedders(backend)
        let clock = ManualClock()
        let a = Harness(store: try open(clock, .init(), HashingEmbedder(), []), clock: clock)
        #expect(try await a.store.embeddingStatus().active == EmbeddingModel(HashingEmbedder()))
        let b = Harness(store: try open(clock, .init(), ConceptEmbedder(), []), clock: clock)
        let status = try await b.store.embeddingStatus()
        #expect(status.active == EmbeddingModel(ConceptEmbedder()), "no memories: nothing to wait for")
        #expect(status.memories == 0)
        await expectEngramError(.invalidArgument) { try await b.store.reembed(batchSize: 0, prune: false) { _ in } }
    }
}
