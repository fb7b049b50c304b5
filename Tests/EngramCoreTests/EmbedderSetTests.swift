import EngramCore
import Synchronization
import Testing

/// Counts the texts it embeds; vectors are the text's length, padded.
final class CountingEmbedder: Embedder {
    let model: String
    let dimension = 4
    private let embedded = Mutex<[String]>([])

    init(model: String = "counting") { self.model = model }

    var texts: [String] { embedded.withLock { $0 } }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        embedded.withLock { $0 += texts }
        return texts.map { [Float($0.count), 1, 0, 0] }
    }
}

@Suite struct CachingEmbedderTests {
    @Test func aTextIsEmbeddedOnceAndServedFromTheCacheAfter() async throws {
        let base = CountingEmbedder()
        let cache = CachingEmbedder(base, capacity: 10)
        let first = try await cache.embed(["a", "bb", "a", "ccc"])
        #expect(first == [[1, 1, 0, 0], [2, 1, 0, 0], [1, 1, 0, 0], [3, 1, 0, 0]])
        #expect(base.texts == ["a", "bb", "ccc"], "duplicates in one call are embedded once")
        let second = try await cache.embed(["ccc", "dddd", "bb"])
        #expect(second == [[3, 1, 0, 0], [4, 1, 0, 0], [2, 1, 0, 0]])
        #expect(base.texts == ["a", "bb", "ccc", "dddd"])
        #expect(cache.counts.hits == 2)
        #expect(cache.counts.misses == 5)
        #expect(cache.model == "counting")
        #expect(try await cache.embed([]).isEmpty)
    }

    @Test func theLeastRecentlyUsedAreEvictedPastCapacity() async throws {
        let base = CountingEmbedder()
        let cache = CachingEmbedder(base, capacity: 4)
        _ = try await cache.embed(["1", "2", "3", "4"])
        _ = try await cache.embed(["1"])  // recently used: survives
        _ = try await cache.embed(["5"])  // over capacity: the least recently used quarter goes
        _ = try await cache.embed(["1", "2"])
        #expect(base.texts == ["1", "2", "3", "4", "5", "2"])
    }
}

@Suite struct EmbedderSetTests {
    @Test func duringASwitchWritesUseBothModelsAndRecallTheActiveOne() async throws {
        let old = CountingEmbedder(model: "old")
        let new = CountingEmbedder(model: "new")
        let set = EmbedderSet(configured: new, others: [old, HashingEmbedder()])
        #expect(set.recallEmbedder(active: EmbeddingModel(old)).model == "old")
        #expect(set.recallEmbedder(active: EmbeddingModel(new)).model == "new")
        #expect(set.recallEmbedder(active: EmbeddingModel(model: "gone", dimension: 4)).model == "new")
        #expect(set.writeEmbedders(active: EmbeddingModel(old)).map(\.model) == ["new", "old"])
        #expect(set.writeEmbedders(active: EmbeddingModel(new)).map(\.model) == ["new"])

        let drafts = [
            MemoryDraft(userID: "u", content: "abc", embedding: [9, 9, 9, 9]), MemoryDraft(userID: "u", content: "de"),
        ]
        let models = set.writeEmbedders(active: EmbeddingModel(old)).map(EmbeddingModel.init)
        let vectors = try await set.vectors(for: drafts, at: [0, 1], models: models)
        #expect(
            vectors.byModel[EmbeddingModel(new)] == [0: [9, 9, 9, 9], 1: [2, 1, 0, 0]],
            "a draft's own vector stands for the configured model")
        #expect(vectors.byModel[EmbeddingModel(old)] == [0: [3, 1, 0, 0], 1: [2, 1, 0, 0]])
        #expect(vectors.positions == [0, 1])
        #expect(new.texts == ["de"])
        #expect(old.texts == ["abc", "de"])
        // Only the drafts asked for are embedded (say, the one a batch creates; the others reinforce).
        let one = try await set.vectors(for: drafts, at: [1], models: models)
        #expect(one.positions == [1])
        #expect(new.texts == ["de", "de"])
        #expect(old.texts == ["abc", "de", "de"])
    }
}
