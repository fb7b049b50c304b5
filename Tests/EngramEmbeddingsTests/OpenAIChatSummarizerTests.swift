import EngramCore
import Foundation
import Testing

@testable import EngramEmbeddings

@Suite struct OpenAIChatSummarizerTests {
    static let turns = [
        Turn(
            text: "I went to a support group yesterday.", speaker: "Caroline", listener: "Melanie",
            timestamp: Date(timeIntervalSince1970: 1_683_540_000)),
        Turn(
            text: "That's great! I painted a lake sunrise last year.", speaker: "Melanie", listener: "Caroline",
            timestamp: Date(timeIntervalSince1970: 1_683_540_060), imageCaption: "a painting of a lake"),
    ]
    static let summary = "On 8 May 2023, Caroline told Melanie about a support group; Melanie painted a lake."

    @Test func summarisesTheTranscriptFromTheModelsAnswer() async throws {
        try await withServer { server in
            server.enqueue(
                .chat(
                    #"{"summary": "On 8 May 2023,  Caroline told Melanie about a support group;\n Melanie painted a lake."}"#
                ))
            let summary = try await withClient(server) {
                try await OpenAIChatSummarizer(client: $0).summarize(Self.turns)
            }
            #expect(summary == Self.summary)
            let messages = try #require(server.requests.first?.json["messages"] as? [[String: String]])
            #expect(
                messages.last?["content"]
                    == "[2023-05-08] Caroline: I went to a support group yesterday.\n"
                    + "[2023-05-08] Melanie: That's great! I painted a lake sunrise last year. (image: a painting of a lake)"
            )
        }
    }

    @Test func noTurnsNeedNoRequest() async throws {
        try await withServer { server in
            let summary = try await withClient(server) { try await OpenAIChatSummarizer(client: $0).summarize([]) }
            #expect(summary.isEmpty)
            #expect(server.requests.isEmpty)
        }
    }

    @Test(arguments: [
        #"{"summary": ""}"#, #"{"text": "a summary"}"#, "no JSON here",
        #"{"summary": "\#(String(repeating: "long ", count: 200))"}"#,
    ])
    func anAnswerOutsideTheSchemaFallsBackToTheHeuristic(answer: String) async throws {
        try await withServer { server in
            server.enqueue(.chat(answer))
            try await expectHeuristicFallback(on: server)
        }
    }

    @Test func aServerErrorFallsBackToTheHeuristic() async throws {
        try await withServer { server in
            server.enqueue(.status(500), .status(502), .status(503))
            try await expectHeuristicFallback(on: server)
            #expect(server.requests.count == 3)
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

    @Test func aTranscriptTooLongIsRefusedBeforeAnyRequest() async throws {
        try await withServer { server in
            let error = await #expect(throws: EngramError.self) {
                try await withClient(server) {
                    try await OpenAIChatSummarizer(client: $0, maxTranscriptLength: 50).summarize(Self.turns)
                }
            }
            #expect(error?.code == .invalidArgument)
            #expect(server.requests.isEmpty)
        }
    }

    func expectHeuristicFallback(
        on server: ScriptedProviderServer, configure: (inout ChatModelConfiguration) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let summary = try await withClient(server, configure: configure) {
            try await FallbackSummarizer(primary: OpenAIChatSummarizer(client: $0), fallback: HeuristicSummarizer())
                .summarize(Self.turns)
        }
        let heuristic = HeuristicSummarizer().summarizeSync(Self.turns)
        #expect(!heuristic.isEmpty, sourceLocation: sourceLocation)
        #expect(summary == heuristic, sourceLocation: sourceLocation)
        #expect(server.requests.count >= 1, sourceLocation: sourceLocation)
    }
}
