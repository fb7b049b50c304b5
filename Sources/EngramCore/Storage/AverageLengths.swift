import Synchronization

/// Each user's average row length in the full-text index (BM25's length normalisation), remembered between
/// recalls: it barely moves while the user's memory count stays within 1 % of what it was when measured. Any larger
/// change (from this process or another) measures again. Each driver keeps one and measures the length in its own
/// full-text index, over the user's newest ``sampleSize`` memories (by row number, whatever their state): a sample
/// that large puts the average within about 1 % of the whole's, and the first recall of a large user reads a
/// thousand rows instead of all of them.
public final class AverageLengths: Sendable {
    /// How many of the user's newest memories the average is measured over.
    public static let sampleSize = 1_000

    private let entries = Mutex<[String: (memoryCount: Int, length: Double)]>([:])

    /// Users kept at most; past them the cache starts over.
    private static let maxUsers = 10_000

    public init() {}

    /// The user's average row length, when measured with a memory count within 1 % of `memoryCount`.
    public func length(userID: String, memoryCount: Int) -> Double? {
        entries.withLock { entries in
            guard let entry = entries[userID], abs(entry.memoryCount - memoryCount) * 100 <= entry.memoryCount
            else { return nil }
            return entry.length
        }
    }

    /// Remembers the user's average row length measured with `memoryCount` memories.
    public func remember(userID: String, memoryCount: Int, length: Double) {
        entries.withLock { entries in
            if entries[userID] == nil, entries.count >= Self.maxUsers { entries.removeAll() }
            entries[userID] = (memoryCount, length)
        }
    }

    /// Forgets the user's length (an erasure, an import).
    public func invalidate(userID: String) {
        entries.withLock { $0[userID] = nil }
    }

    /// Forgets every length (a restore, a migration).
    public func invalidateAll() {
        entries.withLock { $0.removeAll() }
    }
}
