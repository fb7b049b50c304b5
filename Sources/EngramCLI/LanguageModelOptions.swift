import ArgumentParser
import Configuration
import EngramCore
import EngramEmbeddings
import Logging

/// Optional LLM extraction and summarisation over an OpenAI-compatible chat completions API: off unless a base URL
/// and a model are given (`--llm-base-url`, `--llm-model`, else `ENGRAM_LLM_BASE_URL`, `ENGRAM_LLM_MODEL`, else, for
/// `engram serve`, the `--config` keys `llm.baseURL` and `llm.model`).
struct LanguageModelOptions: ParsableArguments {
    @Option(
        name: .customLong("llm-base-url"),
        help: ArgumentHelp(
            "An OpenAI-compatible API root for LLM extraction and summaries, such as http://127.0.0.1:11434/v1 (default: $ENGRAM_LLM_BASE_URL; unset: heuristics only).",
            valueName: "url"))
    var baseURL: String?

    @Option(
        name: .customLong("llm-model"),
        help: ArgumentHelp("The chat model's name (default: $ENGRAM_LLM_MODEL).", valueName: "name"))
    var model: String?

    @Option(
        name: .customLong("llm-api-key"),
        help: ArgumentHelp("Sent as a bearer token (default: $ENGRAM_LLM_API_KEY).", valueName: "key"))
    var apiKey: String?

    @Option(
        name: .customLong("llm-timeout"),
        help: ArgumentHelp(
            "Seconds one LLM request may take before the heuristics serve instead (default: $ENGRAM_LLM_TIMEOUT_SECONDS, else 30).",
            valueName: "seconds"))
    var timeout: Double?

    /// The options as configuration values, for the first provider of a reader.
    var configValues: [AbsoluteConfigKey: ConfigValue] {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        if let baseURL { values[Self.baseURLKey] = .init(.string(baseURL), isSecret: false) }
        if let model { values[Self.modelKey] = .init(.string(model), isSecret: false) }
        if let apiKey { values[Self.apiKeyKey] = .init(.string(apiKey), isSecret: true) }
        if let timeout { values[Self.timeoutKey] = .init(.double(timeout), isSecret: false) }
        return values
    }

    static let baseURLKey: AbsoluteConfigKey = "llm.baseURL"
    static let modelKey: AbsoluteConfigKey = "llm.model"
    static let apiKeyKey: AbsoluteConfigKey = "llm.apiKey"
    static let timeoutKey: AbsoluteConfigKey = "llm.timeoutSeconds"

    /// The chat model from these options, else `ENGRAM_LLM_*`; `nil` when no base URL is set.
    func configuration() throws -> ChatModelConfiguration? {
        try Self.configuration(
            from: ConfigReader(providers: [
                InMemoryProvider(name: "options", values: configValues),
                EnvironmentVariablesProvider().prefixKeys(with: "engram"),
            ]))
    }

    /// The chat model the `llm.*` keys of `reader` describe; `nil` when no base URL is set. Throws when the model
    /// is missing or a value is malformed.
    static func configuration(from reader: ConfigReader) throws -> ChatModelConfiguration? {
        func nonEmpty(_ key: AbsoluteConfigKey, secret: Bool = false) -> String? {
            reader.string(forKey: ConfigKey(key.components), isSecret: secret).flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let baseURL = nonEmpty(baseURLKey) else { return nil }
        guard let model = nonEmpty(modelKey) else {
            throw ValidationError(
                "An LLM base URL is set but no model; pass --llm-model or set ENGRAM_LLM_MODEL (llm.model).")
        }
        var configuration = ChatModelConfiguration(
            baseURL: baseURL, model: model, apiKey: nonEmpty(apiKeyKey, secret: true))
        let timeoutKey = ConfigKey(timeoutKey.components)
        if let seconds = reader.double(forKey: timeoutKey) {
            guard seconds.isFinite, seconds > 0 else {
                throw ValidationError("--llm-timeout (llm.timeoutSeconds) must be a positive number of seconds.")
            }
            configuration.requestTimeout = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        } else if nonEmpty(Self.timeoutKey) != nil {
            throw ValidationError("--llm-timeout (llm.timeoutSeconds) must be a positive number of seconds.")
        }
        try configuration.validate()
        return configuration
    }

    /// The extractor and summarizer of a service: the LLM ones, falling back to the heuristics, when `configuration`
    /// is set; the heuristics alone otherwise.
    static func formation(_ configuration: ChatModelConfiguration?, logger: Logger) throws -> FormationModels {
        guard let configuration else {
            return FormationModels(extractor: HeuristicExtractor(), summarizer: HeuristicSummarizer(), client: nil)
        }
        let client = try OpenAIChatClient(configuration: configuration, logger: logger)
        return FormationModels(
            extractor: FallbackExtractor(
                primary: OpenAIChatExtractor(client: client), fallback: HeuristicExtractor(), logger: logger),
            summarizer: FallbackSummarizer(
                primary: OpenAIChatSummarizer(client: client), fallback: HeuristicSummarizer(), logger: logger),
            client: client)
    }
}

/// What a service forms memories with, and the LLM client to shut down at the end.
struct FormationModels: Sendable {
    var extractor: any FactExtractor
    var summarizer: any EpisodeSummarizer
    var client: OpenAIChatClient?

    /// Shuts down what needs it.
    func shutdown() async {
        try? await client?.shutdown()
    }
}
