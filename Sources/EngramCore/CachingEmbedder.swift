import Crypto
import Foundation
import Synchronization

/// An embedder that remembers the vectors it made, keyed by (model, SHA-256 of the text), so a text embedded
/// again (a repeated query, a re-remembered fact, a resumed `reembed`) costs a lookup. It holds at most
/// `capacity` vectors in memory and evicts the least recently used. Vectors depend on the text only, so the
/// cache holds no user data beyond what its keys hash.
public final class CachingEmbedder: Embedder {
    public let base: any Embedder
    public let capacity: Int
    private let state: Mutex<State>

    private struct State: Sendable {
        var entries: [Key: Entry] = [:]
        var tick: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    private struct Key: Hashable, Sendable {
        var digest: Data
    }

    private struct Entry: Sendable {
        var vector: [Float]
        var used: UInt64
    }

    public init(_ base: any Embedder, capacity: Int = 10_000) {
        self.base = base
        self.capacity = max(1, capacity)
        self.state = Mutex(State())
    }

    public var model: String { base.model }
    public var dimension: Int { base.dimension }

    /// Lookups answered from the cache and lookups that had to embed, since creation.
    public var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        let keys = texts.map { Key(digest: Data(SHA256.hash(data: Data("\(model)\u{0}\($0)".utf8)))) }
        var vectors: [[Float]?] = state.withLock { state in
            keys.map { key in
                state.tick += 1
                guard var entry = state.entries[key] else {
                    state.misses += 1
                    return nil
                }
                state.hits += 1
                entry.used = state.tick
                state.entries[key] = entry
                return entry.vector
            }
        }
        // Each distinct missing text is embedded once.
        var firstIndex: [Key: Int] = [:]
        let missing = keys.indices.filter { vectors[$0] == nil && firstIndex.updateValue($0, forKey: keys[$0]) == nil }
        guard !missing.isEmpty else { return vectors.map { $0 ?? [] } }
        let embedded = try await base.embed(missing.map { texts[$0] })
        state.withLock { state in
            for (index, vector) in zip(missing, embedded) {
                state.tick += 1
                state.entries[keys[index]] = Entry(vector: vector, used: state.tick)
            }
            if state.entries.count > capacity {
                // Evict the least recently used quarter in one pass, so eviction costs O(1) per insert on average.
                let keep = capacity - capacity / 4
                let survivors = state.entries.sorted { $0.value.used > $1.value.used }.prefix(keep)
                state.entries = Dictionary(uniqueKeysWithValues: survivors.map { ($0.key, $0.value) })
            }
        }
        let byKey = Dictionary(zip(missing.map { keys[$0] }, embedded), uniquingKeysWith: { first, _ in first })
        for index in vectors.indices where vectors[index] == nil { vectors[index] = byKey[keys[index]] }
        return vectors.map { $0 ?? [] }
    }
}
