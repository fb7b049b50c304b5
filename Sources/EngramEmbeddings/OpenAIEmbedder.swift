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
    private let client: HTTPClient
    private let ownsClient: Bool
    private let logger: Logger

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
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout = .init(connect: Self.timeAmount(configuration.connectTimeout))
        // The embedder retries failed connections itself, with backoff and a bounded count.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        self.configuration = configuration
        self.client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration,
            backgroundActivityLogger: logger)
        self.ownsClient = true
        self.logger = logger
    }

    /// Creates an embedder on a client the caller owns and shuts down; the configuration's connect timeout
    /// is then the client's business. Throws `invalid_argument` when the configuration cannot work.
    public init(
        configuration: OpenAIEmbedderConfiguration, httpClient: HTTPClient,
        logger: Logger = Logger(label: "engram.embeddings.openai")
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.client = httpClient
        self.ownsClient = false
        self.logger = logger
    }

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
        guard ownsClient else { return }
        do {
            try await client.shutdown()
        } catch let error as HTTPClientError where error == .alreadyShutdown {
            return
        }
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

    /// The outcome of one request that did not throw a final error.
    private enum Attempt {
        case vectors([[Float]])
        case retry(reason: String, retryAfter: Duration?)
    }

    private func embedBatch(_ texts: [String]) async throws -> [[Float]] {
        let request = try makeRequest(texts)
        var retries = 0
        while true {
            try Task.checkCancellation()
            let reason: String
            let retryAfter: Duration?
            switch try await attempt(request, count: texts.count) {
            case .vectors(let vectors): return vectors
            case .retry(let why, let after): (reason, retryAfter) = (why, after)
            }
            guard retries < configuration.maxRetries else {
                throw EngramError(
                    .embeddingProviderUnavailable,
                    "The embedding provider failed \(retries + 1) times (last: \(reason)); check that it is running and reachable at the configured URL, or raise the retry count."
                )
            }
            let delay = retryAfter ?? Self.backoff(retry: retries, configuration)
            logger.debug(
                "retrying embeddings request",
                metadata: ["reason": "\(reason)", "retry": "\(retries + 1)", "delay": "\(delay)"])
            try await Task.sleep(for: delay)
            retries += 1
        }
    }

    /// Sends one request: vectors on success, a failure worth retrying, or a thrown final error.
    private func attempt(_ request: HTTPClientRequest, count: Int) async throws -> Attempt {
        let status: Int
        let retryAfterHeader: String?
        let body: ByteBuffer
        do {
            let response = try await client.execute(
                request, timeout: Self.timeAmount(configuration.requestTimeout), logger: logger)
            status = Int(response.status.code)
            retryAfterHeader = response.headers.first(name: "Retry-After")
            body = try await response.body.collect(upTo: maxResponseBytes)
        } catch is NIOTooManyBytesError {
            throw EngramError(
                .embeddingProviderError,
                "The embedding provider's response is larger than \(maxResponseBytes) bytes; lower the batch size.")
        } catch {
            if Task.isCancelled || error is CancellationError { throw error }
            if let clientError = error as? HTTPClientError, clientError == .cancelled { throw CancellationError() }
            if let clientError = error as? HTTPClientError, clientError == .alreadyShutdown {
                throw EngramError(
                    .embeddingProviderUnavailable, "The embedder was shut down; create a new one to embed again.")
            }
            return .retry(reason: "connection error \(error)", retryAfter: nil)
        }
        switch status {
        case 200..<300:
            return .vectors(try decode(body, status: status, count: count))
        case 401, 403:
            throw EngramError(
                .embeddingProviderAuth,
                "The embedding provider refused the API key (\(summary(status, body))); check ENGRAM_EMBEDDINGS_KEY or the configured API key."
            )
        case 429, 500..<600:
            return .retry(reason: summary(status, body), retryAfter: Self.retryAfter(retryAfterHeader))
        case 404:
            throw EngramError(
                .embeddingProviderError,
                "The embedding provider answered \(summary(status, body)); check that the base URL is the API root (it usually ends in /v1) and that the model exists."
            )
        default:
            throw EngramError(
                .embeddingProviderError,
                "The embedding provider rejected the request (\(summary(status, body))); check the model name and the dimension settings."
            )
        }
    }

    private func makeRequest(_ texts: [String]) throws -> HTTPClientRequest {
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
        var request = HTTPClientRequest(url: configuration.embeddingsURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "engram")
        if let key = configuration.apiKey, !key.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
        }
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        return request
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

    /// `HTTP 503`, for error messages. The body is logged (at debug level, cut to 200 characters), never put in
    /// the message: a provider may quote the input back, and messages carry no user content.
    private func summary(_ status: Int, _ body: ByteBuffer) -> String {
        let text = String(buffer: body)
        let line = String(text.prefix(200).map { $0.isNewline || ($0.asciiValue ?? 0x20) < 0x20 ? " " : $0 })
            .trimmingCharacters(in: .whitespaces)
        logger.debug("embedding provider answer", metadata: ["status": "\(status)", "body": "\(line)"])
        return "HTTP \(status)"
    }

    /// A `Retry-After` given in seconds, at most 60; HTTP dates are ignored.
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds.isFinite,
            seconds >= 0
        else { return nil }
        return .seconds(min(seconds, 60))
    }

    /// The wait before retry number `retry + 1`: the initial backoff doubled per retry, capped, plus up to half again.
    static func backoff(retry: Int, _ configuration: OpenAIEmbedderConfiguration) -> Duration {
        let exponential = configuration.initialBackoff * (1 << min(retry, 20))
        let capped = min(exponential, configuration.maxBackoff)
        return capped + capped * Double.random(in: 0...0.5)
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let cappedSeconds = min(seconds, 1_000_000_000)
        return .nanoseconds(cappedSeconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
