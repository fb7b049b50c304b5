import EngramCore
import Foundation
import Synchronization

/// The BERT uncased tokenizer (basic tokenization, then greedy longest-match WordPiece), matching the Python
/// reference code point for code point: `[CLS] pieces… [SEP]`, truncated to ``maxLength`` tokens.
public struct WordPieceTokenizer: Sendable {
    /// The token ids of one text and how many word pieces it had before truncation.
    public struct Encoding: Sendable, Equatable {
        /// `[CLS]`, the word pieces (truncated to fit) and `[SEP]`.
        public var ids: [Int32]
        /// The number of word pieces before truncation (no special tokens).
        public var wordPieceCount: Int
        /// The number of tokens the encoder sees, special tokens included.
        public var inputTokenCount: Int { ids.count }
        /// Whether word pieces were dropped to fit the maximum length.
        public var isTruncated: Bool { wordPieceCount + 2 > ids.count }
    }

    /// Words longer than this many scalars become `[UNK]`.
    public static let maxCharactersPerWord = 100

    /// The most tokens of one encoding, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    /// The id of `[UNK]`.
    public let unknownID: Int32
    /// The id of `[CLS]`.
    public let classID: Int32
    /// The id of `[SEP]`.
    public let separatorID: Int32
    /// The id of `[PAD]`.
    public let paddingID: Int32

    let vocabulary: WordPieceVocabulary
    private let cache = WordCache()

    /// The number of entries in the vocabulary.
    public var vocabularySize: Int { vocabulary.count }

    /// Creates a tokenizer from the lines of a `vocab.txt` (line `i` is token id `i`).
    public init(tokens: [String], maxLength: Int = 256) throws {
        guard maxLength >= 2 else {
            throw EngramError(.invalidArgument, "The maximum token length must be at least 2 ([CLS] and [SEP]).")
        }
        let vocabulary = WordPieceVocabulary(tokens: tokens)
        func special(_ token: String) throws -> Int32 {
            guard let id = vocabulary.id(of: token) else {
                throw EngramError.modelInvalid("vocab.txt has no \(token) token")
            }
            return id
        }
        self.vocabulary = vocabulary
        self.maxLength = maxLength
        unknownID = try special("[UNK]")
        classID = try special("[CLS]")
        separatorID = try special("[SEP]")
        paddingID = try special("[PAD]")
    }

    /// Reads `vocab.txt` at `path` (UTF-8, one token per line).
    public init(vocabularyPath path: String, maxLength: Int = 256) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngramError.modelNotFound("vocab.txt")
        }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let tokens = lines.map { line in
            line.utf8.last == 0x0D ? String(line.dropLast()) : String(line)
        }
        try self.init(tokens: tokens, maxLength: maxLength)
    }

    /// Tokenizes `text`: `[CLS]`, its word pieces (cut to fit ``maxLength``) and `[SEP]`.
    public func encode(_ text: String) -> Encoding {
        var pieces: [Int32] = []
        for word in Self.whitespaceWords(text) {
            pieces.append(contentsOf: ids(ofWhitespaceWord: word))
        }
        var ids: [Int32] = [classID]
        ids.reserveCapacity(min(pieces.count, maxLength - 2) + 2)
        ids.append(contentsOf: pieces.prefix(maxLength - 2))
        ids.append(separatorID)
        return Encoding(ids: ids, wordPieceCount: pieces.count)
    }

    /// The basic tokens of `text` (cleaned, CJK split out, lower-cased, accents stripped, punctuation split) as
    /// Python's `BasicTokenizer` returns them.
    public func basicTokens(_ text: String) -> [String] {
        Self.whitespaceWords(text).flatMap { word in
            Self.basicTokens(ofWhitespaceWord: word).map { token in
                var string = String.UnicodeScalarView()
                string.append(contentsOf: token.compactMap(Unicode.Scalar.init))
                return String(string)
            }
        }
    }

    /// The word-piece ids of one basic token given as scalars (`[UNK]` when it cannot be split).
    func wordPieces(_ word: [UInt32]) -> [Int32] {
        guard word.count <= Self.maxCharactersPerWord else { return [unknownID] }
        return word.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [] }
            var result: [Int32] = []
            var start = 0
            while start < buffer.count {
                var end = buffer.count
                var found: Int32?
                while start < end {
                    if let id = vocabulary.id(of: base + start, count: end - start, continuation: start > 0) {
                        found = id
                        break
                    }
                    end -= 1
                }
                guard let id = found else { return [unknownID] }
                result.append(id)
                start = end
            }
            return result
        }
    }

    /// The ids of one whitespace-separated word of the cleaned text, from the cache when seen before.
    private func ids(ofWhitespaceWord word: [UInt32]) -> [Int32] {
        if let hit = cache.ids(for: word) { return hit }
        let ids = Self.basicTokens(ofWhitespaceWord: word).flatMap(wordPieces)
        cache.store(ids, for: word)
        return ids
    }
}

/// Word → ids memo shared by every copy of a tokenizer; bounded, cleared when full.
private final class WordCache: Sendable {
    private static let capacity = 200_000
    private let storage = Mutex<[[UInt32]: [Int32]]>([:])

    func ids(for word: [UInt32]) -> [Int32]? {
        storage.withLock { $0[word] }
    }

    func store(_ ids: [Int32], for word: [UInt32]) {
        storage.withLock { storage in
            if storage.count >= Self.capacity { storage.removeAll(keepingCapacity: true) }
            storage[word] = ids
        }
    }
}
