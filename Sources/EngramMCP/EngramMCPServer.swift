import EngramCore
import Logging
import MCP

/// Engram's MCP server for one user: the memory tools (remember, recall, forget, observe, context, facts, add_fact,
/// link, neighbours, stats) and the `engram://memories/recent` resource, over one ``MemoryService``.
///
/// The user is fixed here and is never a tool argument, so a client of this server can reach that user's memory
/// only. The same server runs over stdio (`engram mcp`) and, one per session, over streamable HTTP
/// (``MCPHTTPEndpoint``).
public struct EngramMCPServer: Sendable {
    /// The store the tools act on.
    public let service: MemoryService
    /// The user every tool acts for.
    public let userID: String
    let logger: Logger
    /// The arguments each tool takes: the properties of its schema.
    private let accepted: [MemoryTool: Set<String>]

    /// A server acting for `userID` on `service`.
    public init(service: MemoryService, userID: String, logger: Logger) {
        self.service = service
        self.userID = userID
        self.logger = logger
        self.accepted = Dictionary(
            uniqueKeysWithValues: MemoryTool.allCases.map {
                ($0, JSONSchema.propertyNames(of: $0.inputSchema(service.configuration)))
            })
    }

    /// The name and version the server reports when a client initializes.
    static let name = "engram"
    static let version = "0.3.0"

    /// What the server tells the model about using it (clients may add it to the system prompt).
    static let instructions = """
        Engram is the user's long-term memory. Call recall before answering anything that may depend on earlier \
        conversations. Call remember for facts, preferences, events and procedures worth keeping, one statement per \
        call. Record conversation turns with observe and read them back with context; note short-lived facts with \
        add_fact. Forget memories that are wrong or that the user asks you to forget.
        """

    /// A new MCP server with the tools and the resource registered, ready for `start(transport:)`.
    ///
    /// Start it over a ``ServingTransport``, as ``serve(over:)`` and ``MCPHTTPEndpoint`` do: through it, strings that
    /// begin with `data:` reach the tools and the client as they are (``DataURLShield``).
    public func makeServer() async -> Server {
        let server = Server(
            name: Self.name, version: Self.version, title: "Engram", instructions: Self.instructions,
            capabilities: .init(
                resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false))
        )
        let tools = MemoryTool.allCases.map { $0.definition(service.configuration) }
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { parameters in try await call(parameters) }
        await server.withMethodHandler(ListResources.self) { _ in
            ListResources.Result(resources: [RecentMemoriesResource.resource])
        }
        await server.withMethodHandler(ReadResource.self) { parameters in try await read(parameters) }
        return server
    }

    /// Serves the tools over `transport` (such as the SDK's `StdioTransport`) until its input ends and every request
    /// received has been answered.
    public func serve(over transport: any Transport) async throws {
        let server = try await start(over: transport)
        await server.waitUntilCompleted()
        await server.stop()
    }

    /// A server started over `transport`, through ``ServingTransport``.
    func start(over transport: any Transport) async throws -> Server {
        let server = await makeServer()
        try await server.start(transport: ServingTransport(transport, logger: logger))
        return server
    }

    /// Runs one tool call. An ``EngramError`` becomes a result with `isError` and `code: message`, which the model can
    /// act on; an unknown tool is a protocol error.
    func call(_ parameters: CallTool.Parameters) async throws -> CallTool.Result {
        guard let tool = MemoryTool(rawValue: parameters.name), let accepted = accepted[tool] else {
            let names = MemoryTool.allCases.map(\.rawValue).joined(separator: ", ")
            throw MCPError.invalidParams("Unknown tool; the tools are: \(names).")
        }
        do {
            let arguments = try ToolArguments(parameters.arguments, accepted: accepted)
            return try await MemoryToolbox(service: service, userID: userID).call(tool, arguments).result
        } catch let error as EngramError {
            logger.debug("tool call refused", metadata: ["tool": "\(tool.rawValue)", "code": "\(error.code)"])
            return ToolOutput.failure(error)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Only the error's type: other errors may quote what failed to be written.
            logger.error("tool call failed", metadata: ["tool": "\(tool.rawValue)", "error": "\(type(of: error))"])
            return ToolOutput.failure(
                EngramError(.storageFailure, "The operation failed unexpectedly and was rolled back; try again."))
        }
    }

    /// Reads a resource: only `engram://memories/recent`.
    func read(_ parameters: ReadResource.Parameters) async throws -> ReadResource.Result {
        guard parameters.uri == RecentMemoriesResource.uri else {
            throw MCPError.invalidParams("Unknown resource; the resource is \(RecentMemoriesResource.uri).")
        }
        do {
            return try await RecentMemoriesResource.read(service: service, userID: userID)
        } catch let error as EngramError {
            throw MCPError.internalError(error.description)
        }
    }
}
