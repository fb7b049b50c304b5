import AsyncHTTPClient
import EngramCore
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// How errors about one kind of provider read: its name, its error codes and the setting of its key.
struct ProviderWording: Sendable {
    /// "embedding provider".
    var name: String
    /// An answer Engram cannot use.
    var errorCode: EngramError.Code
    /// A refused API key (401, 403).
    var authCode: EngramError.Code
    /// Unreachable, or busy through every retry.
    var unavailableCode: EngramError.Code
    /// Where the key is set: "ENGRAM_EMBEDDINGS_KEY".
    var keySetting: String
    /// What to check after another 4xx: "check the model name and the dimension settings".
    var rejectedAdvice: String
    /// What to do about a response over the size limit: "lower the batch size".
    var tooLargeAdvice: String
}

/// How often and how patiently a request is retried after a 429, a 5xx or a connection error.
struct RetryPolicy: Sendable {
    /// Retries after the first attempt (0 = never).
    var maxRetries: Int
    /// The wait before the first retry; it doubles on each further retry.
    var initialBackoff: Duration
    /// The longest doubled wait, before jitter.
    var maxBackoff: Duration

    /// The wait before retry number `retry + 1`: the initial backoff doubled per retry, capped, plus up to half again.
    func backoff(retry: Int) -> Duration {
        let exponential = initialBackoff * (1 << min(retry, 20))
        let capped = min(exponential, maxBackoff)
        return capped + capped * Double.random(in: 0...0.5)
    }
}

/// POSTs JSON to an OpenAI-compatible endpoint: retries 429, 5xx and connection errors with exponential backoff and
/// jitter (honouring `Retry-After`), and turns every other failure into an ``EngramError`` that names no user
/// content (provider bodies are logged at debug level only, cut short).
final class ProviderClient: Sendable {
    let wording: ProviderWording
    let logger: Logger
    private let client: HTTPClient
    private let ownsClient: Bool

    /// A client with its own `HTTPClient` on the shared event loop group; call ``shutdown()`` when done.
    init(connectTimeout: Duration, wording: ProviderWording, logger: Logger) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: Self.timeAmount(connectTimeout))
        // Failed connections are retried here, with backoff and a bounded count.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
            backgroundActivityLogger: logger)
        self.ownsClient = true
        self.wording = wording
        self.logger = logger
    }

    /// A client on an `HTTPClient` the caller owns and shuts down.
    init(httpClient: HTTPClient, wording: ProviderWording, logger: Logger) {
        self.client = httpClient
        self.ownsClient = false
        self.wording = wording
        self.logger = logger
    }

    /// Shuts down the own `HTTPClient`; an injected one is left to its owner. Safe to call twice.
    func shutdown() async throws {
        guard ownsClient else { return }
        do {
            try await client.shutdown()
        } catch let error as HTTPClientError where error == .alreadyShutdown {
            return
        }
    }

    /// Posts `body` to `url` (with `Authorization: Bearer` when `apiKey` is set), retrying as `retry` allows.
    /// Returns the status and body of a 2xx answer; throws the provider's error otherwise.
    func post(
        _ body: Data, to url: String, apiKey: String?, timeout: Duration, retry: RetryPolicy, maxResponseBytes: Int
    ) async throws -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "engram")
        if let apiKey, !apiKey.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        }
        request.body = .bytes(ByteBuffer(data: body))
        var retries = 0
        while true {
            try Task.checkCancellation()
            let reason: String
            let retryAfter: Duration?
            switch try await attempt(request, timeout: timeout, maxResponseBytes: maxResponseBytes) {
            case .answer(let status, let body): return (status, body)
            case .retry(let why, let after): (reason, retryAfter) = (why, after)
            }
            guard retries < retry.maxRetries else {
                throw EngramError(
                    wording.unavailableCode,
                    "The \(wording.name) failed \(retries + 1) times (last: \(reason)); check that it is running and reachable at the configured URL, or raise the retry count."
                )
            }
            let delay = retryAfter ?? retry.backoff(retry: retries)
            logger.debug(
                "retrying \(wording.name) request",
                metadata: ["reason": "\(reason)", "retry": "\(retries + 1)", "delay": "\(delay)"])
            try await Task.sleep(for: delay)
            retries += 1
        }
    }

    /// The outcome of one request that did not throw a final error.
    private enum Attempt {
        case answer(status: Int, body: ByteBuffer)
        case retry(reason: String, retryAfter: Duration?)
    }

    /// Sends one request: a 2xx answer, a failure worth retrying, or a thrown final error.
    private func attempt(_ request: HTTPClientRequest, timeout: Duration, maxResponseBytes: Int) async throws
        -> Attempt
    {
        let status: Int
        let retryAfterHeader: String?
        let body: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(timeout), logger: logger)
            status = Int(response.status.code)
            retryAfterHeader = response.headers.first(name: "Retry-After")
            body = try await response.body.collect(upTo: maxResponseBytes)
        } catch is NIOTooManyBytesError {
            throw EngramError(
                wording.errorCode,
                "The \(wording.name)'s response is larger than \(maxResponseBytes) bytes; \(wording.tooLargeAdvice).")
        } catch {
            if Task.isCancelled || error is CancellationError { throw error }
            if let clientError = error as? HTTPClientError, clientError == .cancelled { throw CancellationError() }
            if let clientError = error as? HTTPClientError, clientError == .alreadyShutdown {
                throw EngramError(
                    wording.unavailableCode,
                    "The \(wording.name) client was shut down; create a new one to use it again.")
            }
            return .retry(reason: "connection error \(error)", retryAfter: nil)
        }
        switch status {
        case 200..<300:
            return .answer(status: status, body: body)
        case 401, 403:
            throw EngramError(
                wording.authCode,
                "The \(wording.name) refused the API key (\(summary(status, body))); check \(wording.keySetting) or the configured API key."
            )
        case 429, 500..<600:
            return .retry(reason: summary(status, body), retryAfter: Self.retryAfter(retryAfterHeader))
        case 404:
            throw EngramError(
                wording.errorCode,
                "The \(wording.name) answered \(summary(status, body)); check that the base URL is the API root (it usually ends in /v1) and that the model exists."
            )
        default:
            throw EngramError(
                wording.errorCode,
                "The \(wording.name) rejected the request (\(summary(status, body))); \(wording.rejectedAdvice).")
        }
    }

    /// `HTTP 503`, for error messages. The body is logged (at debug level, cut to 200 characters), never put in
    /// the message: a provider may quote the input back, and messages carry no user content.
    func summary(_ status: Int, _ body: ByteBuffer) -> String {
        let text = String(buffer: body)
        let line = String(text.prefix(200).map { $0.isNewline || ($0.asciiValue ?? 0x20) < 0x20 ? " " : $0 })
            .trimmingCharacters(in: .whitespaces)
        logger.debug("\(wording.name) answer", metadata: ["status": "\(status)", "body": "\(line)"])
        return "HTTP \(status)"
    }

    /// A `Retry-After` given in seconds, at most 60; HTTP dates are ignored.
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds.isFinite,
            seconds >= 0
        else { return nil }
        return .seconds(min(seconds, 60))
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let cappedSeconds = min(seconds, 1_000_000_000)
        return .nanoseconds(cappedSeconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// `{base}/{path}`, with the base's trailing slashes and spaces dropped.
    static func endpoint(_ baseURL: String, path: String) -> String {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + path
    }

    /// Throws `invalid_argument` unless `baseURL` is an http(s) URL with a host and no query or fragment.
    /// `what` names the setting ("The embeddings base URL"), `setting` its variable.
    static func validateBaseURL(_ baseURL: String, what: String, setting: String) throws {
        let trimmed = baseURL.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw EngramError(
                .invalidArgument, "\(what) is empty; set it (\(setting)), such as https://api.openai.com/v1.")
        }
        guard let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw EngramError(
                .invalidArgument,
                "\(what) must be an http:// or https:// URL with a host, such as http://127.0.0.1:11434/v1.")
        }
        guard components.query == nil, components.fragment == nil else {
            throw EngramError(.invalidArgument, "\(what) must not have a query or fragment; give the API root only.")
        }
    }
}
