import Foundation

/// Splits text into sentences at ".", "!", "?", "…" and line breaks, keeping abbreviations ("Dr.", "St.") and
/// initials ("J. K.") inside their sentence.
public enum SentenceSplitter {
    /// The sentences of `text`, trimmed, in order; empty sentences dropped.
    public static func split(_ text: String) -> [String] {
        let tokens = TextTokenizer.tokens(text)
        return ranges(of: tokens).map { TokenRenderer.render(tokens[$0]) }.filter { !$0.isEmpty }
    }

    /// Abbreviations after which a period does not end a sentence.
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "vs", "etc", "mt", "ave", "inc", "ltd", "co", "corp", "no",
        "approx", "dept", "est", "fig", "gen", "gov", "lt", "sgt", "capt", "col", "rev", "e.g", "i.e", "a.m", "p.m",
    ]

    /// The token ranges of the sentences of `tokens`; each range holds at least one word or number.
    static func ranges(of tokens: [TextToken]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if token.isTerminal && !isAbbreviationPeriod(at: index, in: tokens) {
                var end = index + 1
                while end < tokens.count, tokens[end].kind == .punctuation,
                    tokens[end].isTerminal || ["\"", ")", "]", "'"].contains(tokens[end].text)
                {
                    end += 1
                }
                append(start..<end, of: tokens, to: &result)
                start = end
                index = end
            } else {
                index += 1
            }
        }
        append(start..<tokens.count, of: tokens, to: &result)
        return result
    }

    private static func append(_ range: Range<Int>, of tokens: [TextToken], to result: inout [Range<Int>]) {
        guard !range.isEmpty, tokens[range].contains(where: \.isWordLike) else { return }
        var lower = range.lowerBound
        while lower < range.upperBound, tokens[lower].kind == .punctuation, tokens[lower].text != "\"" {
            lower += 1
        }
        result.append(lower..<range.upperBound)
    }

    private static func isAbbreviationPeriod(at index: Int, in tokens: [TextToken]) -> Bool {
        guard tokens[index].text == ".", index > 0 else { return false }
        let previous = tokens[index - 1]
        guard previous.kind == .word, !tokens[index].spaceBefore else { return false }
        if previous.text.count == 1 && previous.isCapitalised && previous.text != "I" { return true }
        guard abbreviations.contains(previous.lower) else { return false }
        // "I live on Main St." at the end of the text still ends there.
        return index + 1 < tokens.count
    }
}
