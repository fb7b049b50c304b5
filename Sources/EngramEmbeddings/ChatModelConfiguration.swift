import EngramCore
import Foundation

/// Where and how to reach an OpenAI-compatible `POST /chat/completions` endpoint (OpenAI, Ollama, vLLM, llama.cpp)
/// for LLM extraction and summarisation. A `Sendable` value with defaults; ``validate()`` says what to fix.
public struct ChatModelConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The API root that `/chat/completions` is appended to, such as `https://api.openai.com/v1`
    /// or `http://127.0.0.1:11434/v1`.
    public var baseURL: String
    /// The provider's model name, such as `gpt-4o-mini` or `qwen2.5:7b-instruct`.
    public var model: String
    /// Sent as `Authorization: Bearer …` when set; local servers usually need none.
    public var apiKey: String?
    /// How long one request may take, from sending to the last byte of the answer.
    public var requestTimeout: Duration = .seconds(30)
    /// How long opening a connection may take.
    public var connectTimeout: Duration = .seconds(10)
    /// How many times a request is retried after a 429, a 5xx or a connection error (0 = never).
    public var maxRetries: Int = 2
    /// The wait before the first retry; it doubles on each further retry, plus up to half again in random jitter.
    public var initialBackoff: Duration = .milliseconds(250)
    /// The longest doubled wait before jitter (a `Retry-After` header in seconds is honoured up to 60 seconds).
    public var maxBackoff: Duration = .seconds(2)
    /// The largest answer accepted, in bytes.
    public var maxResponseBytes: Int = 1 << 20

    /// Creates a configuration; the other settings keep their defaults.
    public init(baseURL: String, model: String, apiKey: String? = nil) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
    }

    /// The settings on one line, with the API key left out.
    public var description: String {
        "ChatModelConfiguration(url: \(chatCompletionsURL), model: \(model), "
            + "apiKey: \(apiKey?.isEmpty == false ? "set" : "none"), timeout: \(requestTimeout), "
            + "maxRetries: \(maxRetries))"
    }

    /// The full `…/chat/completions` address.
    public var chatCompletionsURL: String { ProviderClient.endpoint(baseURL, path: "chat/completions") }

    /// The retry settings, as the HTTP client takes them.
    var retryPolicy: RetryPolicy {
        RetryPolicy(maxRetries: maxRetries, initialBackoff: initialBackoff, maxBackoff: maxBackoff)
    }

    /// Throws `invalid_argument` with what to fix when a setting cannot work.
    public func validate() throws {
        func invalid(_ message: String) -> EngramError { EngramError(.invalidArgument, message) }
        try ProviderClient.validateBaseURL(baseURL, what: "The LLM base URL", setting: "ENGRAM_LLM_BASE_URL")
        guard !model.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw invalid("The LLM model is empty; set it (ENGRAM_LLM_MODEL), such as gpt-4o-mini.")
        }
        guard maxRetries >= 0 else { throw invalid("The LLM retry count must be 0 or more.") }
        guard requestTimeout > .zero, connectTimeout > .zero else {
            throw invalid("The LLM request and connect timeouts must be positive (ENGRAM_LLM_TIMEOUT_SECONDS).")
        }
        guard initialBackoff >= .zero, maxBackoff >= initialBackoff else {
            throw invalid("The LLM backoff must be 0 or more, and the maximum at least the initial backoff.")
        }
        guard maxResponseBytes >= 1024 else { throw invalid("The LLM answer limit must be at least 1024 bytes.") }
    }
}
