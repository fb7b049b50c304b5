/// A deterministic embedder with no model: word unigrams and bigrams plus character trigrams of the
/// non-stop-words, signed feature hashing (FNV-1a) into `dimension` buckets, L2-normalised.
///
/// It captures lexical overlap (including partial words), needs no weights and gives the same
/// vector on every machine. It is the default until a semantic model is configured.
public struct HashingEmbedder: Embedder {
    public let dimension: Int
    public var model: String { "hashing-v1-\(dimension)" }

    /// Creates an embedder with `dimension` buckets (384 by default, like MiniLM).
    public init(dimension: Int = 384) {
        precondition(dimension > 0, "dimension must be positive")
        self.dimension = dimension
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map(vector)
    }

    /// The embedding of one text, synchronously.
    public func vector(_ text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: dimension)
        let all = Tokenizer.words(text)
        let content = all.filter { !Tokenizer.stopWords.contains($0) }
        let words = content.isEmpty ? all : content
        // Each feature is hashed as the UTF-8 of its text ("word", "previous word", "#" + three characters of
        // "<word>"), continuing the hash over the parts instead of building each string.
        var previous: UInt64?
        for word in words {
            let hash = Self.fnv1a(word)
            add(hash, weight: 1.0, to: &vector)
            if let previous {
                add(Self.fnv1a(word, after: Self.fnv1a(0x20, after: previous)), weight: 0.5, to: &vector)
            }
            previous = hash
            addTrigrams(of: word, to: &vector)
        }
        VectorMath.normalize(&vector)
        return vector
    }

    /// The character trigrams of `<word>`, each hashed as `#` and its three characters, for words longer than two
    /// characters: a byte at a time for ASCII words, by characters for the rest.
    private func addTrigrams(of word: String, to vector: inout [Float]) {
        let marker = Self.fnv1a(UInt8(ascii: "#"), after: Self.offsetBasis)
        if word.utf8.allSatisfy({ $0 < 0x80 }) {
            let padded = [UInt8(ascii: "<")] + Array(word.utf8) + [UInt8(ascii: ">")]
            guard padded.count > 4 else { return }
            for start in 0...(padded.count - 3) {
                var hash = marker
                for byte in padded[start..<start + 3] { hash = Self.fnv1a(byte, after: hash) }
                add(hash, weight: 0.25, to: &vector)
            }
        } else {
            let padded = Array("<" + word + ">")
            guard padded.count > 4 else { return }
            for start in 0...(padded.count - 3) {
                add(Self.fnv1a(String(padded[start..<start + 3]), after: marker), weight: 0.25, to: &vector)
            }
        }
    }

    private func add(_ hash: UInt64, weight: Float, to vector: inout [Float]) {
        let bucket = Int(hash % UInt64(dimension))
        let sign: Float = (hash >> 63) == 0 ? 1 : -1
        vector[bucket] += sign * weight
    }

    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a continued over one more byte.
    private static func fnv1a(_ byte: UInt8, after hash: UInt64) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    /// FNV-1a continued over the UTF-8 of `text`.
    private static func fnv1a(_ text: String, after hash: UInt64) -> UInt64 {
        var hash = hash
        for byte in text.utf8 { hash = fnv1a(byte, after: hash) }
        return hash
    }

    /// 64-bit FNV-1a over UTF-8: stable across runs and machines, unlike `Hasher`.
    static func fnv1a(_ text: String) -> UInt64 {
        fnv1a(text, after: offsetBasis)
    }
}
