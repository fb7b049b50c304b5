import Foundation

/// Picks the content words of a text: stop words and fillers removed, lower case, de-duplicated, at most `limit`,
/// entity names first, then words by frequency and first appearance.
public enum KeywordExtractor {
    /// The keywords of `text`, at most `limit`.
    public static func keywords(in text: String, limit: Int = 8) -> [String] {
        let tokens = TextTokenizer.tokens(text)
        return keywords(tokens, range: tokens.indices, entityKeys: [], limit: limit)
    }

    /// Whether `word` is already normalised: ASCII lower-case letters and digits only.
    private static func isPlain(_ word: String) -> Bool {
        word.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
    }

    /// The keywords of `tokens[range]`, with `entityKeys` (multi-word names kept whole) first.
    static func keywords(_ tokens: [TextToken], range: Range<Int>, entityKeys: [String], limit: Int = 8) -> [String] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for index in range {
            let token = tokens[index]
            guard token.kind == .word, !token.text.isEmpty else { continue }
            let word = isPlain(token.lower) ? token.lower : EntityName.key(token.lower)
            guard word.count > 2 || token.isAllCaps, !StopWords.all.contains(word), !word.contains(" ") else {
                continue
            }
            if counts[word] == nil { order.append(word) }
            counts[word, default: 0] += 1
        }
        var result: [String] = []
        for key in entityKeys where !result.contains(key) && result.count < limit {
            result.append(key)
        }
        let covered = Set(result.flatMap { $0.split(separator: " ").map(String.init) })
        let ranked = order.enumerated().sorted { left, right in
            let a = counts[left.element] ?? 0
            let b = counts[right.element] ?? 0
            return a != b ? a > b : left.offset < right.offset
        }
        for (_, word) in ranked where result.count < limit && !covered.contains(word) && !result.contains(word) {
            result.append(word)
        }
        return result
    }
}
