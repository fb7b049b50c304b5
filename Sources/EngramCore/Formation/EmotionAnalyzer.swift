import Foundation

/// Reads valence, arousal, dominance and discrete emotions from text with `EmotionLexicon`, VADER-style.
///
/// - Valence: each lexicon word's VADER valence, pushed ±0.293 by a preceding intensifier ("very", "so") and ±0.733
///   when written in capitals, multiplied by −0.74 when one of the three words before it negates ("not happy");
///   the sum plus 0.292 per "!" (at most four) is normalised as VADER does: `s / √(s² + 15)`.
/// - Discrete emotions: each emotion word adds 1 (1.5 when intensified) to its emotions; a negated word adds 0.5 to
///   the opposite emotion instead (joy↔sadness, trust↔disgust, fear↔anger, surprise↔anticipation). A score `r`
///   becomes `1 − e^(−r)`.
/// - Arousal and dominance: the discrete emotions' typical positions on Russell's circumplex / Mehrabian's PAD
///   (table `circumplex`, Engram's approximations), weighted by score; without discrete emotions, arousal
///   `0.3 + 0.3·|valence|` and dominance `0.3·valence`. Arousal rises 0.08 per "!" (at most three), 0.1 with an
///   intensifier and 0.1 with a word in capitals.
/// - Confidence: `0.35 + 0.65·min(1, 3·hits / content words)`.
/// - Primary emotion: the strongest discrete emotion, among those of the valence's sign when |valence| > 0.3.
/// No lexicon word at all: no reading (`nil`).
public struct EmotionAnalyzer: Sendable {
    /// The word lists read.
    public var lexicon: EmotionLexicon

    /// An analyzer over `lexicon` (the shipped one by default).
    public init(lexicon: EmotionLexicon = .shared) {
        self.lexicon = lexicon
    }

    /// Typical (arousal 0…1, dominance −1…1) of each discrete emotion.
    public static let circumplex: [String: (arousal: Double, dominance: Double)] = [
        "joy": (0.65, 0.45), "sadness": (0.25, -0.45), "anger": (0.85, 0.35), "fear": (0.8, -0.6),
        "surprise": (0.8, 0.0), "disgust": (0.6, 0.15), "trust": (0.35, 0.35), "anticipation": (0.6, 0.25),
    ]

    static let opposites: [String: String] = [
        "joy": "sadness", "sadness": "joy", "trust": "disgust", "disgust": "trust", "fear": "anger", "anger": "fear",
        "surprise": "anticipation", "anticipation": "surprise",
    ]
    static let negations: Set<String> = ["not", "no", "never", "without", "nor", "hardly", "barely", "neither"]
    static let intensifiers: Set<String> = [
        "very", "so", "really", "extremely", "super", "totally", "incredibly", "absolutely", "truly", "such", "too",
        "completely", "deeply", "especially", "utterly", "awfully", "insanely", "hugely", "highly",
    ]

    /// The reading of `text`, or `nil` when no word of it is in the lexicon.
    public func read(_ text: String) -> EmotionReading? {
        read(TextTokenizer.tokens(text))
    }

    /// The reading of `tokens`.
    func read(_ tokens: [TextToken]) -> EmotionReading? {
        var sum = 0.0
        var hits = 0
        var contentWords = 0
        var raw: [String: Double] = [:]
        var boosted = false
        var capitals = false
        var exclamations = 0
        let shouting = tokens.allSatisfy { $0.kind != .word || $0.isAllCaps || $0.text.count < 2 }
        for (index, token) in tokens.enumerated() {
            if token.kind == .punctuation {
                exclamations += token.text.filter { $0 == "!" }.count
                continue
            }
            let word = token.lower
            if !StopWords.all.contains(word) { contentWords += 1 }
            if word == "kind", index + 1 < tokens.count, tokens[index + 1].lower == "of" { continue }
            let valence = lexicon.valence[word]
            let emotions = lexicon.emotions[word]
            guard valence != nil || emotions != nil else { continue }
            hits += 1
            let previous = index > 0 ? tokens[index - 1].lower : ""
            let intensified = Self.intensifiers.contains(previous)
            let negated = (max(0, index - 3)..<index).contains { Self.negations.contains(tokens[$0].lower) }
            let inCapitals = token.isAllCaps && !shouting
            boosted = boosted || intensified
            capitals = capitals || inCapitals
            if var value = valence {
                let sign: Double = value < 0 ? -1 : 1
                if intensified { value += sign * 0.293 }
                if inCapitals { value += sign * 0.733 }
                if negated { value *= -0.74 }
                sum += value
            }
            for emotion in emotions ?? [] {
                if negated {
                    if let opposite = Self.opposites[emotion] { raw[opposite, default: 0] += 0.5 }
                } else {
                    raw[emotion, default: 0] += intensified ? 1.5 : 1
                }
            }
        }
        guard hits > 0 else { return nil }
        let bangs = min(exclamations, 4)
        if sum != 0 { sum += (sum < 0 ? -1 : 1) * 0.292 * Double(bangs) }
        let valence = max(-1, min(1, sum / (sum * sum + 15).squareRoot()))
        let discrete = raw.mapValues { 1 - exp(-$0) }
        let primary = Self.primary(of: discrete, valence: valence)
        var arousal: Double
        var dominance: Double
        let total = discrete.values.reduce(0, +)
        if total > 0 {
            arousal = discrete.reduce(0) { $0 + $1.value * (Self.circumplex[$1.key]?.arousal ?? 0.5) } / total
            dominance = discrete.reduce(0) { $0 + $1.value * (Self.circumplex[$1.key]?.dominance ?? 0) } / total
        } else {
            arousal = 0.3 + 0.3 * abs(valence)
            dominance = 0.3 * valence
        }
        arousal += 0.08 * Double(min(exclamations, 3)) + (boosted ? 0.1 : 0) + (capitals ? 0.1 : 0)
        let coverage = min(1, 3 * Double(hits) / Double(max(contentWords, 1)))
        return EmotionReading(
            valence: valence, arousal: max(0, min(1, arousal)), dominance: max(-1, min(1, dominance)),
            discreteEmotions: discrete, primaryEmotion: primary, confidence: 0.35 + 0.65 * coverage)
    }

    /// The strongest emotion; when the valence is clearly positive or negative, the strongest of that sign if any.
    private static func primary(of discrete: [String: Double], valence: Double) -> String? {
        func strongest(_ candidates: [String]) -> String? {
            var best: (String, Double)?
            for emotion in candidates {
                if let score = discrete[emotion], score > (best?.1 ?? 0) { best = (emotion, score) }
            }
            return best?.0
        }
        let sameSign =
            valence > 0.3
            ? ["joy", "trust", "anticipation", "surprise"]
            : valence < -0.3 ? ["sadness", "anger", "fear", "disgust", "surprise"] : []
        return strongest(sameSign) ?? strongest(EmotionLexicon.discreteEmotions)
    }
}
