import EngramCore
import EngramMCP
import Foundation
import Hummingbird
import Logging
import MCP
import Prometheus

/// Engram over HTTP: the `/v1` JSON API, `/health`, `/ready`, `/metrics`, `/openapi.json` (and `/mcp`), as a
/// Hummingbird router over one ``MemoryService``.
public struct EngramServer: Sendable {
    public let service: MemoryService
    public let configuration: HTTPServerConfiguration
    public let readiness: Readiness
    public let metrics: APIMetrics
    /// Where `/metrics` reads from; `nil` serves an empty page.
    public let registry: PrometheusCollectorRegistry?
    /// The MCP sessions of `/mcp`.
    public let mcp: MCPHTTPEndpoint

    public init(
        service: MemoryService, configuration: HTTPServerConfiguration = .init(), readiness: Readiness = .init(),
        metrics: APIMetrics = .init(), registry: PrometheusCollectorRegistry? = nil,
        logger: Logger = Logger(label: "engram.http")
    ) {
        self.service = service
        self.configuration = configuration
        self.readiness = readiness
        self.metrics = metrics
        self.registry = registry
        var mcpConfiguration = MCPHTTPEndpoint.Configuration()
        // DNS-rebinding protection guards a loopback server (a Host of a loopback name, with any port or none); one
        // on another address has API keys instead.
        let loopback = ["127.0.0.1", "localhost", "[::1]"]
        mcpConfiguration.originValidator =
            configuration.isLoopback
            ? OriginValidator(
                allowedHosts: loopback + loopback.map { $0 + ":*" },
                allowedOrigins: loopback.flatMap { ["http://\($0)", "http://\($0):*"] })
            : .disabled
        self.mcp = MCPHTTPEndpoint(service: service, configuration: mcpConfiguration, logger: logger)
    }

    /// The router with every route, and the signatures of the routes it serves.
    public func router() -> (router: Router<EngramRequestContext>, routes: [RouteSignature]) {
        let router = Router(context: EngramRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: APIMiddleware(maxBodyBytes: configuration.maxBodyBytes))
        let operations = RouteTable(router.group(), prefix: "")
        registerOperations(on: operations)
        let auth = AuthMiddleware(
            service: service, requiresAPIKeys: configuration.requiresAPIKeys,
            failures: FailedAuthentications(
                burst: configuration.authenticationFailureBurst,
                refillPerSecond: configuration.authenticationFailuresPerSecond),
            trustedProxies: configuration.trustedProxies)
        let v1 = RouteTable(router.group("v1").add(middleware: auth), prefix: "/v1")
        V1Routes(service: service, metrics: metrics).register(on: v1)
        let mcpTable = RouteTable(router.group().add(middleware: auth), prefix: "")
        registerMCP(on: mcpTable)
        let routes = operations.signatures + v1.signatures + mcpTable.signatures
        // Last, so that it wraps only the router's not-found responder.
        router.add(middleware: MethodNotAllowedMiddleware(routes: routes))
        return (router, routes)
    }

    /// The application: the router on the configured address, with the upkeep service beside it.
    public func application(logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let upkeep = UpkeepService(
            service: service, readiness: readiness, interval: configuration.maintenanceInterval, logger: logger)
        return Application(
            router: router().router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "engram"),
            services: [upkeep],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// The OpenAPI document, as checked into the repository.
    public static func openAPIDocument() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw EngramError(.storageFailure, "openapi.json is missing from this build of Engram.")
        }
        return try Data(contentsOf: url)
    }

    private func registerOperations(on table: RouteTable) {
        let service = service
        let readiness = readiness
        let registry = registry
        let metrics = metrics
        table.on(.get, "health") { _, _ in
            let health = await service.health()
            return Reply(health, status: health.status == "ok" ? .ok : .serviceUnavailable)
        }
        table.on(.get, "ready") { _, _ in
            guard readiness.isPrepared else {
                return Reply(["status": "starting"], status: .serviceUnavailable)
            }
            let health = await service.health()
            return Reply(
                ["status": health.status == "ok" ? "ready" : "unavailable"],
                status: health.status == "ok" ? .ok : .serviceUnavailable)
        }
        table.on(.get, "metrics") { _, _ in
            if readiness.isPrepared, let users = try? await service.users() {
                metrics.record(sizesOf: users)
            }
            let text = registry?.emitToString() ?? ""
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let document = (try? Self.openAPIDocument()) ?? Data()
        table.on(.get, "openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(data: document)))
        }
    }
}
