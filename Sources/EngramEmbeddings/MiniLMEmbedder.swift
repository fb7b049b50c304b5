import Dispatch
import EngramCore
import Foundation

/// Local sentence embeddings with sentence-transformers/all-MiniLM-L6-v2, in Swift and OpenBLAS: BERT uncased
/// WordPiece tokens (at most 256), a 6-layer encoder, mean pooling and L2 normalisation. Its vectors match
/// sentence-transformers to about 1e-7.
///
/// ```swift
/// let embedder = try MiniLMEmbedder(directory: MiniLMEmbedder.defaultDirectory)
/// let vectors = try await embedder.embed(["Caroline went to a support group."])  // one 384-float unit vector
/// ```
public struct MiniLMEmbedder: Embedder {
    /// The model name stored beside every vector.
    public static let modelName = "all-MiniLM-L6-v2"
    /// The files a model folder must hold.
    public static let requiredFiles = ["model.safetensors", "vocab.txt", "config.json"]

    /// `all-MiniLM-L6-v2`.
    public var model: String { Self.modelName }
    /// 384.
    public var dimension: Int { encoder.configuration.hiddenSize }
    /// How many texts one encoder batch holds (texts of similar length are batched together).
    public let batchSize: Int
    /// The tokenizer.
    public let tokenizer: WordPieceTokenizer
    /// The encoder.
    public let encoder: BertEncoder

    /// Loads the model in `directory`; `threads` (when given) sets the process-wide OpenBLAS thread count.
    /// Throws `model_not_found` when files are missing and `model_invalid` when they are unusable.
    public init(directory: String, batchSize: Int = 32, threads: Int? = nil) throws {
        guard batchSize > 0 else { throw EngramError(.invalidArgument, "The batch size must be at least 1.") }
        if let threads, threads < 1 {
            throw EngramError(.invalidArgument, "The thread count must be at least 1.")
        }
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        for file in Self.requiredFiles where !FileManager.default.fileExists(atPath: folder.appending(path: file).path)
        {
            throw EngramError.modelNotFound(file)
        }
        let configuration = try BertConfiguration.load(path: folder.appending(path: "config.json").path)
        guard configuration.hiddenSize == 384 else {
            throw EngramError.modelInvalid("config.json has hidden size \(configuration.hiddenSize), not 384")
        }
        let maxLength = try Self.maxSequenceLength(in: folder)
        guard maxLength >= 2, maxLength <= configuration.maxPositions else {
            throw EngramError.modelInvalid("max_seq_length does not fit the position table")
        }
        let tokenizer = try WordPieceTokenizer(
            vocabularyPath: folder.appending(path: "vocab.txt").path, maxLength: maxLength)
        guard tokenizer.vocabularySize <= configuration.vocabularySize else {
            throw EngramError.modelInvalid("vocab.txt has more tokens than config.json's vocab_size")
        }
        self.tokenizer = tokenizer
        self.batchSize = batchSize
        encoder = try BertEncoder(
            safetensorsPath: folder.appending(path: "model.safetensors").path, configuration: configuration)
        if let threads { setBLASThreads(threads) }
    }

    /// Embeds `texts` on a dispatch thread (the encoder is CPU-bound), one unit vector per text, in order.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: encode(texts))
            }
        }
    }

    /// Embeds `texts` on the calling thread: one unit vector of ``dimension`` floats per text, in order.
    public func encode(_ texts: [String]) -> [[Float]] {
        encoder.embed(texts.map { tokenizer.encode($0).ids }, batchSize: batchSize)
    }

    /// How many tokens the encoder sees for `text`, `[CLS]` and `[SEP]` included (at most 256).
    public func tokenCount(_ text: String) -> Int {
        tokenizer.encode(text).inputTokenCount
    }

    /// The folder holding the model: `$ENGRAM_MODEL_DIR`, else the first of `models/all-MiniLM-L6-v2` under the
    /// current directory and `../../models/…` and `../models/…` beside the executable that has the model files
    /// (the current-directory path when none has).
    public static var defaultDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let directory = environment["ENGRAM_MODEL_DIR"], !directory.isEmpty { return directory }
        let relative = "models/all-MiniLM-L6-v2"
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appending(path: relative).path
        var candidates = [current]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let folder = executable.deletingLastPathComponent()
            candidates.append(folder.appending(path: "../../" + relative).standardizedFileURL.path)
            candidates.append(folder.appending(path: "../" + relative).standardizedFileURL.path)
        }
        return candidates.first(where: filesPresent(at:)) ?? current
    }

    /// Whether `directory` holds every file the model needs.
    public static func filesPresent(at directory: String) -> Bool {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        return requiredFiles.allSatisfy { FileManager.default.fileExists(atPath: folder.appending(path: $0).path) }
    }

    /// `max_seq_length` from `sentence_bert_config.json`, or 256 when the file is absent.
    private static func maxSequenceLength(in folder: URL) throws -> Int {
        guard let data = FileManager.default.contents(atPath: folder.appending(path: "sentence_bert_config.json").path)
        else { return 256 }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EngramError.modelInvalid("sentence_bert_config.json is not a JSON object")
        }
        return object["max_seq_length"] as? Int ?? 256
    }
}
