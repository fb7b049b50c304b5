import EngramCore
import Foundation
import Testing

@testable import EngramEmbeddings

/// all-MiniLM-L6-v2 against sentence-transformers: tokens and vectors of 32 reference texts.
@Suite struct MiniLMReferenceTests {
    @Test func matchesSentenceTransformersOnEveryReferenceText() throws {
        let embedder = try MiniLMTestFiles.embedder()
        let references = try ReferenceEmbedding.all()
        #expect(references.count == 32)
        let vectors = embedder.encode(references.map(\.text))
        for (reference, vector) in zip(references, vectors) {
            let encoding = embedder.tokenizer.encode(reference.text)
            #expect(encoding.wordPieceCount == reference.nWordpieces, "word pieces of reference \(reference.id)")
            #expect(encoding.inputTokenCount == reference.nInputTokens, "input tokens of reference \(reference.id)")
            #expect(embedder.tokenCount(reference.text) == reference.nInputTokens)
            #expect(encoding.isTruncated == reference.truncated, "truncation of reference \(reference.id)")
            #expect(vector.count == 384)
            #expect(cosine(vector, reference.embedding) >= 0.9999, "cosine of reference \(reference.id)")
            #expect(maxAbsoluteDifference(vector, reference.embedding) <= 1e-4, "max |Δ| of reference \(reference.id)")
        }
    }

    @Test func batchingAndBucketingDoNotChangeVectors() throws {
        let embedder = try MiniLMTestFiles.embedder()
        let texts = try ReferenceEmbedding.all().map(\.text)
        let together = embedder.encode(texts)
        let small = try MiniLMEmbedder(directory: MiniLMTestFiles.modelDirectory, batchSize: 5)
        let inFives = small.encode(texts)
        for (index, text) in texts.enumerated() {
            let alone = embedder.encode([text])[0]
            #expect(maxAbsoluteDifference(alone, together[index]) <= 1e-5, "text \(index) alone vs batched")
            #expect(maxAbsoluteDifference(inFives[index], together[index]) <= 1e-5, "text \(index) batch 5 vs 32")
        }
    }

    @Test func embedsAsynchronouslyInInputOrderAndFromSeveralTasksAtOnce() async throws {
        let embedder = try MiniLMTestFiles.embedder()
        let texts = ["ok", "", "The quick brown fox jumps over the lazy dog.", "ok"]
        let expected = embedder.encode(texts)
        #expect(embedder.model == "all-MiniLM-L6-v2")
        #expect(embedder.dimension == 384)
        #expect(try await embedder.embed([]).isEmpty)
        let results = try await withThrowingTaskGroup(of: [[Float]].self) { group in
            for _ in 0..<3 { group.addTask { try await embedder.embed(texts) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for vectors in results {
            #expect(vectors.count == texts.count)
            for (vector, reference) in zip(vectors, expected) {
                #expect(maxAbsoluteDifference(vector, reference) <= 1e-6)
            }
        }
        // The same text twice in one batch: equal up to the last bits of the matrix products' blocking.
        #expect(maxAbsoluteDifference(expected[0], expected[3]) <= 1e-6)
        let norm = expected[1].reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 1) < 1e-5)
    }
}
