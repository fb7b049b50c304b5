import Foundation

/// The baseline's turn-level retrieval metrics (`locomo_retrieval.py`), for one question and averaged over many.
///
/// For gold turns G and the ranked turns R: Recall@k = |G ∩ R[..<k]| / |G|; All@k = 1 when G ⊆ R[..<k], else 0;
/// NDCG@10 with binary relevance: Σ over relevant positions i < 10 of 1/log2(i+2), divided by the same sum over
/// the first min(|G|, 10) positions. Averages are macro: the mean over questions.
struct LocomoMetrics: Sendable {
    /// The cut-offs always reported.
    static let standardCutoffs = [1, 5, 10, 20]

    /// The cut-offs reported: the standard ones and `k`, ascending.
    let cutoffs: [Int]

    init(k: Int) {
        cutoffs = Set(Self.standardCutoffs + [k]).sorted()
    }

    /// The turns a ranking needs to be scored at every cut-off.
    var depth: Int { max(cutoffs.last ?? 10, 10) }

    /// The names of the metrics, in report order: `R@k` for each cut-off, `NDCG@10`, then `All@k`.
    var names: [String] {
        cutoffs.map { "R@\($0)" } + ["NDCG@10"] + cutoffs.map { "All@\($0)" }
    }

    /// The metrics of one question: `ranked` turn ids, best first, against its non-empty `gold` ids.
    func score(ranked: [String], gold: [String]) -> [String: Double] {
        let relevant = Set(gold)
        var scores: [String: Double] = [:]
        for k in cutoffs {
            let hits = relevant.intersection(ranked.prefix(k)).count
            scores["R@\(k)"] = Double(hits) / Double(relevant.count)
            scores["All@\(k)"] = hits == relevant.count ? 1 : 0
        }
        let dcg = ranked.prefix(10).enumerated().filter { relevant.contains($0.element) }
            .reduce(0.0) { $0 + 1 / log2(Double($1.offset + 2)) }
        let ideal = (0..<min(relevant.count, 10)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
        scores["NDCG@10"] = dcg / ideal
        return scores
    }

    /// The mean of each metric over `questions`, grouped: each category present, `overall 1-4` and `overall 1-5`
    /// (all questions); groups without questions are left out.
    func summary(_ questions: [ScoredQuestion]) -> [LocomoGroupSummary] {
        let categories = Set(questions.map(\.category)).sorted()
        var groups = categories.map { category in
            (LocomoCategory.groupName(category), questions.filter { $0.category == category })
        }
        groups.append(("overall 1-4", questions.filter { (1...4).contains($0.category) }))
        groups.append(("overall 1-5", questions))
        return groups.filter { !$0.1.isEmpty }.map { name, members in
            LocomoGroupSummary(
                group: name, questions: members.count,
                metrics: Dictionary(
                    uniqueKeysWithValues: names.map { metric in
                        (metric, members.reduce(0.0) { $0 + ($1.scores[metric] ?? 0) } / Double(members.count))
                    }))
        }
    }
}

/// One asked question's category and metrics.
struct ScoredQuestion: Sendable, Hashable {
    var category: Int
    var scores: [String: Double]
}

/// A group's question count and mean metrics.
struct LocomoGroupSummary: Sendable, Hashable, Codable {
    /// `cat1 multi-hop` … `cat5 adversarial`, `overall 1-4`, `overall 1-5`.
    var group: String
    var questions: Int
    var metrics: [String: Double]
}

/// LoCoMo's question categories.
enum LocomoCategory {
    static let names = [1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"]

    /// The baseline's name of a category's group, such as `cat2 temporal`.
    static func groupName(_ category: Int) -> String {
        names[category].map { "cat\(category) \($0)" } ?? "cat\(category)"
    }
}
