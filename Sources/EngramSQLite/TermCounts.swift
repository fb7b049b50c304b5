import Synchronization

/// How many of a user's memories each query term matches, and the user's average row length in the full-text
/// index, remembered between recalls: counting among a large user's rows costs milliseconds, and BM25's weights
/// barely move while the user's memory count stays within 1 % of what it was when counted. Any larger change
/// (from this process or another) counts again.
final class TermCounts: Sendable {
    private struct Entry {
        var memoryCount: Int
        var counts: [String: Int] = [:]
        var averageLength: Double?
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Users and terms kept at most; past them the cache starts over.
    private static let maxUsers = 1_000
    private static let maxTerms = 10_000

    /// The known counts of `terms` for the user, valid for `memoryCount`.
    func counts(userID: String, memoryCount: Int, terms: [String]) -> [String: Int] {
        entries.withLock { entries in
            guard let entry = entries[userID], abs(entry.memoryCount - memoryCount) * 100 <= entry.memoryCount
            else { return [:] }
            return entry.counts.filter { terms.contains($0.key) }
        }
    }

    /// Remembers counts made when the user had `memoryCount` memories.
    func remember(userID: String, memoryCount: Int, _ counts: [String: Int]) {
        entries.withLock { entries in
            var entry = entries[userID] ?? Entry(memoryCount: memoryCount)
            if abs(entry.memoryCount - memoryCount) * 100 > entry.memoryCount || entry.counts.count > Self.maxTerms {
                entry = Entry(memoryCount: memoryCount)
            }
            entry.counts.merge(counts) { _, new in new }
            if entries[userID] == nil, entries.count >= Self.maxUsers { entries.removeAll() }
            entries[userID] = entry
        }
    }

    /// The user's average row length, valid for `memoryCount`, when known.
    func averageLength(userID: String, memoryCount: Int) -> Double? {
        entries.withLock { entries in
            guard let entry = entries[userID], abs(entry.memoryCount - memoryCount) * 100 <= entry.memoryCount
            else { return nil }
            return entry.averageLength
        }
    }

    /// Remembers the user's average row length measured with `memoryCount` memories.
    func remember(userID: String, memoryCount: Int, averageLength: Double) {
        remember(userID: userID, memoryCount: memoryCount, [:])
        entries.withLock { $0[userID]?.averageLength = averageLength }
    }

    /// Forgets the user's counts (an erasure, an import).
    func invalidate(userID: String) {
        entries.withLock { $0[userID] = nil }
    }

    /// Forgets every count (a restore, a migration).
    func invalidateAll() {
        entries.withLock { $0.removeAll() }
    }
}
