import EngramCore
import Foundation

/// Where and how to reach an OpenAI-compatible `POST /embeddings` endpoint (OpenAI, Ollama, vLLM, TEI).
/// A `Sendable` value with defaults; ``validate()`` says what to fix.
public struct OpenAIEmbedderConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The API root that `/embeddings` is appended to, such as `https://api.openai.com/v1`
    /// or `http://127.0.0.1:11434/v1`.
    public var baseURL: String
    /// The provider's model name, such as `text-embedding-3-small` or `nomic-embed-text`.
    public var model: String
    /// Sent as `Authorization: Bearer …` when set; local servers usually need none.
    public var apiKey: String?
    /// The length of every vector the provider returns; responses of another length are rejected.
    public var dimension: Int
    /// Sends `dimensions` in each request, asking the model to shorten its vectors (OpenAI `text-embedding-3-*`).
    /// Off by default: models without the option reject it.
    public var sendDimensions: Bool = false
    /// The most texts sent in one request; longer inputs are split into several requests.
    public var batchSize: Int = 64
    /// How long one request may take, from sending to the last byte of the response.
    public var requestTimeout: Duration = .seconds(60)
    /// How long opening a connection may take.
    public var connectTimeout: Duration = .seconds(10)
    /// How many times a request is retried after a 429, a 5xx or a connection error (0 = never).
    public var maxRetries: Int = 3
    /// The wait before the first retry; it doubles on each further retry, plus up to half again in random jitter.
    public var initialBackoff: Duration = .milliseconds(500)
    /// The longest doubled wait before jitter (a `Retry-After` header in seconds is honoured up to 60 seconds).
    public var maxBackoff: Duration = .seconds(8)

    /// Creates a configuration; the other settings keep their defaults.
    public init(baseURL: String, model: String, apiKey: String? = nil, dimension: Int) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.dimension = dimension
    }

    /// The settings on one line, with the API key left out.
    public var description: String {
        "OpenAIEmbedderConfiguration(url: \(embeddingsURL), model: \(model), dimension: \(dimension), "
            + "apiKey: \(apiKey?.isEmpty == false ? "set" : "none"), batchSize: \(batchSize), "
            + "sendDimensions: \(sendDimensions), maxRetries: \(maxRetries))"
    }

    /// The full `…/embeddings` address.
    public var embeddingsURL: String { ProviderClient.endpoint(baseURL, path: "embeddings") }

    /// The retry settings, as the HTTP client takes them.
    var retryPolicy: RetryPolicy {
        RetryPolicy(maxRetries: maxRetries, initialBackoff: initialBackoff, maxBackoff: maxBackoff)
    }

    /// Throws `invalid_argument` with what to fix when a setting cannot work.
    public func validate() throws {
        func invalid(_ message: String) -> EngramError { EngramError(.invalidArgument, message) }
        try ProviderClient.validateBaseURL(
            baseURL, what: "The embeddings base URL", setting: "ENGRAM_EMBEDDINGS_URL")
        guard !model.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw invalid(
                "The embeddings model is empty; set it (ENGRAM_EMBEDDINGS_MODEL), such as text-embedding-3-small.")
        }
        guard dimension >= 1 else {
            throw invalid("The embedding dimension must be at least 1; set it to the model's vector length.")
        }
        guard batchSize >= 1 else {
            throw invalid("The embeddings batch size must be at least 1 (ENGRAM_EMBEDDINGS_BATCH).")
        }
        guard maxRetries >= 0 else {
            throw invalid("The embeddings retry count must be 0 or more.")
        }
        guard requestTimeout > .zero, connectTimeout > .zero else {
            throw invalid("The embeddings request and connect timeouts must be positive.")
        }
        guard initialBackoff >= .zero, maxBackoff >= initialBackoff else {
            throw invalid("The embeddings backoff must be 0 or more, and the maximum at least the initial backoff.")
        }
    }
}

extension OpenAIEmbedderConfiguration {
    /// Vector lengths of well-known models, used when `ENGRAM_EMBEDDINGS_DIMENSIONS` is unset.
    static let knownDimensions: [String: Int] = [
        "text-embedding-3-small": 1536,
        "text-embedding-3-large": 3072,
        "text-embedding-ada-002": 1536,
    ]

    /// Reads `ENGRAM_EMBEDDINGS_URL`, `ENGRAM_EMBEDDINGS_MODEL`, `ENGRAM_EMBEDDINGS_KEY` (else, for api.openai.com
    /// only, `OPENAI_API_KEY`),
    /// `ENGRAM_EMBEDDINGS_DIMENSIONS`, `ENGRAM_EMBEDDINGS_SEND_DIMENSIONS` and `ENGRAM_EMBEDDINGS_BATCH`.
    ///
    /// Returns `nil` when `ENGRAM_EMBEDDINGS_URL` is unset or empty; throws `invalid_argument` when a
    /// variable is missing or malformed. The dimension may be omitted for OpenAI's own models.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> OpenAIEmbedderConfiguration? {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ name: String) throws -> Int? {
            guard let raw = value(name) else { return nil }
            guard let number = Int(raw) else {
                throw EngramError(.invalidArgument, "\(name) must be a whole number.")
            }
            return number
        }
        guard let url = value("ENGRAM_EMBEDDINGS_URL") else { return nil }
        guard let model = value("ENGRAM_EMBEDDINGS_MODEL") else {
            throw EngramError(
                .invalidArgument,
                "ENGRAM_EMBEDDINGS_URL is set but ENGRAM_EMBEDDINGS_MODEL is not; set it to the provider's model name.")
        }
        guard let dimension = try integer("ENGRAM_EMBEDDINGS_DIMENSIONS") ?? knownDimensions[model] else {
            throw EngramError(
                .invalidArgument,
                "Set ENGRAM_EMBEDDINGS_DIMENSIONS to the vector length of this model (such as 768 or 1024).")
        }
        // OPENAI_API_KEY is sent to OpenAI only, never to another provider the URL names.
        let isOpenAI = URLComponents(string: url)?.host?.lowercased() == "api.openai.com"
        var configuration = OpenAIEmbedderConfiguration(
            baseURL: url, model: model,
            apiKey: value("ENGRAM_EMBEDDINGS_KEY") ?? (isOpenAI ? value("OPENAI_API_KEY") : nil), dimension: dimension)
        if let batch = try integer("ENGRAM_EMBEDDINGS_BATCH") { configuration.batchSize = batch }
        if let send = value("ENGRAM_EMBEDDINGS_SEND_DIMENSIONS") {
            switch send.lowercased() {
            case "1", "true", "yes", "on": configuration.sendDimensions = true
            case "0", "false", "no", "off": configuration.sendDimensions = false
            default:
                throw EngramError(.invalidArgument, "ENGRAM_EMBEDDINGS_SEND_DIMENSIONS must be true or false.")
            }
        }
        try configuration.validate()
        return configuration
    }
}
