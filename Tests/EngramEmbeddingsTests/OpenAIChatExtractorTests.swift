import EngramCore
import Foundation
import Testing

@testable import EngramEmbeddings

@Suite struct OpenAIChatExtractorTests {
    typealias Server = ScriptedProviderServer

    /// Caroline's turn of 8 May 2023 to Melanie.
    static let turn = Turn(
        text: "I went to an LGBTQ support group yesterday in NYC and it was so powerful! My sister Anna came too.",
        speaker: "Caroline", listener: "Melanie", timestamp: Date(timeIntervalSince1970: 1_683_540_000))

    /// A valid answer about ``turn``.
    static let answer = """
        {"facts": [
          {"type": "event", "content": "Caroline went to an LGBTQ support group in New York City on 2023-05-07.",
           "subject": "Caroline", "predicate": "went_to", "value": "LGBTQ support group", "confidence": 0.9,
           "occurred_on": "2023-05-07"},
          {"type": "relationship", "content": "Anna is Caroline's sister.", "subject": "Caroline",
           "predicate": "sister", "value": "Anna", "confidence": 1, "occurred_on": null}],
         "entities": [{"name": "Caroline", "kind": "person"}, {"name": "The New-York City!", "kind": "place"},
           {"name": "NYC", "kind": "place"}, {"name": "Anna", "kind": "person"}],
         "keywords": ["Support Group", "LGBTQ", "sister"]}
        """

    // MARK: - A valid answer

    @Test func aValidAnswerBecomesFactsAndEntitiesWithNormalisedKeys() async throws {
        try await withServer { server in
            server.enqueue(.chat(Self.answer))
            let extraction = try await withClient(server) {
                try await OpenAIChatExtractor(client: $0).extract(Self.turn)
            }
            #expect(extraction.facts.map(\.type) == [.event, .relationship])
            let event = try #require(extraction.facts.first)
            #expect(event.content == "Caroline went to an LGBTQ support group in New York City on 2023-05-07.")
            #expect(event.subject == "Caroline")
            #expect(event.predicate == "went_to")
            #expect(event.value == "LGBTQ support group")
            #expect(event.confidence == 0.9)
            #expect(event.occurredAt == CalendarUTC.date(iso: "2023-05-07"))
            #expect(event.entityKeys == ["caroline", "new york city"])
            #expect(event.keywords == KeywordExtractor.keywords(in: event.content))
            #expect(extraction.facts.last?.entityKeys == ["caroline", "anna"])
            #expect(extraction.facts.last?.occurredAt == nil)
            // "The New-York City!" and "NYC" are one entity, keyed as the heuristic keys it.
            #expect(extraction.entities.map(\.key) == ["caroline", "new york city", "anna"])
            #expect(extraction.entities[1] == EntityName.entity("The New-York City!", kind: .place))
            #expect(extraction.entities[1].aliases.contains("nyc"))
            #expect(extraction.keywords == ["support group", "lgbtq", "sister"])
        }
    }

    @Test func emotionSectorAndCuesComeFromTheHeuristic() async throws {
        try await withServer { server in
            server.enqueue(.chat(Self.answer))
            let extraction = try await withClient(server) {
                try await OpenAIChatExtractor(client: $0).extract(Self.turn)
            }
            let heuristic = HeuristicExtractor().extractSync(Self.turn)
            #expect(extraction.emotion == heuristic.emotion)
            #expect(extraction.emotion != nil)
            #expect(extraction.sectorEvidence == heuristic.sectorEvidence)
            #expect(extraction.cues == heuristic.cues)
        }
    }

    @Test func postsAJSONChatCompletionWithTheTurnAndABearerKey() async throws {
        try await withServer { server in
            server.enqueue(.chat(Self.answer))
            _ = try await withClient(server, configure: { $0.apiKey = "sk-llm" }) {
                try await OpenAIChatExtractor(client: $0).extract(Self.turn)
            }
            let request = try #require(server.requests.first)
            #expect(request.method == .POST)
            #expect(request.uri == "/v1/chat/completions")
            #expect(request.headers.first(name: "Authorization") == "Bearer sk-llm")
            #expect(request.model == "test-chat")
            #expect(request.json["temperature"] as? Int == 0)
            #expect((request.json["response_format"] as? [String: String]) == ["type": "json_object"])
            let messages = try #require(request.json["messages"] as? [[String: String]])
            #expect(messages.map { $0["role"] } == ["system", "user"])
            #expect(messages.first?["content"]?.contains("\"occurred_on\"") == true)
            let prompt = try #require(messages.last?["content"])
            #expect(prompt.contains("Speaker: Caroline"))
            #expect(prompt.contains("Listener: Melanie"))
            #expect(prompt.contains("Date: 2023-05-08"))
            #expect(prompt.contains(Self.turn.text))
        }
    }

    @Test func sendsNoAuthorizationWithoutAKey() async throws {
        try await withServer { server in
            server.enqueue(.chat(Self.answer))
            _ = try await withClient(server) { try await OpenAIChatExtractor(client: $0).extract(Self.turn) }
            #expect(server.requests.first?.headers.first(name: "Authorization") == nil)
        }
    }

    // MARK: - Schema violations

    /// Answers that break the schema, and the field the error names.
    static let violations: [(answer: String, field: String)] = [
        ("I cannot answer in JSON, sorry.", "not a JSON object"),
        (#"{"entities": [], "keywords": []}"#, "facts: missing"),
        (
            #"{"facts": [{"type": "rumour", "content": "x", "confidence": 0.5}], "entities": [], "keywords": []}"#,
            "facts[0].type"
        ),
        (
            #"{"facts": [{"type": "fact", "content": "x", "confidence": 1.5}], "entities": [], "keywords": []}"#,
            "facts[0].confidence"
        ),
        (
            #"{"facts": [{"type": "fact", "content": "x", "confidence": "high"}], "entities": [], "keywords": []}"#,
            "facts[0].confidence: wrong type"
        ),
        (
            #"{"facts": [{"type": "fact", "content": "x", "confidence": 1, "occurred_on": "7 May 2023"}], "entities": [], "keywords": []}"#,
            "facts[0].occurred_on"
        ),
        (
            #"{"facts": [{"type": "fact", "content": "x", "confidence": 1, "occurred_on": "2023-02-30"}], "entities": [], "keywords": []}"#,
            "facts[0].occurred_on"
        ),
        (
            #"{"facts": [{"type": "fact", "content": "  ", "confidence": 1}], "entities": [], "keywords": []}"#,
            "facts[0].content: empty"
        ),
        (
            #"{"facts": [{"type": "fact", "content": "x", "predicate": "lives-in!", "confidence": 1}], "entities": [], "keywords": []}"#,
            "facts[0].predicate"
        ),
        (#"{"facts": [], "entities": [{"name": "Anna", "kind": "pet"}], "keywords": []}"#, "entities[0].kind"),
        (#"{"facts": [], "entities": [], "keywords": [7]}"#, "keywords[0]: wrong type"),
        (#"{"facts": [], "entities": [], "keywords": ["\#(String(repeating: "a", count: 65))"]}"#, "keywords[0]"),
        (
            #"{"facts": [\#(Array(repeating: #"{"type": "fact", "content": "x", "confidence": 1}"#, count: 21).joined(separator: ","))], "entities": [], "keywords": []}"#,
            "facts: more than 20"
        ),
    ]

    @Test(arguments: 0..<violations.count)
    func anAnswerOutsideTheSchemaIsAnErrorNamingTheField(index: Int) async throws {
        let (answer, field) = Self.violations[index]
        try await withServer { server in
            server.enqueue(.chat(answer))
            let error = await #expect(throws: EngramError.self) {
                try await withClient(server) { try await OpenAIChatExtractor(client: $0).extract(Self.turn) }
            }
            #expect(error?.code == .llmProviderError)
            #expect(error?.message.contains(field) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("sorry") == false, "answers stay out of messages")
            #expect(server.requests.count == 1, "a schema violation is not retried")
        }
    }

    // MARK: - Fallback to the heuristic

    @Test(arguments: 0..<violations.count)
    func anAnswerOutsideTheSchemaFallsBackToTheHeuristic(index: Int) async throws {
        try await withServer { server in
            server.enqueue(.chat(Self.violations[index].answer))
            try await expectHeuristicFallback(on: server)
        }
    }

    @Test func aServerErrorFallsBackToTheHeuristic() async throws {
        try await withServer { server in
            server.enqueue(.status(500, body: "boom"), .status(500), .status(500))
            try await expectHeuristicFallback(on: server)
            #expect(server.requests.count == 3, "the first attempt and two retries")
        }
    }

    @Test func aServerThatNeverAnswersFallsBackToTheHeuristic() async throws {
        try await withServer { server in
            server.enqueue(.hang)
            try await expectHeuristicFallback(on: server) {
                $0.requestTimeout = .milliseconds(200)
                $0.maxRetries = 0
            }
        }
    }

    @Test func aRefusedKeyFallsBackToTheHeuristic() async throws {
        try await withServer { server in
            server.enqueue(.status(401, body: #"{"error":"bad key"}"#))
            try await expectHeuristicFallback(on: server)
            #expect(server.requests.count == 1)
        }
    }

    @Test func retriesA503ThenSucceeds() async throws {
        try await withServer { server in
            server.enqueue(.status(503, body: "overloaded"), .chat(Self.answer))
            let extraction = try await withClient(server) {
                try await FallbackExtractor(primary: OpenAIChatExtractor(client: $0), fallback: HeuristicExtractor())
                    .extract(Self.turn)
            }
            #expect(server.requests.count == 2)
            #expect(extraction.facts.map(\.predicate) == ["went_to", "sister"])
        }
    }

    @Test func cancellationIsPassedOnNotFallenBackFrom() async throws {
        let extractor = FallbackExtractor(primary: Cancelled(), fallback: HeuristicExtractor())
        await #expect(throws: CancellationError.self) { try await extractor.extract(Self.turn) }
    }

    // MARK: - Configuration

    @Test func descriptionLeavesTheAPIKeyOut() {
        var configuration = ChatModelConfiguration(baseURL: "http://127.0.0.1:1/v1/", model: "m", apiKey: "sk-secret")
        #expect(!"\(configuration)".contains("sk-secret"))
        #expect(configuration.chatCompletionsURL == "http://127.0.0.1:1/v1/chat/completions")
        configuration.baseURL = "localhost:11434"
        let error = #expect(throws: EngramError.self) { try configuration.validate() }
        #expect(error?.code == .invalidArgument)
    }

    // MARK: - Helpers

    /// An extractor that is always cancelled.
    struct Cancelled: FactExtractor {
        func extract(_ turn: Turn) async throws -> TurnExtraction { throw CancellationError() }
    }

    func expectHeuristicFallback(
        on server: Server, configure: (inout ChatModelConfiguration) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let extraction = try await withClient(server, configure: configure) {
            try await FallbackExtractor(primary: OpenAIChatExtractor(client: $0), fallback: HeuristicExtractor())
                .extract(Self.turn)
        }
        let heuristic = HeuristicExtractor().extractSync(Self.turn)
        #expect(!heuristic.facts.isEmpty, sourceLocation: sourceLocation)
        #expect(extraction.facts == heuristic.facts, sourceLocation: sourceLocation)
        #expect(extraction == heuristic, sourceLocation: sourceLocation)
    }
}

/// A chat configuration for `server` with 1 ms backoff, so retries cost no time.
func chatConfiguration(_ server: ScriptedProviderServer) -> ChatModelConfiguration {
    var configuration = ChatModelConfiguration(baseURL: server.baseURL, model: "test-chat")
    configuration.initialBackoff = .milliseconds(1)
    configuration.maxBackoff = .milliseconds(1)
    return configuration
}

/// Runs `body` with a chat client on `server`, shut down afterwards.
func withClient<Value>(
    _ server: ScriptedProviderServer, configure: (inout ChatModelConfiguration) -> Void = { _ in },
    isolation: isolated (any Actor)? = #isolation, _ body: (OpenAIChatClient) async throws -> Value
) async throws -> Value {
    var configuration = chatConfiguration(server)
    configure(&configuration)
    let client = try OpenAIChatClient(configuration: configuration)
    do {
        let value = try await body(client)
        try await client.shutdown()
        return value
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// Runs `body` with a fresh scripted server, closed afterwards.
func withServer(_ body: (ScriptedProviderServer) async throws -> Void) async throws {
    let server = try await ScriptedProviderServer.start()
    do {
        try await body(server)
    } catch {
        try await server.close()
        throw error
    }
    try await server.close()
}
