import EngramCore
import Foundation
import Logging
import MCP
import Testing

@testable import EngramMCP
@testable import EngramTestSupport

/// A transport that delivers a script of messages, ends its input at once and keeps what the server sends: a client
/// piping requests into `engram mcp` and closing its input.
actor ScriptedTransport: Transport {
    nonisolated let logger = quietMCPLogger
    private let script: [Data]
    private(set) var sent: [Value] = []

    init(_ script: [Value]) throws {
        self.script = try script.map { try JSONEncoder().encode($0) }
    }

    func connect() async throws {}
    func disconnect() async {}

    func send(_ data: Data) async throws {
        sent.append(try JSONDecoder().decode(Value.self, from: data))
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        let script = script
        return AsyncThrowingStream { continuation in
            for message in script { continuation.yield(message) }
            continuation.finish()
        }
    }
}

@Suite struct ServeTests {
    /// What a client sends first: `initialize` (id 0), then `notifications/initialized`.
    static let handshake: [Value] = [
        [
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": [
                "protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "pipe", "version": "1"],
            ],
        ],
        ["jsonrpc": "2.0", "method": "notifications/initialized"],
    ]

    @Test func everyRequestIsAnsweredBeforeServingEnds() async throws {
        let store = try makeStore(.sqlite)
        _ = try await store.createUser(UserDraft(id: "alice"))
        var script = Self.handshake
        for index in 1...5 {
            script.append([
                "jsonrpc": "2.0", "id": .int(index), "method": "tools/call",
                "params": ["name": "remember", "arguments": ["content": .string("Piped fact number \(index)")]],
            ])
        }
        script.append(["jsonrpc": "2.0", "id": "stats", "method": "tools/call", "params": ["name": "stats"]])
        let transport = try ScriptedTransport(script)
        try await EngramMCPServer(service: store, userID: "alice", logger: quietMCPLogger).serve(over: transport)

        let answered = Set(await transport.sent.compactMap { $0.at("id") })
        #expect(answered == [0, 1, 2, 3, 4, 5, "stats"])
        #expect(try await store.statistics(userID: "alice").memories == 5)
    }

    /// Parameters of the wrong shape are the client's mistake: -32602 invalid params (the SDK alone answered -32603
    /// internal error), and nothing is done; the requests around them are answered as usual.
    @Test func requestsWithParametersOfTheWrongShapeGetInvalidParams() async throws {
        let store = try makeStore(.sqlite)
        _ = try await store.createUser(UserDraft(id: "alice"))
        let script =
            Self.handshake + [
                ["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": "remember"],
                ["jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ["name": 5]],
                [
                    "jsonrpc": "2.0", "id": 3, "method": "tools/call",
                    "params": ["name": "remember", "arguments": ["a list, not an object"]],
                ],
                ["jsonrpc": "2.0", "id": 4, "method": "resources/read", "params": ["uri": ["not", "a", "string"]]],
                [
                    "jsonrpc": "2.0", "id": 5, "method": "tools/call",
                    "params": ["name": "remember", "arguments": ["content": "Kept: the well-formed call"]],
                ],
            ]
        let transport = try ScriptedTransport(script)
        try await EngramMCPServer(service: store, userID: "alice", logger: quietMCPLogger).serve(over: transport)

        let sent = await transport.sent
        for id in 1...4 {
            let answer = try #require(sent.first { $0.at("id") == .int(id) }, "request \(id) got no answer")
            #expect(answer.at("error", "code") == -32602, "request \(id): \(answer)")
        }
        let kept = try #require(sent.first { $0.at("id") == 5 })
        #expect(kept.at("error") == nil)
        #expect(try await store.statistics(userID: "alice").memories == 1)
    }

    @Test func requestIDsAreReadFromMessagesAndBatches() throws {
        let batch = try JSONEncoder().encode(
            [
                ["jsonrpc": "2.0", "id": 1, "method": "tools/list"],
                ["jsonrpc": "2.0", "id": "a", "method": "ping"],
                [
                    "jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": 7],
                ],
            ] as Value)
        let traffic = JSONRPCID.traffic(in: batch)
        #expect(traffic.requests == [.number(1), .string("a")])
        #expect(traffic.cancelled == [.number(7)])
        let response = try JSONEncoder().encode(["jsonrpc": "2.0", "id": 1, "result": [:]] as Value)
        #expect(JSONRPCID.answered(by: response) == [.number(1)])
        #expect(JSONRPCID.traffic(in: response).requests.isEmpty)
    }

    @Test func argumentsThatLookLikeDataURLsReachTheToolsAsSent() throws {
        for text in [
            "data:text/plain,kept", "data: backups run nightly, at 2am", "\u{F8FF}data:,x", "\u{F8FF}", "plain",
        ] {
            let message = try JSONEncoder().encode(
                [
                    "jsonrpc": "2.0", "id": 1, "method": "tools/call",
                    "params": ["name": "remember", "arguments": ["content": .string(text), "tags": [.string(text)]]],
                ] as Value)
            // What the SDK's server decodes.
            let decoded = try JSONDecoder().decode(Value.self, from: DataURLShield.shieldArguments(in: message))
            let arguments = try ToolArguments(
                decoded.at("params", "arguments")?.objectValue, accepted: ["content", "tags"])
            #expect(try arguments.string("content") == text)
            #expect(try arguments.strings("tags") == [text])
        }
        let plain = try JSONEncoder().encode(["jsonrpc": "2.0", "id": 1, "method": "tools/list"] as Value)
        #expect(DataURLShield.shieldArguments(in: plain) == plain)
    }
}
