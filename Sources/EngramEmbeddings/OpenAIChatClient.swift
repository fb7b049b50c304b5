import AsyncHTTPClient
import EngramCore
import Foundation
import Logging

extension EngramError.Code {
    /// The language model answered with an error, or with an answer that breaks the schema it was asked for.
    public static let llmProviderError = Self(rawValue: "llm_provider_error")
    /// The language model provider rejected the API key (HTTP 401 or 403).
    public static let llmProviderAuth = Self(rawValue: "llm_provider_auth")
    /// The language model provider could not be reached, or stayed busy (429, 5xx), through every retry.
    public static let llmProviderUnavailable = Self(rawValue: "llm_provider_unavailable")
}

/// Asks an OpenAI-compatible `POST {baseURL}/chat/completions` endpoint for one JSON object: `temperature` 0,
/// `response_format` `json_object`; 429, 5xx and connection errors are retried with backoff.
///
/// Shared by ``OpenAIChatExtractor`` and ``OpenAIChatSummarizer``. A client made with
/// ``init(configuration:logger:)`` owns its `HTTPClient`: call ``shutdown()`` before releasing it.
public final class OpenAIChatClient: Sendable {
    /// The settings this client was made with.
    public let configuration: ChatModelConfiguration
    private let provider: ProviderClient

    /// A client with its own `HTTPClient`; call ``shutdown()`` when done. Throws `invalid_argument` when the
    /// configuration cannot work.
    public init(configuration: ChatModelConfiguration, logger: Logger = Logger(label: "engram.llm")) throws {
        try configuration.validate()
        self.configuration = configuration
        self.provider = ProviderClient(
            connectTimeout: configuration.connectTimeout, wording: Self.wording, logger: logger)
    }

    /// A client on an `HTTPClient` the caller owns and shuts down.
    public init(
        configuration: ChatModelConfiguration, httpClient: HTTPClient, logger: Logger = Logger(label: "engram.llm")
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.provider = ProviderClient(httpClient: httpClient, wording: Self.wording, logger: logger)
    }

    static let wording = ProviderWording(
        name: "language model provider", errorCode: .llmProviderError, authCode: .llmProviderAuth,
        unavailableCode: .llmProviderUnavailable, keySetting: "ENGRAM_LLM_API_KEY",
        rejectedAdvice: "check the model name and that the model supports JSON answers (response_format json_object)",
        tooLargeAdvice: "check that the URL is a chat completions API")

    /// Shuts down the client's own `HTTPClient`; an injected one is left to its owner. Safe to call twice.
    public func shutdown() async throws {
        try await provider.shutdown()
    }

    /// The model's answer to `user` under the instructions `system`, decoded as `Answer` from the JSON object the
    /// model wrote. Throws `llm_provider_error` naming the offending field (never its value) when the answer is no
    /// such object.
    func answer<Answer: Decodable>(_ type: Answer.Type, system: String, user: String) async throws -> Answer {
        let content = try await complete(system: system, user: user)
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(content.utf8))
        } catch let error as EngramError {
            throw error
        } catch let error as DecodingError {
            throw Self.schemaError(Self.problem(error))
        } catch {
            throw Self.schemaError("it is not JSON")
        }
    }

    /// `llm_provider_error` for an answer that breaks the schema; `problem` names a field, never a value.
    static func schemaError(_ problem: String) -> EngramError {
        EngramError(
            .llmProviderError,
            "The language model's answer does not follow the requested JSON schema (\(problem)); use a model that follows JSON instructions, or unset ENGRAM_LLM_BASE_URL to use the built-in heuristics."
        )
    }

    /// The message content of the first choice.
    private func complete(system: String, user: String) async throws -> String {
        struct Message: Codable {
            var role: String
            var content: String?
        }
        struct Body: Encodable {
            struct Format: Encodable { var type = "json_object" }
            var model: String
            var messages: [Message]
            var temperature = 0
            var responseFormat = Format()
            enum CodingKeys: String, CodingKey {
                case model, messages, temperature
                case responseFormat = "response_format"
            }
        }
        struct Response: Decodable {
            struct Choice: Decodable { var message: Message }
            var choices: [Choice]
        }
        let body = Body(
            model: configuration.model,
            messages: [Message(role: "system", content: system), Message(role: "user", content: user)])
        let answer = try await provider.post(
            try JSONEncoder().encode(body), to: configuration.chatCompletionsURL, apiKey: configuration.apiKey,
            timeout: configuration.requestTimeout, retry: configuration.retryPolicy,
            maxResponseBytes: configuration.maxResponseBytes)
        guard let response = try? JSONDecoder().decode(Response.self, from: answer.body),
            let content = response.choices.first?.message.content
        else {
            throw EngramError(
                .llmProviderError,
                "The language model provider's response is not a chat completion with a message (\(provider.summary(answer.status, answer.body))); check that the URL is an OpenAI-compatible API root."
            )
        }
        return content
    }

    /// Where a decoding error happened and what kind it is: "facts[2].confidence: wrong type".
    static func problem(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "the answer" : text)
        }
        switch error {
        case .typeMismatch(_, let context): return "\(path(context.codingPath)): wrong type"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)): null"
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "it is not a JSON object" : "\(path(context.codingPath)): invalid"
        @unknown default: return "it cannot be read"
        }
    }
}
