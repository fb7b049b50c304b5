import EngramCore
import Foundation
import Logging
import MCP

/// Engram's MCP server over streamable HTTP: one server and one stateful SDK transport per `Mcp-Session-Id`.
///
/// The HTTP layer authenticates the request and passes the user it acts for. An `initialize` POST without a session
/// id starts a session bound to that user; every later request must carry the session id, and a session id used by
/// another user is answered 404, exactly as one that does not exist. DELETE ends a session. At most
/// ``Configuration/maxSessions`` live at once (an `initialize` beyond them is refused with 503), and a session unused
/// for ``Configuration/idleTimeout`` ends at the next request that finds it so. The endpoint opens no port and
/// imports no HTTP framework: it takes and returns the SDK's `HTTPRequest` and `HTTPResponse`.
public actor MCPHTTPEndpoint {
    /// The endpoint's limits and checks.
    public struct Configuration: Sendable {
        /// The most sessions alive at once.
        public var maxSessions = 1000
        /// Seconds after its last request at which a session ends.
        public var idleTimeout: TimeInterval = 30 * 60
        /// Which `Host` and `Origin` headers are accepted (DNS-rebinding protection): local addresses by default;
        /// `.disabled` or your own hosts when serving other interfaces.
        public var originValidator = OriginValidator.localhost()

        /// The defaults: 1000 sessions, 30 minutes idle, local hosts and origins only.
        public init() {}
    }

    /// One live session: the user it belongs to, its server and its transport.
    private struct Session {
        let userID: String
        let server: Server
        let transport: StatefulHTTPServerTransport
        var lastUsed: Date
    }

    private let service: MemoryService
    private let configuration: Configuration
    private let clock: any WallClock
    private let logger: Logger
    private var sessions: [String: Session] = [:]
    /// Sessions being initialized: counted against the limit while their `initialize` runs.
    private var starting = 0
    private var isShutDown = false

    /// An endpoint serving `service`; `clock` decides when sessions are idle.
    public init(
        service: MemoryService, configuration: Configuration = .init(), clock: any WallClock = SystemClock(),
        logger: Logger
    ) {
        self.service = service
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// How many sessions are alive.
    public var sessionCount: Int { sessions.count }

    /// Answers one HTTP request to the MCP endpoint, made for `userID` (whom the HTTP layer authenticated).
    public func handle(_ request: MCP.HTTPRequest, userID: String) async -> MCP.HTTPResponse {
        guard !isShutDown else { return Self.unavailable("the server is shutting down") }
        await endIdleSessions()
        guard let id = request.header(HTTPHeaderName.sessionID) else {
            guard request.method.uppercased() == "POST", Self.isInitialize(request.body) else {
                return .error(
                    statusCode: 400,
                    .invalidRequest(
                        "Bad Request: Missing \(HTTPHeaderName.sessionID) header; start a session with initialize"))
            }
            return await startSession(request, userID: userID)
        }
        guard var session = sessions[id], session.userID == userID else {
            return .error(statusCode: 404, .invalidRequest("Not Found: Invalid or expired session ID"))
        }
        session.lastUsed = clock.now()
        sessions[id] = session
        let response = await session.transport.handleRequest(request)
        if request.method.uppercased() == "DELETE", response.statusCode == 200 {
            await endSession(id)
            logger.debug("MCP session ended by the client", metadata: ["sessions": "\(sessions.count)"])
        }
        return response
    }

    /// Ends every session; later requests are refused with 503.
    public func shutdown() async {
        isShutDown = true
        for id in Array(sessions.keys) { await endSession(id) }
    }

    /// Starts a session for `userID` with its `initialize` request.
    private func startSession(_ request: MCP.HTTPRequest, userID: String) async -> MCP.HTTPResponse {
        guard sessions.count + starting < configuration.maxSessions else {
            logger.warning(
                "MCP session refused: at the session limit", metadata: ["limit": "\(configuration.maxSessions)"])
            return Self.unavailable("too many MCP sessions are open; retry later")
        }
        starting += 1
        defer { starting -= 1 }
        let transport = StatefulHTTPServerTransport(
            validationPipeline: StandardValidationPipeline(validators: [
                configuration.originValidator, AcceptHeaderValidator(mode: .sseRequired), ContentTypeValidator(),
                ProtocolVersionValidator(), SessionValidator(),
            ]))
        let server: Server
        do {
            server = try await EngramMCPServer(service: service, userID: userID, logger: logger).start(over: transport)
        } catch {
            logger.error("MCP session could not start", metadata: ["error": "\(type(of: error))"])
            return .error(statusCode: 500, .internalError("Internal error: the session could not start"))
        }
        let response = await transport.handleRequest(request)
        guard response.statusCode == 200, let id = response.headers[HTTPHeaderName.sessionID], !isShutDown else {
            await server.stop()
            return response
        }
        sessions[id] = Session(userID: userID, server: server, transport: transport, lastUsed: clock.now())
        logger.debug("MCP session started", metadata: ["sessions": "\(sessions.count)"])
        return response
    }

    /// Ends the sessions unused for longer than the idle timeout.
    private func endIdleSessions() async {
        let cutoff = clock.now().addingTimeInterval(-configuration.idleTimeout)
        for (id, session) in sessions where session.lastUsed < cutoff {
            await endSession(id)
            logger.debug("MCP session expired", metadata: ["sessions": "\(sessions.count)"])
        }
    }

    /// Forgets a session and stops its server, which closes the transport and its streams.
    private func endSession(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
    }

    /// Whether `body` is a JSON-RPC `initialize` request.
    private static func isInitialize(_ body: Data?) -> Bool {
        struct Envelope: Decodable { var method: String? }
        guard let body, let envelope = try? JSONDecoder().decode(Envelope.self, from: body) else { return false }
        return envelope.method == "initialize"
    }

    /// 503 with a reason and a hint to retry.
    private static func unavailable(_ reason: String) -> MCP.HTTPResponse {
        .error(
            statusCode: 503, .internalError("Service Unavailable: \(reason)"), extraHeaders: ["Retry-After": "60"])
    }
}
