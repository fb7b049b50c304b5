import EngramCore
import Testing

@Suite struct HashingEmbedderTests {
    let embedder = HashingEmbedder()

    @Test func defaultDimensionIs384AndModelNamesIt() {
        #expect(embedder.dimension == 384)
        #expect(embedder.model == "hashing-v1-384")
        #expect(embedder.vector("hello world").count == 384)
        let small = HashingEmbedder(dimension: 64)
        #expect(small.vector("hello world").count == 64)
        #expect(small.model == "hashing-v1-64")
    }

    @Test func isDeterministicAcrossCallsAndInstances() async throws {
        let text = "Alice prefers green tea in the morning"
        let first = embedder.vector(text)
        #expect(first == embedder.vector(text))
        #expect(first == HashingEmbedder().vector(text))
        let batch = try await embedder.embed([text, "other text"])
        #expect(batch.count == 2)
        #expect(batch[0] == first)
        let single = try await embedder.embed(text)
        #expect(single == first)
    }

    @Test(arguments: ["hello", "The quick brown fox jumps over the lazy dog", "Ünïcödé wörds ünd 42 numbers", "a b c"])
    func vectorsHaveUnitNorm(text: String) {
        let vector = embedder.vector(text)
        let norm = VectorMath.dot(vector, vector).squareRoot()
        #expect(abs(norm - 1) < 1e-5)
        #expect(vector.allSatisfy { $0.isFinite })
    }

    @Test func similarTextsAreCloserThanUnrelatedOnes() {
        let anchor = embedder.vector("my cat loves eating tuna fish every evening")
        let similar = embedder.vector("the cat loves eating tuna fish")
        let unrelated = embedder.vector("quarterly revenue report for the finance department")
        let near = VectorMath.dot(anchor, similar)
        let far = VectorMath.dot(anchor, unrelated)
        #expect(near > far)
        #expect(near > 0.5)
        #expect(far < 0.3)
    }

    @Test func caseAndPunctuationDoNotChangeTheVector() {
        #expect(embedder.vector("Hello, World!") == embedder.vector("hello world"))
    }

    @Test func stopWordsAreIgnoredWhenThereAreContentWords() {
        #expect(embedder.vector("the cat is on the mat") == embedder.vector("cat mat"))
        let onlyStopWords = embedder.vector("what is it")
        #expect(onlyStopWords.contains { $0 != 0 })
        #expect(onlyStopWords != embedder.vector("who are they"))
    }

    @Test(arguments: ["", "   ", "!!! ??? ..."])
    func textWithoutWordsGivesTheZeroVector(text: String) {
        let vector = embedder.vector(text)
        #expect(vector.count == 384)
        #expect(vector.allSatisfy { $0 == 0 })
    }
}

@Suite struct TokenizerTests {
    @Test func splitsIntoLowercasedRunsOfLettersAndDigits() {
        #expect(Tokenizer.words("Hello, World! x2 don't") == ["hello", "world", "x2", "don", "t"])
        #expect(Tokenizer.words("") == [])
        #expect(Tokenizer.words("  \n\t ") == [])
    }

    @Test func termsDropStopWords() {
        #expect(Tokenizer.terms("What does the cat eat?") == ["cat", "eat"])
        #expect(Tokenizer.terms("the of and") == [])
        #expect(Tokenizer.stopWords.contains("the"))
        #expect(!Tokenizer.stopWords.contains("cat"))
    }
}

/// The vectors stored under `hashing-v1-*` must never change: the embedder is checked against the original
/// implementation (each feature built as a string, then hashed), copied here as it was, on ASCII and non-ASCII text.
@Suite struct HashingEmbedderStabilityTests {
    private func reference(_ text: String, dimension: Int) -> [Float] {
        func fnv1a(_ text: String) -> UInt64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
            return hash
        }
        func add(_ feature: String, weight: Float, to vector: inout [Float]) {
            let hash = fnv1a(feature)
            vector[Int(hash % UInt64(dimension))] += ((hash >> 63) == 0 ? 1 : -1) * weight
        }
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

    @Test(arguments: [
        "Alice prefers green tea in the morning", "a b c", "Hi", "abc abcd x1 2024-05-07", "what is it",
        "Ünïcödé wörds ünd 42 numbers", "naïve café, jalapeño crème brûlée", "東京で寿司を食べた 🍣 yesterday",
        "Caroline: I went to the LGBTQ support group yesterday and it was so powerful.",
        "e\u{301}te\u{301} Zoë ß", "",
    ])
    func vectorsAreTheOriginalImplementations(text: String) {
        for dimension in [384, 64, 7] {
            #expect(HashingEmbedder(dimension: dimension).vector(text) == reference(text, dimension: dimension))
        }
    }
}
