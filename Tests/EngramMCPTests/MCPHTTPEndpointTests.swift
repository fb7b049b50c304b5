import EngramCore
import Foundation
import MCP
import Testing

@testable import EngramMCP
@testable import EngramTestSupport

/// Streamable HTTP through ``MCPHTTPEndpoint``, driven with raw JSON-RPC requests as an HTTP layer would pass them.
@Suite struct MCPHTTPEndpointTests {
    /// What came back: the status, the headers and the JSON-RPC messages of the body (SSE events or JSON).
    struct Exchange {
        var status: Int
        var headers: [String: String]
        var messages: [Value]

        var sessionID: String? { headers[HTTPHeaderName.sessionID] }
        /// The `result` of the one response.
        var result: Value? { messages.last?.at("result") }
    }

    /// An endpoint on a new store with users alice and bob.
    static func endpoint(
        configuration: MCPHTTPEndpoint.Configuration = .init(), clock: ManualClock = ManualClock()
    ) async throws -> MCPHTTPEndpoint {
        let store = try makeStore(.sqlite)
        for user in ["alice", "bob"] { _ = try await store.createUser(UserDraft(id: user)) }
        return MCPHTTPEndpoint(service: store, configuration: configuration, clock: clock, logger: quietMCPLogger)
    }

    /// Sends one request for `user` and reads the whole response.
    static func send(
        _ endpoint: MCPHTTPEndpoint, user: String, method: String = "POST", session: String? = nil,
        _ body: Value? = nil
    ) async throws -> Exchange {
        var headers = ["Accept": "application/json, text/event-stream", "Content-Type": "application/json"]
        if let session {
            headers["Mcp-Session-Id"] = session
            headers["Mcp-Protocol-Version"] = "2025-11-25"
        }
        let request = MCP.HTTPRequest(
            method: method, headers: headers, body: try body.map { try JSONEncoder().encode($0) }, path: "/mcp")
        let response = await endpoint.handle(request, userID: user)
        var data = response.bodyData ?? Data()
        var messages: [Value] = []
        if case .stream(let stream, _) = response {
            for try await chunk in stream { data.append(chunk) }
            // SSE: the JSON-RPC messages are the `data:` lines; an empty one primes the client for resuming.
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("data: ") {
                let json = line.dropFirst(6)
                if !json.isEmpty { messages.append(try Self.decode(Data(json.utf8))) }
            }
        } else if !data.isEmpty {
            messages.append(try Self.decode(data))
        }
        return Exchange(status: response.statusCode, headers: response.headers, messages: messages)
    }

    /// JSON as sent: through Engram's JSON value (the SDK's decoder reads strings that look like data URLs as data).
    static func decode(_ data: Data) throws -> Value {
        Value(engram: try JSONDecoder().decode(JSONValue.self, from: data))
    }

    /// Initializes a session for `user` and returns its id.
    static func initialize(_ endpoint: MCPHTTPEndpoint, user: String) async throws -> String {
        let initialized = try await send(
            endpoint, user: user,
            [
                "jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": [
                    "protocolVersion": "2025-11-25", "capabilities": [:],
                    "clientInfo": ["name": "engram-tests", "version": "1"],
                ],
            ])
        #expect(initialized.status == 200)
        #expect(initialized.result?.at("serverInfo", "name") == "engram")
        let session = try #require(initialized.sessionID)
        let notified = try await send(
            endpoint, user: user, session: session, ["jsonrpc": "2.0", "method": "notifications/initialized"])
        #expect(notified.status == 202)
        return session
    }

    /// Calls a tool in a session and returns the call's result.
    static func call(
        _ endpoint: MCPHTTPEndpoint, user: String, session: String, _ tool: String, _ arguments: [String: Value]
    ) async throws -> Exchange {
        try await send(
            endpoint, user: user, session: session,
            [
                "jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": ["name": .string(tool), "arguments": .object(arguments)],
            ])
    }

    static let listTools: Value = ["jsonrpc": "2.0", "id": 3, "method": "tools/list"]

    @Test func aSessionBelongsToTheUserWhoStartedIt() async throws {
        let endpoint = try await Self.endpoint()
        let session = try await Self.initialize(endpoint, user: "alice")
        #expect(await endpoint.sessionCount == 1)

        #expect(try await Self.send(endpoint, user: "bob", session: session, Self.listTools).status == 404)
        #expect(try await Self.send(endpoint, user: "bob", method: "DELETE", session: session).status == 404)
        #expect(try await Self.send(endpoint, user: "bob", session: "no-such-session", Self.listTools).status == 404)

        let listed = try await Self.send(endpoint, user: "alice", session: session, Self.listTools)
        #expect(listed.status == 200)
        #expect(listed.result?.at("tools")?.arrayValue?.count == MemoryTool.allCases.count)
        await endpoint.shutdown()
    }

    @Test func eachUserRecallsOnlyTheirOwnMemory() async throws {
        let endpoint = try await Self.endpoint()
        let alice = try await Self.initialize(endpoint, user: "alice")
        let bob = try await Self.initialize(endpoint, user: "bob")
        let remembered = try await Self.call(
            endpoint, user: "alice", session: alice, "remember", ["content": "Alice's locker code is 4521"])
        #expect(remembered.result?.at("isError") == false)

        let bobs = try await Self.call(endpoint, user: "bob", session: bob, "recall", ["query": "locker code"])
        #expect(bobs.result?.at("structuredContent", "results")?.arrayValue?.isEmpty == true)
        let alices = try await Self.call(endpoint, user: "alice", session: alice, "recall", ["query": "locker code"])
        #expect(alices.result?.at("structuredContent", "results")?.arrayValue?.count == 1)
        await endpoint.shutdown()
    }

    @Test func textThatLooksLikeADataURLIsStoredAsSent() async throws {
        let endpoint = try await Self.endpoint()
        let session = try await Self.initialize(endpoint, user: "alice")
        let text = "data: backups run nightly, at 2am"
        let remembered = try await Self.call(
            endpoint, user: "alice", session: session, "remember",
            [
                "content": .string(text), "entity_system": "ops", "entity_id": "backup",
                "entity_data": ["note": .string(text)],
            ])
        #expect(remembered.result?.at("structuredContent", "memory", "content") == .string(text))
        #expect(remembered.result?.at("structuredContent", "memory", "entityData", "note") == .string(text))
        await endpoint.shutdown()
    }

    @Test func deleteEndsTheSession() async throws {
        let endpoint = try await Self.endpoint()
        let session = try await Self.initialize(endpoint, user: "alice")
        #expect(try await Self.send(endpoint, user: "alice", method: "DELETE", session: session).status == 200)
        #expect(await endpoint.sessionCount == 0)
        #expect(try await Self.send(endpoint, user: "alice", session: session, Self.listTools).status == 404)
    }

    @Test func requestsOutsideASessionMustInitialize() async throws {
        let endpoint = try await Self.endpoint()
        #expect(try await Self.send(endpoint, user: "alice", Self.listTools).status == 400)
        #expect(try await Self.send(endpoint, user: "alice", method: "GET").status == 400)
        #expect(await endpoint.sessionCount == 0)
    }

    @Test func sessionsAreLimited() async throws {
        var configuration = MCPHTTPEndpoint.Configuration()
        configuration.maxSessions = 2
        let endpoint = try await Self.endpoint(configuration: configuration)
        let first = try await Self.initialize(endpoint, user: "alice")
        _ = try await Self.initialize(endpoint, user: "bob")
        let refused = try await Self.send(
            endpoint, user: "alice",
            ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": ["protocolVersion": "2025-11-25"]])
        #expect(refused.status == 503)
        #expect(refused.headers["Retry-After"] != nil)
        _ = try await Self.send(endpoint, user: "alice", method: "DELETE", session: first)
        _ = try await Self.initialize(endpoint, user: "alice")
        #expect(await endpoint.sessionCount == 2)
        await endpoint.shutdown()
    }

    @Test func idleSessionsExpire() async throws {
        let clock = ManualClock()
        var configuration = MCPHTTPEndpoint.Configuration()
        configuration.idleTimeout = 600
        let endpoint = try await Self.endpoint(configuration: configuration, clock: clock)
        let idle = try await Self.initialize(endpoint, user: "alice")
        clock.advance(by: 500)
        let busy = try await Self.initialize(endpoint, user: "bob")
        clock.advance(by: 200)
        // alice's session was last used 700 s ago, bob's 200 s ago.
        #expect(try await Self.send(endpoint, user: "bob", session: busy, Self.listTools).status == 200)
        #expect(await endpoint.sessionCount == 1)
        #expect(try await Self.send(endpoint, user: "alice", session: idle, Self.listTools).status == 404)
        await endpoint.shutdown()
    }

    @Test func shutdownEndsEverySession() async throws {
        let endpoint = try await Self.endpoint()
        let session = try await Self.initialize(endpoint, user: "alice")
        _ = try await Self.initialize(endpoint, user: "bob")
        await endpoint.shutdown()
        #expect(await endpoint.sessionCount == 0)
        #expect(try await Self.send(endpoint, user: "alice", session: session, Self.listTools).status == 503)
    }
}
