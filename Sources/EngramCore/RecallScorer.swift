import Foundation

/// Fuses full-text and vector ranks into one similarity and ranks candidates by the composite score.
/// Every backend finds candidates its own way and scores them here, so ranking is identical across backends.
public struct RecallScorer: Sendable {
    public var configuration: RecallConfiguration
    public var decay: DecayPolicy

    public init(configuration: RecallConfiguration, decay: DecayPolicy) {
        self.configuration = configuration
        self.decay = decay
    }

    /// Scores `candidates` and returns the best `query.k` above the thresholds, best first.
    ///
    /// - Parameter links: links among the candidates; each candidate's link weight is the largest
    ///   `link.weight × similarity` over its links to other candidates whose similarity passed the threshold.
    public func rank(
        _ candidates: [RecallCandidate], links: [Link], query: RecallQuery, at date: Date
    ) -> [(candidate: RecallCandidate, score: ScoreBreakdown)] {
        let weights = query.weights ?? configuration.weights
        let minScore = query.minScore ?? configuration.minScore
        let bestText = candidates.compactMap(\.textScore).max() ?? 0
        let share = min(max(configuration.vectorShare, 0), 1)
        let cosines = candidates.compactMap(\.vectorScore).map { min(max($0, 0), 1) }
        let lowest = cosines.min() ?? 0
        let range = (cosines.max() ?? 0) - lowest
        let named = Set(Tokenizer.terms(query.text))

        var similarity: [String: (vector: Double, spread: Double, text: Double, boost: Double, fused: Double)] = [:]
        var passes: Set<String> = []
        for candidate in candidates {
            let vector = min(max(candidate.vectorScore ?? 0, 0), 1)
            let text = bestText > 0 ? (candidate.textScore ?? 0) / bestText : 0
            // The threshold judges the raw signals; ranking uses the cosine spread over this query's candidates.
            if share * vector + (1 - share) * text >= configuration.minSimilarity { passes.insert(candidate.memoryID) }
            let spread = candidate.vectorScore == nil ? 0 : range > 0 ? (vector - lowest) / range : vector
            let boost = candidate.speaker.map { Self.names($0, in: named) } == true ? configuration.speakerBoost : 0
            let fused = min(1, share * spread + (1 - share) * text + boost)
            similarity[candidate.memoryID] = (vector, spread, text, boost, fused)
        }
        let relevant = passes
        // Spreading activation: a link passes on its weight times the similarity of the memory at its other end.
        var linkWeight: [String: Double] = [:]
        for link in links where relevant.contains(link.sourceID) && relevant.contains(link.targetID) {
            let fromSource = link.weight * (similarity[link.sourceID]?.fused ?? 0)
            let fromTarget = link.weight * (similarity[link.targetID]?.fused ?? 0)
            linkWeight[link.targetID] = max(linkWeight[link.targetID] ?? 0, fromSource)
            linkWeight[link.sourceID] = max(linkWeight[link.sourceID] ?? 0, fromTarget)
        }

        var scored: [(candidate: RecallCandidate, score: ScoreBreakdown)] = []
        for candidate in candidates where relevant.contains(candidate.memoryID) {
            guard let sim = similarity[candidate.memoryID] else { continue }
            let recency = DecayPolicy.strength(
                candidate.strength, rate: candidate.decayRate, since: candidate.lastReinforcedAt, at: date)
            let link = linkWeight[candidate.memoryID] ?? 0
            let composite =
                weights.similarity * sim.fused + weights.salience * candidate.salience
                + weights.recency * recency + weights.link * link
            guard composite >= minScore else { continue }
            let breakdown = ScoreBreakdown(
                vector: sim.vector, text: sim.text, similarity: sim.fused, salience: candidate.salience,
                recency: recency, linkWeight: link, composite: composite, vectorNormalised: sim.spread,
                boost: sim.boost)
            scored.append((candidate, breakdown))
        }
        scored.sort {
            $0.score.composite != $1.score.composite
                ? $0.score.composite > $1.score.composite : $0.candidate.memoryID < $1.candidate.memoryID
        }
        return Array(scored.prefix(query.k))
    }

    /// Whether the query's terms `named` include a word of `speaker` ("Caroline", or "Smith" of "Jane Smith").
    static func names(_ speaker: String, in named: Set<String>) -> Bool {
        Tokenizer.terms(speaker).contains { $0.count > 1 && named.contains($0) }
    }

    /// How many candidates each retrieval path should return for `k` results.
    public func candidatePool(for k: Int) -> Int {
        max(50, k * configuration.candidateMultiplier)
    }
}
