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
