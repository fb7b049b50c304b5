import Foundation

/// Finds phrases by which a turn links itself to what came before: causal ("because", "so I", "that's why", "as a
/// result", "therefore", "since then", "which led to") and analogical ("just like", "similar to", "reminds me of",
/// "the same as", "like when").
public enum WaypointCueDetector {
    /// The cues of `text`.
    public static func cues(in text: String) -> Set<WaypointCue> {
        cues(in: TextTokenizer.tokens(text))
    }

    static let causal: [[String]] = [
        ["because"], ["cause"], ["so", "i"], ["so", "we"], ["that", "is", "why"], ["'s", "why"], ["as", "a", "result"],
        ["therefore"], ["since", "then"], ["which", "led", "to"], ["led", "to"], ["due", "to"], ["thanks", "to"],
        ["because", "of"], ["that", "is", "how"], ["ended", "up"], ["consequently"], ["hence"], ["caused"],
    ]
    static let analogical: [[String]] = [
        ["just", "like"], ["similar", "to"], ["reminds", "me", "of"], ["remind", "me", "of"], ["reminded", "me", "of"],
        ["the", "same", "as"], ["like", "when"], ["much", "like"], ["just", "as"], ["same", "thing"],
        ["like", "the", "time"], ["similarly"], ["likewise"],
    ]

    /// The cues of `tokens`, matched on their expanded forms ("that's why" is "that is why").
    static func cues(in tokens: [TextToken]) -> Set<WaypointCue> {
        let words = tokens.filter { $0.kind == .word && !$0.lower.isEmpty }.map(\.lower)
        var found: Set<WaypointCue> = []
        for start in words.indices {
            if !found.contains(.causal), causal.contains(where: { matches($0, words, at: start) }) {
                found.insert(.causal)
            }
            if !found.contains(.analogical), analogical.contains(where: { matches($0, words, at: start) }) {
                found.insert(.analogical)
            }
        }
        return found
    }

    private static func matches(_ phrase: [String], _ words: [String], at start: Int) -> Bool {
        guard words[start] == phrase[0], start + phrase.count <= words.count else { return false }
        for offset in 1..<max(phrase.count, 1) where words[start + offset] != phrase[offset] {
            return false
        }
        return true
    }
}
