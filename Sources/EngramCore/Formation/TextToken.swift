import Foundation

/// One word, number or punctuation mark of a text, as the heuristic extractor scans it.
///
/// `text` is what is rendered back (possibly rewritten: a pronoun replaced by a name); `lower` is what patterns match
/// (a contraction's expansion: "'m" is matched as "am", "n't" as "not").
struct TextToken: Sendable, Hashable {
    /// What a token is made of.
    enum Kind: Sendable, Hashable {
        case word, number, punctuation
    }

    var text: String
    var lower: String
    var kind: Kind
    /// Whether a space precedes the token when rendered.
    var spaceBefore: Bool
    /// The first character is an upper-case letter.
    var isCapitalised: Bool
    /// At least two letters, all upper case ("NYC").
    var isAllCaps: Bool

    init(text: String, lower: String? = nil, kind: Kind, spaceBefore: Bool) {
        self.text = text
        self.lower = lower ?? text.lowercased()
        self.kind = kind
        self.spaceBefore = spaceBefore
        var letters = 0
        var upper = 0
        var first = true
        var capitalised = false
        var startsWithLetter = false
        for scalar in text.unicodeScalars {
            let isLetter: Bool
            let isUpper: Bool
            if scalar.isASCII {
                isUpper = scalar.value >= 65 && scalar.value <= 90
                isLetter = isUpper || (scalar.value >= 97 && scalar.value <= 122)
            } else {
                isLetter = scalar.properties.isAlphabetic
                isUpper = isLetter && scalar.properties.isUppercase
            }
            if first { startsWithLetter = isLetter }
            guard isLetter else {
                first = false
                continue
            }
            letters += 1
            if isUpper { upper += 1 }
            if first { capitalised = isUpper }
            first = false
        }
        isCapitalised = kind == .word && capitalised && startsWithLetter
        isAllCaps = kind == .word && letters >= 2 && upper == letters
    }

    /// A word or a number.
    var isWordLike: Bool { kind != .punctuation }

    /// A token that ends a sentence: ".", "!", "?", "…" (or a run of them) or a line break.
    var isTerminal: Bool {
        kind == .punctuation && !text.isEmpty
            && text.unicodeScalars.allSatisfy { $0 == "." || $0 == "!" || $0 == "?" || $0 == "…" || $0 == "\n" }
    }

    /// A token that ends a clause: a terminal, a comma, semicolon, colon, dash or bracket.
    var isClauseBreak: Bool {
        guard kind == .punctuation else { return false }
        return isTerminal || [",", ";", ":", "-", "–", "—", "(", ")", "\""].contains(text)
    }
}

/// Renders tokens back into text.
enum TokenRenderer {
    /// The tokens joined with the spacing they were written with; the first letter upper-cased when `capitalise`.
    static func render(_ tokens: some Collection<TextToken>, capitalise: Bool = false) -> String {
        var out = ""
        for token in tokens where !token.text.isEmpty {
            if !out.isEmpty && token.spaceBefore { out += " " }
            out += token.text
        }
        if capitalise, let first = out.first, first.isLowercase {
            out = first.uppercased() + out.dropFirst()
        }
        return out
    }
}
