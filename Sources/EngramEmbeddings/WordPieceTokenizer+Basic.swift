import Foundation

/// BERT's basic tokenization on Unicode scalars (Python iterates code points, Swift `Character`s would merge
/// grapheme clusters): cleaning, CJK splitting, lower-casing, accent stripping and punctuation splitting.
extension WordPieceTokenizer {
    /// The cleaned text split on white space: NUL, U+FFFD and control characters (Cc, Cf except tab, newline and
    /// carriage return) dropped, white space (Zs included) as separators, CJK ideographs as words of their own.
    static func whitespaceWords(_ text: String) -> [[UInt32]] {
        var words: [[UInt32]] = []
        var current: [UInt32] = []
        func flush() {
            if !current.isEmpty {
                words.append(current)
                current.removeAll(keepingCapacity: true)
            }
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                switch value {
                case 0x09, 0x0A, 0x0D, 0x20: flush()
                case 0x00..<0x20, 0x7F: break
                default: current.append(value)
                }
                continue
            }
            if value == 0xFFFD || isControl(scalar) { continue }
            // Python's str.split() also splits on U+2028 and U+2029, which survive cleaning.
            if scalar.properties.generalCategory == .spaceSeparator || value == 0x2028 || value == 0x2029 {
                flush()
            } else if isCJK(value) {
                flush()
                words.append([value])
            } else {
                current.append(value)
            }
        }
        flush()
        return words
    }

    /// One white-space word lower-cased, accent-stripped (NFD without Mn) and split around punctuation.
    static func basicTokens(ofWhitespaceWord word: [UInt32]) -> [[UInt32]] {
        let normalized = word.allSatisfy { $0 < 0x80 } ? word.map(asciiLowercased) : normalizedScalars(word)
        var tokens: [[UInt32]] = []
        var current: [UInt32] = []
        for value in normalized {
            if isPunctuation(value) {
                if !current.isEmpty {
                    tokens.append(current)
                    current.removeAll()
                }
                tokens.append([value])
            } else {
                current.append(value)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// Python's `str.lower()` (full mappings, final sigma in context), then NFD, then Mn marks dropped.
    private static func normalizedScalars(_ word: [UInt32]) -> [UInt32] {
        let scalars = word.compactMap(Unicode.Scalar.init)
        var lowered = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if scalar.value == 0x03A3 {
                lowered.append(isFinalSigma(at: index, in: scalars) ? "\u{03C2}" : "\u{03C3}")
            } else {
                lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(lowered).decomposedStringWithCanonicalMapping.unicodeScalars
            .filter { $0.properties.generalCategory != .nonspacingMark }
            .map(\.value)
    }

    /// CPython's rule: a capital sigma preceded by a cased letter (case-ignorable ones skipped) and not followed
    /// by one lower-cases to the final form ς.
    private static func isFinalSigma(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        var before = index - 1
        while before >= 0, scalars[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0, scalars[before].properties.isCased else { return false }
        var after = index + 1
        while after < scalars.count, scalars[after].properties.isCaseIgnorable { after += 1 }
        return after == scalars.count || !scalars[after].properties.isCased
    }

    private static func asciiLowercased(_ value: UInt32) -> UInt32 {
        (0x41...0x5A).contains(value) ? value + 0x20 : value
    }

    /// Cc or Cf, except tab, newline and carriage return.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default:
            let category = scalar.properties.generalCategory
            return category == .control || category == .format
        }
    }

    /// ASCII symbols and punctuation, or any Unicode P* category.
    static func isPunctuation(_ value: UInt32) -> Bool {
        switch value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<0x80: return false
        default:
            switch Unicode.Scalar(value)?.properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default:
                return false
            }
        }
    }

    /// The CJK Unified Ideographs blocks (and compatibility ideographs) of the BERT reference.
    static func isCJK(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
