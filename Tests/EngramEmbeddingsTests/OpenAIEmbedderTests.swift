import EngramCore
import Testing

@testable import EngramEmbeddings

@Suite struct OpenAIEmbedderTests {
    typealias Server = ScriptedProviderServer

    // MARK: - Requests

    @Test func splitsIntoBatchesAndKeepsInputOrderWhenDataComesBackReversed() async throws {
        try await withServer { server in
            server.enqueue(.embeddings(reversed: true), .embeddings(reversed: true), .embeddings(reversed: true))
            let texts = (0..<5).map { "text number \($0)" }
            let vectors = try await embed(texts, on: server) { $0.batchSize = 2 }
            #expect(server.requests.map(\.inputs) == [Array(texts[0..<2]), Array(texts[2..<4]), [texts[4]]])
            #expect(vectors.count == texts.count)
            for (text, vector) in zip(texts, vectors) {
                expectClose(vector, unit(Server.vector(for: text, dimension: 4)))
            }
        }
    }

    @Test func postsAnOpenAIEmbeddingsBodyToTheEmbeddingsPath() async throws {
        try await withServer { server in
            _ = try await embed(["hello"], on: server) { $0.baseURL += "/" }
            let request = try #require(server.requests.first)
            #expect(request.method == .POST)
            #expect(request.uri == "/v1/embeddings")
            #expect(request.headers.first(name: "Content-Type") == "application/json")
            #expect(request.model == "test-model")
            #expect(request.inputs == ["hello"])
            #expect(request.encodingFormat == "float")
        }
    }

    @Test func sendsTheAPIKeyAsABearerTokenOnlyWhenSet() async throws {
        try await withServer { server in
            _ = try await embed(["a"], on: server) { $0.apiKey = "sk-test" }
            _ = try await embed(["b"], on: server) { $0.apiKey = nil }
            _ = try await embed(["c"], on: server) { $0.apiKey = "" }
            let authorizations = server.requests.map { $0.headers.first(name: "Authorization") }
            #expect(authorizations == ["Bearer sk-test", nil, nil])
        }
    }

    @Test func sendsDimensionsOnlyWhenAsked() async throws {
        try await withServer { server in
            _ = try await embed(["a"], on: server)
            let vectors = try await embed(["b"], on: server) { $0.sendDimensions = true }
            #expect(server.requests.map(\.hasDimensionsField) == [false, true])
            #expect(server.requests.last?.dimensions == 4)
            #expect(vectors.first?.count == 4)
        }
    }

    @Test func emptyInputSendsNoRequest() async throws {
        try await withServer { server in
            let vectors = try await embed([], on: server)
            #expect(vectors.isEmpty)
            #expect(server.requests.isEmpty)
        }
    }

    // MARK: - Responses

    @Test func returnsUnitLengthVectorsEvenWhenTheProviderDoesNot() async throws {
        try await withServer { server in
            let raw = Server.vector(for: "hello", dimension: 4)
            #expect(abs(norm(raw) - 1) > 0.1)
            let vectors = try await embed(["hello", "world", "again"], on: server)
            for vector in vectors { #expect(abs(norm(vector) - 1) < 1e-5) }
        }
    }

    @Test func rejectsVectorsOfTheWrongDimensionWithoutRetrying() async throws {
        try await withServer { server in
            server.enqueue(.embeddings(dimension: 3))
            let error = await embedError(["a", "b"], on: server)
            #expect(error?.code == .embeddingProviderError)
            #expect(error?.message.contains("length 3") == true)
            #expect(error?.message.contains("HTTP 200") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func rejectsTheWrongNumberOfVectors() async throws {
        try await withServer { server in
            server.enqueue(.embeddings(dropLast: true))
            let error = await embedError(["a", "b", "c"], on: server)
            #expect(error?.code == .embeddingProviderError)
            #expect(error?.message.contains("2 embeddings for 3 texts") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func rejectsABodyThatIsNotAnEmbeddingsList() async throws {
        try await withServer { server in
            server.enqueue(.status(200, body: "<html>gateway page</html>"))
            let error = await embedError(["a"], on: server)
            #expect(error?.code == .embeddingProviderError)
            #expect(error?.message.contains("HTTP 200") == true)
            #expect(error?.message.contains("gateway page") == false, "provider bodies stay out of messages")
        }
    }

    // MARK: - Retries

    @Test func retriesA503AndSucceeds() async throws {
        try await withServer { server in
            server.enqueue(.status(503, body: "overloaded"))
            let vectors = try await embed(["a"], on: server)
            #expect(vectors.count == 1)
            #expect(server.requests.count == 2)
        }
    }

    @Test func retriesA429WithRetryAfterZero() async throws {
        try await withServer { server in
            server.enqueue(.status(429, headers: ["Retry-After": "0"], body: #"{"error":"rate limited"}"#))
            let vectors = try await embed(["a"], on: server)
            #expect(vectors.count == 1)
            #expect(server.requests.count == 2)
        }
    }

    @Test func retriesAClosedConnection() async throws {
        try await withServer { server in
            server.enqueue(.disconnect)
            let vectors = try await embed(["a"], on: server)
            #expect(vectors.count == 1)
            #expect(server.requests.count == 2)
        }
    }

    @Test func doesNotRetryABadRequest() async throws {
        try await withServer { server in
            server.enqueue(.status(400, body: #"{"error":{"message":"input is invalid"}}"#))
            let error = await embedError(["a"], on: server)
            #expect(error?.code == .embeddingProviderError)
            #expect(error?.message.contains("HTTP 400") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test(arguments: [401, 403])
    func reportsARefusedKeyAsAnAuthErrorWithoutRetrying(status: Int) async throws {
        try await withServer { server in
            server.enqueue(.status(status, body: #"{"error":"invalid api key"}"#))
            let error = await embedError(["a"], on: server) { $0.apiKey = "sk-wrong" }
            #expect(error?.code == .embeddingProviderAuth)
            #expect(error?.message.contains("API key") == true)
            #expect(error?.message.contains("HTTP \(status)") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func givesUpAfterTheLastRetry() async throws {
        try await withServer { server in
            server.enqueue(.status(503), .status(502), .status(500, body: "still down"))
            let error = await embedError(["a"], on: server) { $0.maxRetries = 2 }
            #expect(error?.code == .embeddingProviderUnavailable)
            #expect(error?.message.contains("3 times") == true)
            #expect(error?.message.contains("HTTP 500") == true)
            #expect(server.requests.count == 3)
        }
    }

    @Test func givesUpWhenNothingListens() async throws {
        let server = try await Server.start()
        let baseURL = server.baseURL
        try await server.close()
        var configuration = Self.configuration(baseURL: baseURL)
        configuration.maxRetries = 1
        let error = await #expect(throws: EngramError.self) {
            try await OpenAIEmbedder.withEmbedder(configuration: configuration) { try await $0.embed(["a"]) }
        }
        #expect(error?.code == .embeddingProviderUnavailable)
        #expect(error?.message.contains("2 times") == true)
    }

    @Test func retryAfterIsReadInSecondsAndCapped() {
        #expect(ProviderClient.retryAfter("0") == .zero)
        #expect(ProviderClient.retryAfter(" 2 ") == .seconds(2))
        #expect(ProviderClient.retryAfter("1.5") == .milliseconds(1500))
        #expect(ProviderClient.retryAfter("3600") == .seconds(60))
        #expect(ProviderClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(ProviderClient.retryAfter("-1") == nil)
        #expect(ProviderClient.retryAfter(nil) == nil)
    }

    @Test func backoffDoublesUpToTheMaximumPlusAtMostHalfInJitter() {
        var configuration = Self.configuration(baseURL: "http://127.0.0.1:1/v1")
        configuration.initialBackoff = .milliseconds(100)
        configuration.maxBackoff = .seconds(1)
        for (retry, base) in [(0, 100), (1, 200), (2, 400), (3, 800), (4, 1000), (40, 1000)] {
            let delay = configuration.retryPolicy.backoff(retry: retry)
            #expect(delay >= .milliseconds(base))
            #expect(delay <= .milliseconds(base) * 1.5)
        }
    }

    // MARK: - Configuration

    /// One way to make a configuration unusable.
    enum UnusableSetting: String, CaseIterable, Sendable {
        case emptyURL, ftpScheme, notAURL, noHost, query, zeroBatch, zeroDimension, blankModel, negativeRetries
        case zeroTimeout

        var configuration: OpenAIEmbedderConfiguration {
            var configuration = OpenAIEmbedderTests.configuration(baseURL: "http://127.0.0.1:1/v1")
            switch self {
            case .emptyURL: configuration.baseURL = ""
            case .ftpScheme: configuration.baseURL = "ftp://example.com/v1"
            case .notAURL: configuration.baseURL = "not a url"
            case .noHost: configuration.baseURL = "http:///v1"
            case .query: configuration.baseURL += "?x=1"
            case .zeroBatch: configuration.batchSize = 0
            case .zeroDimension: configuration.dimension = 0
            case .blankModel: configuration.model = " "
            case .negativeRetries: configuration.maxRetries = -1
            case .zeroTimeout: configuration.requestTimeout = .zero
            }
            return configuration
        }
    }

    @Test(arguments: UnusableSetting.allCases)
    func rejectsAnUnusableConfiguration(setting: UnusableSetting) {
        let error = #expect(throws: EngramError.self) { try OpenAIEmbedder(configuration: setting.configuration) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func environmentWithoutAURLGivesNoEmbedder() throws {
        #expect(try OpenAIEmbedderConfiguration.fromEnvironment([:]) == nil)
        #expect(try OpenAIEmbedderConfiguration.fromEnvironment(["ENGRAM_EMBEDDINGS_URL": " "]) == nil)
        #expect(try OpenAIEmbedder.fromEnvironment(["OPENAI_API_KEY": "sk-x"]) == nil)
    }

    @Test func environmentSetsEverySetting() throws {
        let configuration = try #require(
            try OpenAIEmbedderConfiguration.fromEnvironment([
                "ENGRAM_EMBEDDINGS_URL": "http://127.0.0.1:11434/v1", "ENGRAM_EMBEDDINGS_MODEL": "nomic-embed-text",
                "ENGRAM_EMBEDDINGS_KEY": "sk-engram", "OPENAI_API_KEY": "sk-openai",
                "ENGRAM_EMBEDDINGS_DIMENSIONS": "768", "ENGRAM_EMBEDDINGS_BATCH": "16",
                "ENGRAM_EMBEDDINGS_SEND_DIMENSIONS": "true",
            ]))
        #expect(configuration.baseURL == "http://127.0.0.1:11434/v1")
        #expect(configuration.model == "nomic-embed-text")
        #expect(configuration.apiKey == "sk-engram")
        #expect(configuration.dimension == 768)
        #expect(configuration.batchSize == 16)
        #expect(configuration.sendDimensions)
    }

    @Test func environmentFallsBackToTheOpenAIKeyAndKnownDimensions() throws {
        let configuration = try #require(
            try OpenAIEmbedderConfiguration.fromEnvironment([
                "ENGRAM_EMBEDDINGS_URL": "https://api.openai.com/v1",
                "ENGRAM_EMBEDDINGS_MODEL": "text-embedding-3-small", "OPENAI_API_KEY": "sk-openai",
            ]))
        #expect(configuration.apiKey == "sk-openai")
        #expect(configuration.dimension == 1536)
        #expect(!configuration.sendDimensions)
        #expect(configuration.batchSize == OpenAIEmbedderConfiguration(baseURL: "", model: "", dimension: 1).batchSize)
        // Another provider never receives the OpenAI key.
        let local = try #require(
            try OpenAIEmbedderConfiguration.fromEnvironment([
                "ENGRAM_EMBEDDINGS_URL": "http://127.0.0.1:8080/v1", "ENGRAM_EMBEDDINGS_MODEL": "bge-small",
                "ENGRAM_EMBEDDINGS_DIMENSIONS": "384", "OPENAI_API_KEY": "sk-openai",
            ]))
        #expect(local.apiKey == nil)
    }

    @Test(arguments: [
        ["ENGRAM_EMBEDDINGS_MODEL": ""],
        ["ENGRAM_EMBEDDINGS_DIMENSIONS": ""],
        ["ENGRAM_EMBEDDINGS_DIMENSIONS": "many"],
        ["ENGRAM_EMBEDDINGS_DIMENSIONS": "0"],
        ["ENGRAM_EMBEDDINGS_BATCH": "0"],
        ["ENGRAM_EMBEDDINGS_BATCH": "ten"],
        ["ENGRAM_EMBEDDINGS_SEND_DIMENSIONS": "maybe"],
        ["ENGRAM_EMBEDDINGS_URL": "localhost:11434"],
    ])
    func environmentRejectsMissingOrMalformedValues(override: [String: String]) {
        let environment = [
            "ENGRAM_EMBEDDINGS_URL": "http://127.0.0.1:11434/v1", "ENGRAM_EMBEDDINGS_MODEL": "nomic-embed-text",
            "ENGRAM_EMBEDDINGS_DIMENSIONS": "768",
        ].merging(override) { $1 }
        let error = #expect(throws: EngramError.self) { try OpenAIEmbedderConfiguration.fromEnvironment(environment) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func descriptionLeavesTheAPIKeyOut() {
        var configuration = Self.configuration(baseURL: "http://127.0.0.1:1/v1")
        configuration.apiKey = "sk-secret-value"
        #expect(!"\(configuration)".contains("sk-secret"))
        #expect("\(configuration)".contains("apiKey: set"))
    }

    @Test func shutdownTwiceIsHarmless() async throws {
        let embedder = try OpenAIEmbedder(configuration: Self.configuration(baseURL: "http://127.0.0.1:1/v1"))
        try await embedder.shutdown()
        try await embedder.shutdown()
        #expect(embedder.model == "test-model")
        #expect(embedder.dimension == 4)
    }

    // MARK: - Helpers

    /// A 4-dimensional configuration for `baseURL` with 1 ms backoff, so retries cost no time.
    static func configuration(baseURL: String) -> OpenAIEmbedderConfiguration {
        var configuration = OpenAIEmbedderConfiguration(baseURL: baseURL, model: "test-model", dimension: 4)
        configuration.initialBackoff = .milliseconds(1)
        configuration.maxBackoff = .milliseconds(1)
        return configuration
    }

    func embed(
        _ texts: [String], on server: Server, configure: (inout OpenAIEmbedderConfiguration) -> Void = { _ in }
    ) async throws -> [[Float]] {
        var configuration = Self.configuration(baseURL: server.baseURL)
        configure(&configuration)
        return try await OpenAIEmbedder.withEmbedder(configuration: configuration) { try await $0.embed(texts) }
    }

    func embedError(
        _ texts: [String], on server: Server, configure: (inout OpenAIEmbedderConfiguration) -> Void = { _ in }
    ) async -> EngramError? {
        await #expect(throws: EngramError.self) { _ = try await embed(texts, on: server, configure: configure) }
    }

    func norm(_ vector: [Float]) -> Float { VectorMath.dot(vector, vector).squareRoot() }

    func unit(_ vector: [Float]) -> [Float] {
        var copy = vector
        VectorMath.normalize(&copy)
        return copy
    }

    func expectClose(_ actual: [Float], _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) < 1e-5, sourceLocation: sourceLocation) }
    }
}
