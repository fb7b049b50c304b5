import EngramCore
import Foundation
import Logging
import MCP
import Testing

@testable import EngramMCP
@testable import EngramTestSupport

/// Logs of the servers under test: only what is critical.
let quietMCPLogger: Logger = {
    var logger = Logger(label: "engram.mcp.tests")
    logger.logLevel = .critical
    return logger
}()

/// An MCP client connected in-process to Engram's server for one user, on a fresh SQLite file (hashing embedder).
struct ConnectedClient {
    let store: MemoryService
    let client: Client
    let server: Server

    /// A client of the server of `userID` on `store`.
    static func start(store: MemoryService, userID: String) async throws -> ConnectedClient {
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        let server = try await EngramMCPServer(service: store, userID: userID, logger: quietMCPLogger)
            .start(over: serverSide)
        let client = Client(name: "engram-tests", version: "1")
        try await client.connect(transport: clientSide)
        return ConnectedClient(store: store, client: client, server: server)
    }

    /// Runs `body` with a client of the server of the first of `users`, on a new store with them; stops it after.
    static func with(users: [String] = ["alice"], _ body: (ConnectedClient) async throws -> Void) async throws {
        let store = try makeStore(.sqlite)
        for user in users { _ = try await store.createUser(UserDraft(id: user)) }
        try await with(store: store, userID: users[0], body)
    }

    /// Runs `body` with a client of the server of `userID` on `store`; stops it after.
    static func with(store: MemoryService, userID: String, _ body: (ConnectedClient) async throws -> Void)
        async throws
    {
        let connected = try await start(store: store, userID: userID)
        do {
            try await body(connected)
        } catch {
            await connected.stop()
            throw error
        }
        await connected.stop()
    }

    /// Calls a tool and returns the whole result (the SDK's `callTool` drops `structuredContent`).
    func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
    }

    /// Calls a tool that must succeed, and returns its structured content.
    func succeed(
        _ name: String, _ arguments: [String: Value] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Value {
        let result = try await call(name, arguments)
        #expect(result.isError != true, "\(name) failed: \(result.text)", sourceLocation: sourceLocation)
        return try #require(result.structuredContent, sourceLocation: sourceLocation)
    }

    /// Ends the connection.
    func stop() async {
        await client.disconnect()
        await server.stop()
    }
}

extension CallTool.Result {
    /// The text content, joined.
    var text: String {
        content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }.joined(separator: "\n")
    }
}

extension Value {
    /// The member at `path` of nested objects.
    func at(_ path: String...) -> Value? {
        path.reduce(Optional(self)) { value, key in value?.objectValue?[key] }
    }
}
