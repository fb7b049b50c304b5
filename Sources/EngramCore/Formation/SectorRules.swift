import Foundation

/// Rule-based evidence, 0…1, for each memory sector of a turn.
///
/// - episodic: past events (0.35 each), dates (0.3 each), places (0.2 each).
/// - semantic: personal facts, preferences and relationships (0.35 each), definitions ("is a", "means") (0.3).
/// - procedural: "how to", "step", "first … then", "finally", "make sure", "recipe", instructions (0.3 each).
/// - emotional: 0.6 × the emotion reading's strength (`max(|valence|, strongest discrete emotion) · confidence`)
///   plus 0.1 per "!" (at most 0.3): a mildly positive event stays episodic.
/// - reflective: "I realised", "I learned", "looking back", "I think I", "in hindsight", "made me think" (0.4 each).
/// Each sum is capped at 1; sectors with no evidence are absent.
public enum SectorRules {
    /// The evidence of a turn from its tokens, facts, entities and emotion.
    static func evidence(
        tokens: [TextToken], facts: [ExtractedFact], entities: [ExtractedEntity], emotion: EmotionReading?
    ) -> [Sector: Double] {
        let words = tokens.filter { $0.kind == .word && !$0.lower.isEmpty }.map(\.lower)
        var scores: [Sector: Double] = [:]
        let events = facts.filter { $0.type == .event }.count
        let dates = entities.filter { $0.kind == .date }.count
        let places = entities.filter { $0.kind == .place }.count
        scores[.episodic] = 0.35 * Double(events) + 0.3 * Double(dates) + 0.2 * Double(places)
        let stable = facts.filter { [.fact, .preference, .relationship].contains($0.type) }.count
        scores[.semantic] = 0.35 * Double(stable) + 0.3 * Double(count(definitions, in: words))
        let instructions = facts.filter { $0.type == .instruction }.count
        var procedural = 0.3 * Double(count(procedures, in: words) + instructions)
        if words.contains("first") && words.contains("then") { procedural += 0.3 }
        scores[.procedural] = procedural
        if let emotion {
            let strongest = emotion.discreteEmotions.values.max() ?? 0
            let bangs = tokens.reduce(0) { $0 + $1.text.filter { $0 == "!" }.count }
            scores[.emotional] =
                0.6 * max(abs(emotion.valence), strongest) * emotion.confidence + 0.1 * Double(min(bangs, 3))
        }
        scores[.reflective] = 0.4 * Double(count(reflections, in: words))
        return scores.filter { $0.value > 0 }.mapValues { min(1, $0) }
    }

    static let definitions: [[String]] = [["means"], ["is", "defined"], ["refers", "to"], ["is", "a", "kind", "of"]]
    static let procedures: [[String]] = [
        ["how", "to"], ["step"], ["steps"], ["finally"], ["afterwards"], ["make", "sure"], ["instructions"],
        ["recipe"], ["tutorial"], ["in", "order", "to"],
    ]
    static let reflections: [[String]] = [
        ["i", "realised"], ["i", "realized"], ["i", "learned"], ["i", "learnt"], ["looking", "back"],
        ["i", "think", "i"], ["in", "hindsight"], ["made", "me", "think"], ["made", "me", "realize"],
        ["made", "me", "realise"], ["taught", "me"], ["i", "have", "grown"], ["i", "understand", "now"],
        ["i", "have", "come", "to"], ["it", "dawned"], ["i", "wonder"], ["reflecting"], ["lesson"],
    ]

    /// How many times any of `phrases` occurs in `words`.
    static func count(_ phrases: [[String]], in words: [String]) -> Int {
        var total = 0
        for start in words.indices {
            for phrase in phrases where start + phrase.count <= words.count {
                if zip(phrase, words[start...]).allSatisfy({ $0 == $1 }) { total += 1 }
            }
        }
        return total
    }
}
