import ArgumentParser
import Configuration
import EngramCore
import EngramEmbeddings
import EngramHTTP
import EngramPostgres
import EngramSQLite
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization

/// `engram serve`: the HTTP API, MCP over streamable HTTP, health, readiness and metrics, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API (/v1), MCP (/mcp), /health, /ready and /metrics over HTTP.",
        discussion: """
            Settings come from these options, else ENGRAM_* environment variables, else the JSON file of --config, \
            else the defaults (the README has the table). Listens on 127.0.0.1:8787 unless told otherwise. \
            Every /v1 and /mcp request needs an API key (engram keys create); on the first start of a store \
            with no keys, serve creates a key for the user 'default' and prints it once.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("A JSON file of settings, such as {\"http\": {\"port\": 8787}}.", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("The address to listen on (http.host; default 127.0.0.1).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("The port; 0 picks a free one (http.port; default 8787).", valueName: "port"))
    var port: Int?

    @Option(
        name: .customLong("max-body-bytes"),
        help: ArgumentHelp("The largest request body (http.maxBodyBytes; default 8 MiB).", valueName: "bytes"))
    var maxBodyBytes: Int?

    @Option(
        name: .customLong("maintenance-interval"),
        help: ArgumentHelp(
            "Seconds between decay and expiry passes, 0 for none (maintenance.intervalSeconds; default 600).",
            valueName: "seconds"))
    var maintenanceInterval: Int?

    @Flag(
        name: .customLong("no-auth"),
        help: "Serve without API keys: every request acts as the admin (auth.disabled; loopback only).")
    var noAuth = false

    @Option(
        name: .customLong("auth-failure-burst"),
        help: ArgumentHelp(
            "Failed authentications a client address may make before 429 rate_limited, then one per second; 0 for no limit (auth.failureBurst; default 20).",
            valueName: "n"))
    var authFailureBurst: Int?

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "The IP address of a reverse proxy whose X-Forwarded-For names the client, for the failed-authentication limit; repeat for several (http.trustedProxies; default none).",
            valueName: "address"))
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "trace, debug, info, notice, warning, error or critical (log.level; default info).",
            valueName: "level"))
    var logLevel: String?

    /// The settings: options first, then `ENGRAM_…` environment variables, then the `--config` file, then defaults.
    func settings() async throws -> (
        server: HTTPServerConfiguration, logLevel: Logger.Level, llm: ChatModelConfiguration?
    ) {
        var values = global.llm.configValues
        if let host { values["http.host"] = .init(.string(host), isSecret: false) }
        if let port { values["http.port"] = .init(.int(port), isSecret: false) }
        if let maxBodyBytes { values["http.maxBodyBytes"] = .init(.int(maxBodyBytes), isSecret: false) }
        if let maintenanceInterval {
            values["maintenance.intervalSeconds"] = .init(.int(maintenanceInterval), isSecret: false)
        }
        if noAuth { values["auth.disabled"] = .init(.bool(true), isSecret: false) }
        if let authFailureBurst { values["auth.failureBurst"] = .init(.int(authFailureBurst), isSecret: false) }
        if let logLevel { values["log.level"] = .init(.string(logLevel), isSecret: false) }
        if !trustedProxies.isEmpty {
            values["http.trustedProxies"] = .init(.stringArray(trustedProxies), isSecret: false)
        }
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "options", values: values),
            EnvironmentVariablesProvider().prefixKeys(with: "engram"),
        ]
        if let config {
            guard FileManager.default.fileExists(atPath: config) else {
                throw ValidationError("--config \(config): no such file.")
            }
            let path = ConfigReader(
                provider: InMemoryProvider(values: ["filePath": .init(.string(config), isSecret: false)]))
            do {
                providers.append(try await FileProvider<JSONSnapshot>(config: path))
            } catch {
                throw ValidationError("--config \(config) is not a JSON object of settings: \(error)")
            }
        }
        let reader = ConfigReader(providers: providers)
        var server = HTTPServerConfiguration()
        server.host = reader.string(forKey: "http.host", default: server.host)
        server.port = reader.int(forKey: "http.port", default: server.port)
        server.maxBodyBytes = reader.int(forKey: "http.maxBodyBytes", default: server.maxBodyBytes)
        server.requiresAPIKeys = !reader.bool(forKey: "auth.disabled", default: false)
        let burst = reader.int(forKey: "auth.failureBurst", default: server.authenticationFailureBurst)
        guard burst >= 0 else { throw ValidationError("auth.failureBurst must be 0 (no limit) or more.") }
        server.authenticationFailureBurst = burst == 0 ? .max : burst
        for proxy in reader.stringArray(forKey: "http.trustedProxies", default: []) {
            guard let address = HTTPServerConfiguration.ipAddress(proxy) else {
                throw ValidationError(
                    "http.trustedProxies: \"\(proxy)\" is not an IP address; list the proxies' addresses, such as 127.0.0.1."
                )
            }
            server.trustedProxies.insert(address)
        }
        let interval = reader.int(forKey: "maintenance.intervalSeconds", default: 600)
        server.maintenanceInterval = interval > 0 ? .seconds(interval) : nil
        let levelName = reader.string(forKey: "log.level", default: "info")
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw ValidationError("log.level must be trace, debug, info, notice, warning, error or critical.")
        }
        guard (0...65535).contains(server.port) else { throw ValidationError("http.port must be 0…65535.") }
        guard server.maxBodyBytes >= 1024 else { throw ValidationError("http.maxBodyBytes must be at least 1024.") }
        guard interval >= 0 else { throw ValidationError("maintenance.intervalSeconds must be 0 or more.") }
        if !server.requiresAPIKeys, !server.isLoopback {
            throw ValidationError(
                "Serving without API keys is only allowed on a loopback address (127.0.0.1, ::1, localhost); drop --no-auth or listen on 127.0.0.1."
            )
        }
        return (server, level, try LanguageModelOptions.configuration(from: reader))
    }

    mutating func run() async throws {
        let (server, level, llm) = try await settings()
        var logger = Logger(label: "engram.serve")
        logger.logLevel = level
        let registry = ServeCommand.bootstrapMetrics()
        let embedders = try global.embedding.selection()
        defer { Task { await embedders.shutdown() } }
        let formation = try LanguageModelOptions.formation(llm, logger: logger)
        defer { Task { await formation.shutdown() } }
        let embedder = MeasuredEmbedder(embedders.configured)
        switch try global.location() {
        case .sqlite(let path):
            let driver = try global.openSQLite(path, access: .create, logger: logger)
            defer { try? driver.close() }
            try await serve(
                driver: driver, services: [], embedder: embedder, others: embedders.others, formation: formation,
                server: server, registry: registry, logger: logger)
        case .postgres(let url):
            let driver = try PostgresDriver(try PostgresConfiguration(url: url), logger: logger)
            try await serve(
                driver: driver, services: [driver], embedder: embedder, others: embedders.others,
                formation: formation, server: server, registry: registry, logger: logger)
        }
    }

    /// Runs the driver's services and the application in one service group until a shutdown signal.
    private func serve(
        driver: any StorageDriver, services: [any Service], embedder: any Embedder, others: [any Embedder],
        formation: FormationModels, server configuration: HTTPServerConfiguration,
        registry: PrometheusCollectorRegistry, logger: Logger
    ) async throws {
        let service = MemoryService(
            driver: driver, embedder: embedder, otherEmbedders: others, extractor: formation.extractor,
            summarizer: formation.summarizer, logger: logger, migratesOnFirstUse: true)
        let server = EngramServer(service: service, configuration: configuration, registry: registry, logger: logger)
        let host = configuration.host
        let requiresAPIKeys = configuration.requiresAPIKeys
        let database = global.databaseDescription()
        // Once listening (the driver's services run by then): the first key of a store that has none, and the banner.
        let app = server.application(logger: logger) { port in
            var welcome: IssuedAPIKey?
            if requiresAPIKeys {
                do {
                    welcome = try await Self.firstKey(service)
                } catch {
                    logger.error(
                        "could not check for API keys",
                        metadata: ["error": "\((error as? EngramError)?.code.rawValue ?? "\(type(of: error))")"])
                }
            }
            Output.line(Self.banner(host: host, port: port, key: welcome, database: database))
        }
        let group = ServiceGroup(
            configuration: .init(
                // Shut down in reverse: MCP sessions end (their streams close), the server drains, the last recalls'
                // reinforcement is written, then the driver.
                services: services.map { .init(service: $0) } + [
                    .init(service: ReinforcementFlushService(service)), .init(service: app),
                    .init(service: MCPSessionsService(server.mcp)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// On a store with no API keys: a key for the user `default` (created if missing), shown once.
    private static func firstKey(_ service: MemoryService) async throws -> IssuedAPIKey? {
        guard try await service.apiKeys(userID: nil).isEmpty else { return nil }
        if (try? await service.user("default")) == nil {
            _ = try await service.createUser(UserDraft(id: "default"))
        }
        return try await service.createAPIKey(userID: "default", name: "created by the first engram serve")
    }

    /// What the server prints once it listens: the URL, and an MCP client configuration ready to paste.
    static func banner(host: String, port: Int, key: IssuedAPIKey?, database: String) -> String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let url = "http://\(shownHost):\(port)"
        var lines = ["Engram is serving \(database) at \(url) (API under \(url)/v1, described at \(url)/openapi.json)"]
        let secret: String
        if let key {
            lines.append("Created an API key for user 'default' (shown only now; keep it): \(key.secret)")
            secret = key.secret
        } else {
            secret = "<your API key: engram keys create --user ID>"
        }
        lines.append("MCP client configuration (streamable HTTP):")
        lines.append(
            """
            {"mcpServers": {"engram": {"type": "http", "url": "\(url)/mcp", "headers": {"Authorization": "Bearer \(secret)"}}}}
            """)
        return lines.joined(separator: "\n")
    }

    /// The process's metrics go to a Prometheus registry, bootstrapped once per process.
    static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        bootstrapped.withLock { registry in
            if let registry { return registry }
            let made = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: made))
            registry = made
            return made
        }
    }

    private static let bootstrapped = Mutex<PrometheusCollectorRegistry?>(nil)
}
