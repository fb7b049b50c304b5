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
        for (index, word) in words.enumerated() {
            add(word, weight: 1.0, to: &vector)
            if index > 0 { add(words[index - 1] + " " + word, weight: 0.5, to: &vector) }
            let padded = Array("<" + word + ">")
            if padded.count > 4 {
                for start in 0...(padded.count - 3) {
                    add("#" + String(padded[start..<start + 3]), weight: 0.25, to: &vector)
                }
            }
        }
        VectorMath.normalize(&vector)
        return vector
    }

    private func add(_ feature: String, weight: Float, to vector: inout [Float]) {
        let hash = Self.fnv1a(feature)
        let bucket = Int(hash % UInt64(dimension))
        let sign: Float = (hash >> 63) == 0 ? 1 : -1
        vector[bucket] += sign * weight
    }

    /// 64-bit FNV-1a over UTF-8: stable across runs and machines, unlike `Hasher`.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
