import EngramCore
import Foundation
import Testing

@Suite struct RecallScorerTests {
    let now = referenceDate.addingTimeInterval(7 * secondsPerDay)
    let scorer = RecallScorer(configuration: RecallConfiguration(), decay: .default)

    private func link(_ source: String, _ target: String, weight: Double) -> Link {
        Link(
            id: "\(source)-\(target)", userID: "alice", sourceID: source, targetID: target, type: .relatesTo,
            weight: weight, origin: .explicit, traversalCount: 0, metadata: .emptyObject, createdAt: referenceDate)
    }

    private func candidate(
        _ id: String, vector: Double?, text: Double?, salience: Double = 0.5, strength: Double = 1,
        decayRate: Double = 0.1
    ) -> RecallCandidate {
        RecallCandidate(
            memory: makeMemory(id: id, salience: salience, strength: strength, decayRate: decayRate),
            vectorScore: vector, textScore: text, matchedBy: ["vector"])
    }

    @Test func compositeIsTheWeightedSumOfItsParts() throws {
        let a = candidate("a", vector: 0.8, text: 2.0, salience: 0.7)
        let b = candidate("b", vector: 0.5, text: 1.0, salience: 0.4, decayRate: 0.004)
        let query = RecallQuery(userID: "alice", text: "q")
        let ranked = scorer.rank([a, b], links: [link("a", "b", weight: 0.4)], query: query, at: now)
        #expect(ranked.count == 2)
        let first = try #require(ranked.first)
        #expect(first.candidate.memoryID == "a")
        let score = first.score
        #expect(abs(score.vector - 0.8) < 1e-12)
        #expect(abs(score.text - 1.0) < 1e-12)
        // The cosines are min-max normalised over the candidates (a: 1, b: 0); text against the best (a: 1, b: 0.5);
        // similarity = 0.4 · vector′ + 0.6 · text.
        #expect(abs(score.vectorNormalised - 1) < 1e-12)
        #expect(abs(score.similarity - 1.0) < 1e-12)
        #expect(abs(score.salience - 0.7) < 1e-12)
        #expect(abs(score.recency - exp(-0.7)) < 1e-12)
        // Link activation: the link's weight times the similarity of the memory at its other end.
        #expect(abs(score.linkWeight - 0.4 * 0.3) < 1e-12)
        let expected = 0.6 * 1.0 + 0.2 * 0.7 + 0.1 * exp(-0.7) + 0.1 * (0.4 * 0.3)
        #expect(abs(score.composite - expected) < 1e-12)

        let second = ranked[1].score
        #expect(abs(second.text - 0.5) < 1e-12)
        #expect(second.vectorNormalised == 0)
        #expect(abs(second.similarity - 0.3) < 1e-12)
        #expect(abs(second.recency - exp(-0.028)) < 1e-12)
        #expect(abs(second.linkWeight - 0.4 * 1.0) < 1e-12)
        let expectedSecond = 0.6 * 0.3 + 0.2 * 0.4 + 0.1 * exp(-0.028) + 0.1 * (0.4 * 1.0)
        #expect(abs(second.composite - expectedSecond) < 1e-12)
    }

    @Test func vectorScoresAreClampedToZeroAndOne() throws {
        let ranked = scorer.rank(
            [candidate("a", vector: 1.5, text: nil), candidate("b", vector: -0.3, text: 1.0)], links: [],
            query: RecallQuery(userID: "alice", text: "q"), at: referenceDate)
        let a = try #require(ranked.first { $0.candidate.memoryID == "a" })
        let b = try #require(ranked.first { $0.candidate.memoryID == "b" })
        #expect(a.score.vector == 1)
        #expect(abs(a.score.similarity - 0.4) < 1e-12)
        #expect(b.score.vector == 0)
        #expect(abs(b.score.similarity - 0.6) < 1e-12)
    }

    @Test func customWeightsReplaceTheConfiguredOnes() throws {
        let weights = RecallWeights(similarity: 1, salience: 2, recency: 0, link: 0)
        let query = RecallQuery(userID: "alice", text: "q", weights: weights)
        let ranked = scorer.rank(
            [candidate("a", vector: 0.6, text: nil, salience: 0.3)], links: [], query: query, at: now)
        let score = try #require(ranked.first).score
        // One candidate: nothing to normalise against, so its cosine stands (0.4 · 0.6).
        #expect(abs(score.composite - (1 * 0.24 + 2 * 0.3)) < 1e-12)

        var configuration = RecallConfiguration()
        configuration.weights = RecallWeights(similarity: 0, salience: 1, recency: 0, link: 0)
        let configured = RecallScorer(configuration: configuration, decay: .default)
        let plain = configured.rank(
            [candidate("a", vector: 0.6, text: nil, salience: 0.3)], links: [],
            query: RecallQuery(userID: "alice", text: "q"), at: now)
        #expect(abs((plain.first?.score.composite ?? -1) - 0.3) < 1e-12)
    }

    @Test func minScoreDropsLowResults() {
        let candidates = [
            candidate("high", vector: 0.9, text: 1.0, salience: 0.9),
            candidate("low", vector: 0.2, text: nil, salience: 0),
        ]
        let all = scorer.rank(candidates, links: [], query: RecallQuery(userID: "alice", text: "q"), at: now)
        #expect(all.map(\.candidate.memoryID) == ["high", "low"])
        let lowScore = all[1].score.composite
        let query = RecallQuery(userID: "alice", text: "q", minScore: lowScore + 0.01)
        #expect(scorer.rank(candidates, links: [], query: query, at: now).map(\.candidate.memoryID) == ["high"])

        var configuration = RecallConfiguration()
        configuration.minScore = 0.99
        let strict = RecallScorer(configuration: configuration, decay: .default)
        #expect(strict.rank(candidates, links: [], query: RecallQuery(userID: "alice", text: "q"), at: now).isEmpty)
    }

    @Test func candidatesBelowMinimumSimilarityAreDropped() {
        // The threshold judges the raw signals: 0.4 · 0.08 = 0.032 < 0.05
        let ranked = scorer.rank(
            [candidate("weak", vector: 0.08, text: nil, salience: 1), candidate("ok", vector: 0.2, text: nil)],
            links: [],
            query: RecallQuery(userID: "alice", text: "q"), at: now)
        #expect(ranked.map(\.candidate.memoryID) == ["ok"])
    }

    @Test func linkWeightCountsOnlyBetweenRelevantCandidates() throws {
        let candidates = [
            candidate("a", vector: 0.9, text: nil), candidate("b", vector: 0.7, text: nil),
            candidate("irrelevant", vector: 0.01, text: nil),
        ]
        let links = [
            link("a", "irrelevant", weight: 0.9), link("b", "a", weight: 0.3), link("b", "outside", weight: 1.0),
        ]
        let ranked = scorer.rank(candidates, links: links, query: RecallQuery(userID: "alice", text: "q"), at: now)
        #expect(Set(ranked.map(\.candidate.memoryID)) == ["a", "b"])
        let a = try #require(ranked.first { $0.candidate.memoryID == "a" })
        let b = try #require(ranked.first { $0.candidate.memoryID == "b" })
        // Normalised over all three: fused(a) = 0.4, fused(b) = 0.4 · 0.69 / 0.89; the b→a link activates each end
        // with the other's similarity.
        let fusedB = 0.4 * (0.7 - 0.01) / (0.9 - 0.01)
        #expect(abs(a.score.linkWeight - 0.3 * fusedB) < 1e-12)
        #expect(abs(b.score.linkWeight - 0.3 * 0.4) < 1e-12)

        let unlinked = scorer.rank(
            candidates, links: [link("a", "irrelevant", weight: 0.9)], query: RecallQuery(userID: "alice", text: "q"),
            at: now)
        #expect(unlinked.allSatisfy { $0.score.linkWeight == 0 })
    }

    @Test func theStrongestActivationWins() throws {
        // c is linked to a (fused 0.4) with weight 0.5 and to b (fused 0.4 · 0.2 = 0.08) with weight 1: 0.2 > 0.08.
        let candidates = [
            candidate("a", vector: 0.9, text: nil), candidate("b", vector: 0.5, text: nil),
            candidate("c", vector: 0.4, text: nil),
        ]
        let links = [link("a", "c", weight: 0.5), link("c", "b", weight: 1)]
        let ranked = scorer.rank(candidates, links: links, query: RecallQuery(userID: "alice", text: "q"), at: now)
        let c = try #require(ranked.first { $0.candidate.memoryID == "c" })
        #expect(abs(c.score.linkWeight - 0.2) < 1e-12)
    }

    @Test func resultsAreSortedByCompositeThenIdAndCutAtK() {
        let candidates = [
            candidate("c", vector: 0.5, text: nil), candidate("a", vector: 0.5, text: nil),
            candidate("b", vector: 0.9, text: nil), candidate("d", vector: 0.3, text: nil),
        ]
        let ranked = scorer.rank(candidates, links: [], query: RecallQuery(userID: "alice", text: "q", k: 3), at: now)
        #expect(ranked.map(\.candidate.memoryID) == ["b", "a", "c"])
    }

    @Test func candidatePoolIsAtLeastFifty() {
        #expect(scorer.candidatePool(for: 1) == 50)
        #expect(scorer.candidatePool(for: 5) == 50)
        #expect(scorer.candidatePool(for: 20) == 200)
    }
}
