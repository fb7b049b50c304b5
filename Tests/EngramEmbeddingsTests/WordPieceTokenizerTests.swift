import EngramCore
import Foundation
import Testing

@testable import EngramEmbeddings

/// The BERT uncased tokenizer, rule by rule, against what Python's reference tokenizer does.
@Suite struct WordPieceTokenizerTests {
    static let tokens = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "runn", "##ing", "run", "hello", "world", ",",
        "!", ".", "'", "cafe", "東", "京", "is", "a", "##a", "한", "\u{1112}\u{1161}\u{11AB}",
    ]

    let tokenizer: WordPieceTokenizer

    init() throws {
        tokenizer = try WordPieceTokenizer(tokens: Self.tokens, maxLength: 8)
    }

    /// The id of `token`, compared by scalars (Swift's `==` would match canonically equivalent entries).
    func id(_ token: String) -> Int32 {
        Int32(Self.tokens.firstIndex { $0.unicodeScalars.elementsEqual(token.unicodeScalars) }!)
    }

    /// Basic tokens as scalar arrays, so Swift's canonical string equivalence cannot hide a difference.
    func scalars(_ text: String) -> [[UInt32]] {
        tokenizer.basicTokens(text).map { $0.unicodeScalars.map(\.value) }
    }

    func scalars(_ tokens: [String]) -> [[UInt32]] {
        tokens.map { $0.unicodeScalars.map(\.value) }
    }

    @Test func lowerCasesAndStripsAccents() {
        #expect(
            scalars("Café au LAIT, naïve Résumé Ångström")
                == scalars(
                    ["cafe", "au", "lait", ",", "naive", "resume", "angstrom"]))
        // Python's str.lower(): İ becomes i + U+0307 (then stripped as Mn); a word-final Σ becomes ς.
        #expect(scalars("İstanbul ΟΔΟΣ ΣΑΣ Σ") == scalars(["istanbul", "οδος", "σας", "σ"]))
        // Hangul syllables decompose into jamo (NFD), which are letters (Lo), not marks.
        #expect(scalars("한") == [[0x1112, 0x1161, 0x11AB]])
        // Compatibility characters are not folded: NFD is canonical only.
        #expect(scalars("ﬁne ½") == scalars(["ﬁne", "½"]))
    }

    @Test func splitsPunctuationFromAsciiRangesAndUnicodeCategories() {
        #expect(
            scalars("Hello, world!... don't")
                == scalars(
                    ["hello", ",", "world", "!", ".", ".", ".", "don", "'", "t"]))
        #expect(
            scalars("«bonjour» a—b $5 #tag ^_^ `x`")
                == scalars(
                    ["«", "bonjour", "»", "a", "—", "b", "$", "5", "#", "tag", "^", "_", "^", "`", "x", "`"]))
        // Symbols outside the ASCII ranges are not punctuation: emoji and currency signs stay inside words.
        #expect(scalars("a😀b €5") == scalars(["a😀b", "€5"]))
    }

    @Test func cleansControlCharactersAndSplitsOnEveryWhiteSpace() {
        let text = "a\u{0}b\u{FFFD}c\u{200B}d\te\u{00A0}f\u{2028}g\u{3000}h\u{7}i\r\nj\u{85}k"
        #expect(scalars(text) == scalars(["abcd", "e", "f", "g", "hi", "jk"]))
        #expect(tokenizer.basicTokens("   ").isEmpty)
    }

    @Test func splitsCJKIdeographsIntoWordsOfTheirOwn() {
        #expect(scalars("東京is") == scalars(["東", "京", "is"]))
        #expect(tokenizer.encode("東京is").ids == [id("[CLS]"), id("東"), id("京"), id("is"), id("[SEP]")])
        // Kana are not split out; the voiced mark of が (U+3099 after NFD) is an Mn mark and is dropped.
        #expect(scalars("ひらがな") == scalars(["ひらかな"]))
    }

    @Test func findsGreedyLongestWordPiecesWithContinuationPrefixes() {
        let encoding = tokenizer.encode("unaffable running RUN")
        #expect(
            encoding.ids == [
                id("[CLS]"), id("un"), id("##aff"), id("##able"), id("runn"), id("##ing"), id("run"), id("[SEP]"),
            ])
        #expect(encoding.wordPieceCount == 6)
        // Continuation pieces never match at the start of a word, plain pieces never after it.
        #expect(tokenizer.encode("aaa").ids == [id("[CLS]"), id("a"), id("##a"), id("##a"), id("[SEP]")])
        #expect(tokenizer.encode("able").ids == [id("[CLS]"), id("[UNK]"), id("[SEP]")])
    }

    @Test func usesUnknownForUnsplittableAndOverlongWords() {
        #expect(
            tokenizer.encode("hello xyz world").ids == [
                id("[CLS]"), id("hello"), id("[UNK]"), id("world"), id("[SEP]"),
            ])
        // "runx" cannot finish, so the whole word is [UNK] (not "run" + [UNK]).
        #expect(tokenizer.encode("runx").ids == [id("[CLS]"), id("[UNK]"), id("[SEP]")])
        let long = String(repeating: "a", count: 101)
        #expect(tokenizer.encode(long).ids == [id("[CLS]"), id("[UNK]"), id("[SEP]")])
        #expect(tokenizer.encode(String(repeating: "a", count: 100)).wordPieceCount == 100)
        // Matching is by exact code points: the precomposed syllable and its jamo are different entries.
        #expect(tokenizer.encode("한").ids == [id("[CLS]"), id("\u{1112}\u{1161}\u{11AB}"), id("[SEP]")])
    }

    @Test func truncatesToTheMaximumLengthIncludingSpecialTokens() throws {
        let encoding = tokenizer.encode("hello world hello world hello world hello world")
        #expect(encoding.ids.count == 8)
        #expect(encoding.ids.first == id("[CLS]"))
        #expect(encoding.ids.last == id("[SEP]"))
        #expect(encoding.wordPieceCount == 8)
        #expect(encoding.inputTokenCount == 8)
        #expect(encoding.isTruncated)
        let empty = tokenizer.encode("")
        #expect(empty.ids == [id("[CLS]"), id("[SEP]")])
        #expect(empty.wordPieceCount == 0)
        #expect(!empty.isTruncated)
    }

    @Test func truncatesTheRealVocabularyAt256Tokens() throws {
        let embedder = try MiniLMTestFiles.embedder()
        let encoding = embedder.tokenizer.encode(Array(repeating: "memory", count: 300).joined(separator: " "))
        #expect(encoding.wordPieceCount == 300)
        #expect(encoding.inputTokenCount == 256)
        #expect(encoding.ids.first == embedder.tokenizer.classID)
        #expect(encoding.ids.last == embedder.tokenizer.separatorID)
        #expect(embedder.tokenCount("") == 2)
        #expect(embedder.tokenizer.encode("Supercalifragilisticexpialidocious").wordPieceCount > 1)
    }

    @Test func rejectsVocabulariesWithoutSpecialTokens() {
        #expect(throws: EngramError.self) { try WordPieceTokenizer(tokens: ["[PAD]", "[UNK]", "[CLS]"]) }
        let error = try? #require(throws: EngramError.self) { try WordPieceTokenizer(tokens: ["hello"]) }
        #expect(error?.code == .modelInvalid)
    }
}
