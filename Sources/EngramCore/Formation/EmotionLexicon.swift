import Foundation

/// The word lists emotion reading uses, loaded once from EngramCore's resources.
///
/// - `vader_lexicon.tsv`: token → mean valence (−4…4), the first two columns of the VADER sentiment lexicon
///   (vaderSentiment 3.3.2, MIT licence, C.J. Hutto; see `vader_lexicon.LICENSE.txt` beside it).
/// - `emotion_words.txt`: word → discrete emotions (Plutchik's eight), written for Engram and under Engram's licence.
public struct EmotionLexicon: Sendable {
    /// Token → valence, −4…4.
    public var valence: [String: Double]
    /// Word → the discrete emotions it signals.
    public var emotions: [String: [String]]

    /// A lexicon from the two tables.
    public init(valence: [String: Double], emotions: [String: [String]]) {
        self.valence = valence
        self.emotions = emotions
    }

    /// The lexicon shipped with EngramCore (empty tables if the resources are missing, so reading degrades to none).
    public static let shared: EmotionLexicon = {
        let valence = resource("vader_lexicon", "tsv").map(parseValence) ?? [:]
        let emotions = resource("emotion_words", "txt").map(parseEmotions) ?? [:]
        return EmotionLexicon(valence: valence, emotions: emotions)
    }()

    /// Plutchik's eight emotions, the keys of `EmotionReading.discreteEmotions`.
    public static let discreteEmotions = [
        "joy", "sadness", "anger", "fear", "surprise", "disgust", "trust", "anticipation",
    ]

    private static func resource(_ name: String, _ ext: String) -> String? {
        guard
            let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources")
                ?? Bundle.module.url(forResource: name, withExtension: ext)
        else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }

    /// "token<TAB>valence" lines.
    static func parseValence(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        result.reserveCapacity(7600)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 2)
            guard fields.count >= 2, let value = Double(fields[1]) else { continue }
            result[String(fields[0])] = value
        }
        return result
    }

    /// "emotion: word, word, ..." lines; "#" starts a comment.
    static func parseEmotions(_ text: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let emotion = parts[0].trimmingCharacters(in: .whitespaces)
            for word in parts[1].split(separator: ",") {
                let key = word.trimmingCharacters(in: .whitespaces)
                if !key.isEmpty, !(result[key]?.contains(emotion) ?? false) { result[key, default: []].append(emotion) }
            }
        }
        return result
    }
}
