import Foundation

/// Chooses a memory's sector from rule evidence and from its similarity to prototype sentences of each sector.
///
/// `score(s) = 0.6 · evidence(s) + 0.4 · similarity'(s)`, where `similarity'` rescales the cosine similarities to the
/// sectors' prototypes to 0…1 across the five sectors (min → 0, max → 1; all within 0.02 of each other → all 0, so
/// an embedding that prefers no sector does not decide). The best score wins when it reaches 0.15; below that the
/// turn is `episodic`: a turn of a conversation is an event that happened. Ties go to the earlier sector in
/// `Sector.allCases` order.
public enum SectorClassifier {
    /// Weight of rule evidence in the score.
    public static let evidenceWeight = 0.6
    /// Weight of the rescaled prototype similarity in the score.
    public static let similarityWeight = 0.4
    /// The least score that overrides the default sector.
    public static let threshold = 0.15
    /// The sector of a turn with no evidence.
    public static let defaultSector = Sector.episodic

    /// A few sentences typical of each sector; embed them once and compare a memory's embedding with them
    /// (the best cosine per sector is the sector's similarity).
    public static let prototypes: [Sector: [String]] = [
        .episodic: [
            "Yesterday I went to the park with my friends.",
            "Last weekend we drove to the lake and had a picnic.",
            "I met Anna at the conference in Boston on Friday.",
            "We adopted a puppy last month.",
        ],
        .semantic: [
            "I live in Denver and work as a nurse.",
            "My favourite colour is blue.",
            "Paris is the capital of France.",
            "My sister's name is Anna and she has two kids.",
        ],
        .procedural: [
            "First preheat the oven, then mix the flour and the eggs.",
            "To reset the router, hold the button for ten seconds.",
            "Always reply in English and keep answers short.",
            "Here is how to set up the project step by step.",
        ],
        .emotional: [
            "I am so happy and grateful, this made my day!",
            "I feel really sad and lonely since she left.",
            "I was terrified and anxious the whole night.",
            "I'm furious about what they did!",
        ],
        .reflective: [
            "Looking back, I realised I was afraid of failing.",
            "I learned that I need to take care of myself first.",
            "I think I have grown a lot this year.",
            "It made me think about what really matters to me.",
        ],
    ]

    /// The sector with the best combined score, or `defaultSector` when none reaches `threshold`.
    public static func classify(evidence: [Sector: Double], prototypeSimilarity: [Sector: Double] = [:]) -> Sector {
        let similarities = Sector.allCases.map { prototypeSimilarity[$0] ?? 0 }
        let low = similarities.min() ?? 0
        let high = similarities.max() ?? 0
        let spread = high - low
        var best = defaultSector
        var bestScore = -Double.infinity
        for (index, sector) in Sector.allCases.enumerated() {
            let similarity = spread > 0.02 ? (similarities[index] - low) / spread : 0
            let score = evidenceWeight * (evidence[sector] ?? 0) + similarityWeight * similarity
            if score > bestScore {
                best = sector
                bestScore = score
            }
        }
        return bestScore >= threshold ? best : defaultSector
    }
}
