import Foundation
import Testing

@testable import EngramCore

/// Full-text term weights: BM25's inverse document frequency, and the per-user counts kept between recalls.
@Suite struct TermStatisticsTests {
    @Test func rareTermsWeighMoreAndNoWeightIsNegative() {
        let rare = WeightedTerm.inverseDocumentFrequency(matches: 1, total: 1_000)
        let common = WeightedTerm.inverseDocumentFrequency(matches: 900, total: 1_000)
        #expect(abs(rare - log(1 + 999.5 / 1.5)) < 1e-12)
        #expect(rare > common)
        #expect(common > 0)
        // A term matching every memory (or, counted before a deletion, more than there are) still weighs > 0.
        #expect(WeightedTerm.inverseDocumentFrequency(matches: 1_200, total: 1_000) > 0)
    }

    @Test func countsHoldWhileTheUsersMemoryCountStaysWithinOnePercent() {
        let statistics = TermStatistics()
        statistics.remember(userID: "alice", memoryCount: 1_000, ["garden": 40, "tea": 3])
        #expect(statistics.counts(userID: "alice", memoryCount: 1_010, terms: ["garden", "chess"]) == ["garden": 40])
        #expect(statistics.counts(userID: "alice", memoryCount: 990, terms: ["tea"]) == ["tea": 3])
        // Past 1 % (an import, an erasure) the user's counts are made again.
        #expect(statistics.counts(userID: "alice", memoryCount: 1_011, terms: ["garden"]).isEmpty)
        #expect(statistics.counts(userID: "alice", memoryCount: 0, terms: ["garden"]).isEmpty)
        // Never another user's.
        #expect(statistics.counts(userID: "bob", memoryCount: 1_000, terms: ["garden"]).isEmpty)
        // Counts made at a count far from the old ones replace them all.
        statistics.remember(userID: "alice", memoryCount: 2_000, ["chess": 7])
        #expect(statistics.counts(userID: "alice", memoryCount: 2_000, terms: ["garden", "chess"]) == ["chess": 7])
    }
}
