import EngramCore
import Foundation
import Testing

@testable import EngramEmbeddings

/// Where the tests find the model (in the repository) and the reference embeddings (a fixture of this target).
enum MiniLMTestFiles {
    /// The repository root (three levels up from this file).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `$ENGRAM_MODEL_DIR`, else `models/all-MiniLM-L6-v2` in the repository.
    static var modelDirectory: String {
        if let directory = ProcessInfo.processInfo.environment["ENGRAM_MODEL_DIR"], !directory.isEmpty {
            return directory
        }
        return repository.appending(path: "models/all-MiniLM-L6-v2").path
    }

    /// The sentence-transformers reference embeddings (see `Fixtures/README.md` for where they come from).
    static let reference = Bundle.module.url(forResource: "Fixtures/minilm_reference", withExtension: "jsonl")

    /// The embedder, loaded once for every test; a missing model is a failure that says how to install it.
    static func embedder(sourceLocation: SourceLocation = #_sourceLocation) throws -> MiniLMEmbedder {
        guard MiniLMEmbedder.filesPresent(at: modelDirectory) else {
            let message =
                "The all-MiniLM-L6-v2 model files are missing from \(modelDirectory): run ./scripts/setup.sh "
                + "(or set ENGRAM_MODEL_DIR) before running these tests."
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            throw EngramError.modelNotFound("model.safetensors")
        }
        return try shared.get()
    }

    private static let shared = Result { try MiniLMEmbedder(directory: modelDirectory, batchSize: 32) }
}

/// One line of `minilm_reference.jsonl`.
struct ReferenceEmbedding: Decodable {
    var id: Int
    var text: String
    var nWordpieces: Int
    var nInputTokens: Int
    var truncated: Bool
    var embedding: [Float]

    /// Every line of the reference file; a missing file fails the test.
    static func all(sourceLocation: SourceLocation = #_sourceLocation) throws -> [ReferenceEmbedding] {
        let data = try #require(
            MiniLMTestFiles.reference.flatMap { FileManager.default.contents(atPath: $0.path) },
            "The fixture Fixtures/minilm_reference.jsonl is missing from the test bundle; rebuild the tests.",
            sourceLocation: sourceLocation)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try decoder.decode(ReferenceEmbedding.self, from: Data($0))
        }
    }
}

/// The cosine similarity of two vectors, in Double.
func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0
    var normA = 0.0
    var normB = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        normA += Double(x) * Double(x)
        normB += Double(y) * Double(y)
    }
    return dot / max((normA * normB).squareRoot(), 1e-30)
}

/// The largest absolute component difference of two equally long vectors.
func maxAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
