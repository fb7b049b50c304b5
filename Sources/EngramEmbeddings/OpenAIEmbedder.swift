import AsyncHTTPClient
import EngramCore
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

extension EngramError.Code {
    /// The embedding provider answered with an error or with a response Engram cannot use.
    public static let embeddingProviderError = Self(rawValue: "embedding_provider_error")
    /// The embedding provider rejected the API key (HTTP 401 or 403).
    public static let embeddingProviderAuth = Self(rawValue: "embedding_provider_auth")
    /// The embedding provider could not be reached, or stayed busy (429, 5xx), through every retry.
    public static let embeddingProviderUnavailable = Self(rawValue: "embedding_provider_unavailable")
}

/// Embeds texts through an OpenAI-compatible `POST {baseURL}/embeddings` endpoint: OpenAI, Ollama, vLLM or TEI.
///
/// Texts are sent in batches of ``OpenAIEmbedderConfiguration/batchSize``, one request after another;
/// 429, 5xx and connection errors are retried with exponential backoff and jitter (honouring `Retry-After`).
/// Vectors come back in input order, re-normalised to unit length.
///
/// An embedder made with ``init(configuration:logger:)`` owns its `HTTPClient`: call ``shutdown()``
/// before releasing it, or use ``withEmbedder(configuration:logger:isolation:_:)``.
public final class OpenAIEmbedder: Embedder {
    /// The settings this embedder was made with.
    public let configuration: OpenAIEmbedderConfiguration
    private let provider: ProviderClient

    /// The provider's model name, stored beside every vector.
    public var model: String { configuration.model }
    /// The configured vector length; responses of another length are rejected.
    public var dimension: Int { configuration.dimension }

    /// Creates an embedder with its own `HTTPClient` (on the shared event loop group); call ``shutdown()`` when done.
    /// Throws `invalid_argument` when the configuration cannot work.
    public init(configuration: OpenAIEmbedderConfiguration, logger: Logger = Logger(label: "engram.embeddings.openai"))
        throws
    {
        try configuration.validate()
        self.configuration = configuration
        self.provider = ProviderClient(
            connectTimeout: configuration.connectTimeout, wording: Self.wording, logger: logger)
    }

    /// Creates an embedder on a client the caller owns and shuts down; the configuration's connect timeout
    /// is then the client's business. Throws `invalid_argument` when the configuration cannot work.
    public init(
        configuration: OpenAIEmbedderConfiguration, httpClient: HTTPClient,
        logger: Logger = Logger(label: "engram.embeddings.openai")
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.provider = ProviderClient(httpClient: httpClient, wording: Self.wording, logger: logger)
    }

    static let wording = ProviderWording(
        name: "embedding provider", errorCode: .embeddingProviderError, authCode: .embeddingProviderAuth,
        unavailableCode: .embeddingProviderUnavailable, keySetting: "ENGRAM_EMBEDDINGS_KEY",
        rejectedAdvice: "check the model name and the dimension settings", tooLargeAdvice: "lower the batch size")

    /// An embedder configured from `ENGRAM_EMBEDDINGS_*` variables (see
    /// ``OpenAIEmbedderConfiguration/fromEnvironment(_:)``), or `nil` when `ENGRAM_EMBEDDINGS_URL` is unset.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "engram.embeddings.openai")
    ) throws -> OpenAIEmbedder? {
        guard let configuration = try OpenAIEmbedderConfiguration.fromEnvironment(environment) else { return nil }
        return try OpenAIEmbedder(configuration: configuration, logger: logger)
    }

    /// Runs `body` with a new embedder and shuts it down afterwards, whether `body` throws or not.
    public static func withEmbedder<Value>(
        configuration: OpenAIEmbedderConfiguration, logger: Logger = Logger(label: "engram.embeddings.openai"),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (OpenAIEmbedder) async throws -> Value
    ) async throws -> Value {
        let embedder = try OpenAIEmbedder(configuration: configuration, logger: logger)
        let result: Value
        do {
            result = try await body(embedder)
        } catch {
            try? await embedder.shutdown()
            throw error
        }
        try await embedder.shutdown()
        return result
    }

    /// Shuts down the embedder's own `HTTPClient`; an injected client is left to its owner. Safe to call twice.
    public func shutdown() async throws {
        try await provider.shutdown()
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        for start in stride(from: 0, to: texts.count, by: configuration.batchSize) {
            let batch = Array(texts[start..<min(start + configuration.batchSize, texts.count)])
            vectors += try await embedBatch(batch)
        }
        return vectors
    }

    // MARK: - One batch

    private func embedBatch(_ texts: [String]) async throws -> [[Float]] {
        let answer = try await provider.post(
            try requestBody(texts), to: configuration.embeddingsURL, apiKey: configuration.apiKey,
            timeout: configuration.requestTimeout, retry: configuration.retryPolicy,
            maxResponseBytes: maxResponseBytes)
        return try decode(answer.body, status: answer.status, count: texts.count)
    }

    private func requestBody(_ texts: [String]) throws -> Data {
        struct Body: Encodable {
            var model: String
            var input: [String]
            var dimensions: Int?
            var encodingFormat = "float"
            enum CodingKeys: String, CodingKey {
                case model, input, dimensions
                case encodingFormat = "encoding_format"
            }
        }
        let body = Body(
            model: configuration.model, input: texts,
            dimensions: configuration.sendDimensions ? configuration.dimension : nil)
        return try JSONEncoder().encode(body)
    }

    // MARK: - Responses

    private func decode(_ body: ByteBuffer, status: Int, count: Int) throws -> [[Float]] {
        struct Response: Decodable {
            struct Item: Decodable {
                var index: Int?
                var embedding: [Float]
            }
            var data: [Item]
        }
        func failure(_ what: String) -> EngramError {
            EngramError(
                .embeddingProviderError,
                "The embedding provider's response \(what) (\(summary(status, body))); check that the URL is an OpenAI-compatible API root and the model is an embedding model."
            )
        }
        guard let response = try? JSONDecoder().decode(Response.self, from: body) else {
            throw failure("is not an embeddings list")
        }
        guard response.data.count == count else {
            throw failure("has \(response.data.count) embeddings for \(count) texts")
        }
        let items = response.data.enumerated()
            .map { position, item in (index: item.index ?? position, embedding: item.embedding) }
            .sorted { $0.index < $1.index }
        guard items.map(\.index) == Array(0..<count) else {
            throw failure("has indices that are not 0 to \(count - 1)")
        }
        return try items.map { item in
            guard item.embedding.count == dimension else {
                throw EngramError(
                    .embeddingProviderError,
                    "The embedding provider returned vectors of length \(item.embedding.count), but the configured dimension is \(dimension) (\(summary(status, body))); set the dimension (ENGRAM_EMBEDDINGS_DIMENSIONS) to the model's vector length."
                )
            }
            var vector = item.embedding
            VectorMath.normalize(&vector)
            return vector
        }
    }

    /// Room for every number of a full batch as JSON text, plus a megabyte of envelope.
    private var maxResponseBytes: Int {
        configuration.batchSize * configuration.dimension * 32 + (1 << 20)
    }

    private func summary(_ status: Int, _ body: ByteBuffer) -> String { provider.summary(status, body) }
}
