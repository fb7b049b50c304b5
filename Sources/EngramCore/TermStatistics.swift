import Foundation
import Synchronization

/// A query term and its weight in the full-text score: its inverse document frequency among the user's memories.
public struct WeightedTerm: Sendable, Hashable {
    /// A lower-case word, stop words removed (see ``Tokenizer``).
    public var term: String
    /// What one match of the term is worth (BM25's IDF): ln(1 + (N − n + 0.5) / (n + 0.5)) for a user with N
    /// memories of which n match.
    public var weight: Double

    public init(term: String, weight: Double) {
        self.term = term
        self.weight = weight
    }

    /// BM25's inverse document frequency of a term matched by `matches` of `total` memories.
    public static func inverseDocumentFrequency(matches: Int, total: Int) -> Double {
        let matches = Double(max(0, matches))
        return log(1 + (max(0, Double(total) - matches) + 0.5) / (matches + 0.5))
    }
}

/// How much one match of a term counts toward its frequency in a memory's BM25 score, by where it is: both
/// full-text engines weigh the same (SQLite's FTS5 columns, PostgreSQL's tsvector weights A and B–C).
public enum FullTextFieldWeight {
    /// A match in the memory's content (PostgreSQL weight A).
    public static let content = 1.0
    /// A match in its summary, tags, keywords or conversation context (PostgreSQL weights B and C).
    public static let secondary = 0.5
}

/// How many of a user's memories each query term matches, remembered between recalls: counting among a large
/// user's rows costs milliseconds, and the weights barely move while the user's memory count stays within 1 % of
/// what it was when counted. Any larger change (from this process or another, an erasure, an import) counts again.
/// Counts are per user only, so that another user's words never move a user's ranking.
final class TermStatistics: Sendable {
    private struct Entry {
        var memoryCount: Int
        var counts: [String: Int] = [:]

        func isValid(for memoryCount: Int) -> Bool {
            abs(self.memoryCount - memoryCount) * 100 <= self.memoryCount
        }
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Users and terms kept at most; past them the cache starts over.
    private static let maxUsers = 1_000
    private static let maxTerms = 10_000

    /// The known counts of `terms` for a user with `memoryCount` memories.
    func counts(userID: String, memoryCount: Int, terms: [String]) -> [String: Int] {
        entries.withLock { entries in
            guard let entry = entries[userID], entry.isValid(for: memoryCount) else { return [:] }
            var known: [String: Int] = [:]
            for term in terms { known[term] = entry.counts[term] }
            return known
        }
    }

    /// Remembers counts made when the user had `memoryCount` memories.
    func remember(userID: String, memoryCount: Int, _ counts: [String: Int]) {
        guard !counts.isEmpty else { return }
        entries.withLock { entries in
            var entry = entries[userID] ?? Entry(memoryCount: memoryCount)
            if !entry.isValid(for: memoryCount) || entry.counts.count > Self.maxTerms {
                entry = Entry(memoryCount: memoryCount)
            }
            entry.counts.merge(counts) { _, new in new }
            if entries[userID] == nil, entries.count >= Self.maxUsers { entries.removeAll() }
            entries[userID] = entry
        }
    }
}
