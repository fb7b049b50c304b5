import Foundation

/// Splits text into words, numbers and punctuation in one hand-written scan (no regular expressions), and splits
/// contractions so patterns see "I am" in "I'm" while rendering keeps what was written.
enum TextTokenizer {
    /// The tokens of `text`.
    static func tokens(_ text: String) -> [TextToken] {
        var tokens: [TextToken] = []
        tokens.reserveCapacity(text.utf8.count / 4)
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var spaceBefore = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" {
                if let last = tokens.last, !last.isTerminal {
                    tokens.append(TextToken(text: "\n", kind: .punctuation, spaceBefore: false))
                }
                spaceBefore = true
                index += 1
            } else if scalar == " " || scalar == "\t" || scalar == "\r"
                || !scalar.isASCII && scalar.properties.isWhitespace
            {
                spaceBefore = true
                index += 1
            } else if isWordScalar(scalar) {
                var word = String.UnicodeScalarView()
                while index < scalars.count {
                    let current = scalars[index]
                    if isWordScalar(current) {
                        word.append(current)
                    } else if isJoiner(current), index + 1 < scalars.count, isWordScalar(scalars[index + 1]),
                        !word.isEmpty, current != "." || (isDigit(word.last) && isDigit(scalars[index + 1]))
                    {
                        word.append(isApostrophe(current) ? "'" : current)
                    } else {
                        break
                    }
                    index += 1
                }
                appendWord(String(word), spaceBefore: spaceBefore, to: &tokens)
                spaceBefore = false
            } else {
                var mark = String.UnicodeScalarView([isApostrophe(scalar) ? "'" : scalar])
                index += 1
                if scalar == "!" || scalar == "?" || scalar == "." {
                    while index < scalars.count, ["!", "?", "."].contains(scalars[index]) {
                        mark.append(scalars[index])
                        index += 1
                    }
                }
                tokens.append(TextToken(text: String(mark), kind: .punctuation, spaceBefore: spaceBefore))
                spaceBefore = false
            }
        }
        return tokens
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 97 && value <= 122) || (value >= 65 && value <= 90) || (value >= 48 && value <= 57)
        }
        return scalar.properties.isAlphabetic
    }

    private static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("0"..."9").contains(scalar)
    }

    private static func isApostrophe(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "'" || scalar == "\u{2019}" || scalar == "\u{2018}"
    }

    private static func isJoiner(_ scalar: Unicode.Scalar) -> Bool {
        isApostrophe(scalar) || scalar == "-" || scalar == "." || scalar == "/" || scalar == "&"
    }

    /// Contractions whose parts are matched by their expansions: (written part, matched as).
    private static let whole: [String: [(String, String)]] = [
        "can't": [("ca", "can"), ("n't", "not")], "won't": [("wo", "will"), ("n't", "not")],
        "ain't": [("ai", "is"), ("n't", "not")], "shan't": [("sha", "shall"), ("n't", "not")],
        "cannot": [("can", "can"), ("not", "not")], "gonna": [("gonna", "going"), ("", "to")],
        "wanna": [("wanna", "want"), ("", "to")], "gotta": [("gotta", "got"), ("", "to")],
        "kinda": [("kinda", "kind"), ("", "of")], "let's": [("let", "let"), ("'s", "us")],
    ]

    private static let suffixes: [(String, String)] = [
        ("n't", "not"), ("'m", "am"), ("'re", "are"), ("'ve", "have"), ("'ll", "will"), ("'d", "would"), ("'s", "'s"),
    ]

    /// Words whose "'s" is "is" rather than a possessive.
    private static let isContractors: Set<String> = [
        "it", "that", "he", "she", "there", "what", "who", "where", "here", "how", "this", "everything", "nothing",
        "something", "life", "now",
    ]

    private static func appendWord(_ word: String, spaceBefore: Bool, to tokens: inout [TextToken]) {
        let kind: TextToken.Kind = word.unicodeScalars.first.map { ("0"..."9").contains($0) } == true ? .number : .word
        let lower = word.lowercased()
        guard kind == .word else {
            tokens.append(TextToken(text: word, lower: lower, kind: kind, spaceBefore: spaceBefore))
            return
        }
        if let parts = whole[lower] {
            var first = true
            var offset = word.startIndex
            for (written, matched) in parts {
                let end = word.index(offset, offsetBy: written.count, limitedBy: word.endIndex) ?? word.endIndex
                let surface = written.isEmpty ? "" : String(word[offset..<end])
                offset = end
                tokens.append(
                    TextToken(text: surface, lower: matched, kind: .word, spaceBefore: first ? spaceBefore : false))
                first = false
            }
            return
        }
        guard lower.utf8.contains(UInt8(ascii: "'")) else {
            tokens.append(TextToken(text: word, lower: lower, kind: kind, spaceBefore: spaceBefore))
            return
        }
        for (suffix, matched) in suffixes where lower.hasSuffix(suffix) && lower.count > suffix.count {
            let cut = word.index(word.endIndex, offsetBy: -suffix.count)
            let base = String(word[..<cut])
            let baseLower = base.lowercased()
            tokens.append(TextToken(text: base, lower: baseLower, kind: .word, spaceBefore: spaceBefore))
            let expansion = suffix == "'s" && isContractors.contains(baseLower) ? "is" : matched
            tokens.append(TextToken(text: String(word[cut...]), lower: expansion, kind: .word, spaceBefore: false))
            return
        }
        tokens.append(TextToken(text: word, lower: lower, kind: kind, spaceBefore: spaceBefore))
    }
}
