import ArgumentParser
import EngramCore
import EngramEmbeddings
import Foundation

/// How a command chooses its embedder: MiniLM when its files are present, else the hashing embedder, unless
/// `--embedder` (or `ENGRAM_EMBEDDER`) says otherwise.
struct EmbedderOptions: ParsableArguments {
    @Option(
        name: .customLong("embedder"),
        help: ArgumentHelp(
            "auto, minilm, hashing or http (default: $ENGRAM_EMBEDDER, else auto: MiniLM when its files are present, else hashing).",
            valueName: "name"))
    var name: String?

    @Option(
        name: .customLong("model-dir"),
        help: ArgumentHelp(
            "The all-MiniLM-L6-v2 folder (default: $ENGRAM_MODEL_DIR, else models/all-MiniLM-L6-v2 here or beside the engram binary).",
            valueName: "path"))
    var modelDirectory: String?

    @Option(
        name: .customLong("embed-threads"),
        help: ArgumentHelp("Threads for the local model's matrix products (default: all cores).", valueName: "n"))
    var threads: Int?

    /// The MiniLM folder: `--model-dir`, `ENGRAM_MODEL_DIR`, else the first default location that has the files.
    var modelPath: String {
        if let modelDirectory { return modelDirectory }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["ENGRAM_MODEL_DIR"], !path.isEmpty { return path }
        let relative = "models/all-MiniLM-L6-v2"
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        let candidates = [
            relative,
            executable.deletingLastPathComponent().appendingPathComponent("../../\(relative)").standardized.path,
            executable.deletingLastPathComponent().appendingPathComponent("../\(relative)").standardized.path,
        ]
        return candidates.first { MiniLMEmbedder.filesPresent(at: $0) } ?? relative
    }

    /// The embedders for a store: the configured one (with a cache in front) and the others this process can
    /// use while a model switch is under way; and why the configured one was chosen.
    func selection() throws -> EmbedderSelection {
        let environment = ProcessInfo.processInfo.environment
        let requested = (name ?? environment["ENGRAM_EMBEDDER"].flatMap { $0.isEmpty ? nil : $0 } ?? "auto")
            .lowercased()
        if let threads, threads < 1 { throw ValidationError("--embed-threads must be at least 1.") }
        let path = modelPath
        let hasModel = MiniLMEmbedder.filesPresent(at: path)
        let threads = self.threads
        // The weights load on first use; the dimension comes from config.json.
        let dimension = hasModel ? try BertConfiguration.load(path: path + "/config.json").hiddenSize : 384
        let miniLM = LazyEmbedder(model: MiniLMEmbedder.modelName, dimension: dimension) {
            try MiniLMEmbedder(directory: path, threads: threads)
        }
        let http = try OpenAIEmbedder.fromEnvironment()
        var others: [any Embedder] = [HashingEmbedder()]
        if hasModel { others.append(miniLM) }
        if let http { others.append(http) }
        let configured: any Embedder
        let reason: String
        switch requested {
        case "auto":
            if hasModel {
                configured = miniLM
                reason = "auto: the all-MiniLM-L6-v2 files are in \(path)"
            } else {
                configured = HashingEmbedder()
                reason = "auto: no all-MiniLM-L6-v2 files in \(path) (run ./scripts/setup.sh, or set ENGRAM_MODEL_DIR)"
            }
        case "minilm":
            guard hasModel else {
                throw EngramError(
                    .modelNotFound,
                    "--embedder minilm needs the all-MiniLM-L6-v2 files (model.safetensors, vocab.txt, config.json) in \(path); run ./scripts/setup.sh or pass --model-dir."
                )
            }
            configured = try miniLM.resolve()
            reason = "--embedder minilm, files in \(path)"
        case "hashing":
            configured = HashingEmbedder()
            reason = "--embedder hashing"
        case "http":
            guard let http else {
                throw EngramError(
                    .invalidArgument,
                    "--embedder http needs ENGRAM_EMBEDDINGS_URL (and ENGRAM_EMBEDDINGS_MODEL, ENGRAM_EMBEDDINGS_DIMENSIONS) set."
                )
            }
            configured = http
            reason = "--embedder http: \(http.configuration)"
        default:
            throw ValidationError("--embedder must be auto, minilm, hashing or http, not '\(requested)'.")
        }
        return EmbedderSelection(
            configured: CachingEmbedder(configured), others: others, reason: reason, http: http)
    }
}

/// The embedders a command runs with.
struct EmbedderSelection: Sendable {
    var configured: any Embedder
    var others: [any Embedder]
    /// Why `configured` was chosen, for `engram doctor`.
    var reason: String
    /// The HTTP embedder, whose client must be shut down at the end.
    var http: OpenAIEmbedder?

    /// Shuts down what needs it.
    func shutdown() async {
        try? await http?.shutdown()
    }
}
