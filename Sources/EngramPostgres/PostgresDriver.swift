import EngramCore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The server driver: PostgreSQL with pgvector (an HNSW index per embedding model), full-text search over a
/// generated `tsvector`, and row-level security on `user_id`.
///
/// The driver queries through a `PostgresClient` pool, which works only while it runs: run the driver as a
/// `Service` (in a `ServiceGroup` or a task group, cancelled at the end), or use
/// ``withDriver(_:logger:_:)``, which runs it around a closure.
public final class PostgresDriver: StorageDriver, Service {
    public let backend = "postgres"
    /// Where the server is, and the schema that holds Engram's tables.
    public let postgres: PostgresConfiguration
    /// How long transactions wait on the server: from `connect_timeout` and `statement_timeout`.
    let deadlines: PostgresDeadlines
    /// When the pool last handed out or took back a connection (shared by the drivers on one pool).
    let progress: PoolProgress
    /// Whether the server accepts connections, for leases that wait on a pool that makes no progress.
    let probe: ServerProbe
    public let migrations: [Migration]
    /// The pool every transaction leases a connection from.
    let client: PostgresClient
    /// Whether ``run()`` runs the pool (the driver made it) or only waits (its owner runs it).
    let ownsClient: Bool
    let logger: Logger
    /// The `vector` type's OID, once looked up (it differs per database).
    let vectorOID = Mutex<PostgresDataType?>(nil)
    /// The vector indexes (by name) known to exist, one per embedding model and dimension.
    let vectorIndexes = Mutex<Set<String>>([])
    /// The models whose vector index a large load dropped (``deferVectorIndexes(for:)``), with its method.
    let deferredVectorIndexes = Mutex<[EmbeddingModel: VectorIndexMethod]>([:])
    /// Each user's average `search` length (BM25's length normalisation), remembered between recalls.
    let averageLengths = AverageLengths()

    /// A driver with a pool of its own; nothing connects until ``run()`` runs and a query needs a connection.
    public convenience init(_ postgres: PostgresConfiguration, logger: Logger = Logger(label: "engram.postgres")) throws
    {
        try PostgresConfiguration.checkIdentifier(postgres.schema, field: "schema")
        try self.init(
            postgres,
            client: PostgresClient(configuration: Self.clientConfiguration(postgres), backgroundLogger: logger),
            ownsClient: true, logger: logger)
    }

    /// A driver on an existing pool, which its owner runs. Several drivers (say, on different schemas) can share
    /// one pool: every transaction sets its own search path and user.
    public convenience init(
        _ postgres: PostgresConfiguration, client: PostgresClient, logger: Logger = Logger(label: "engram.postgres")
    ) throws {
        try self.init(postgres, client: client, ownsClient: false, logger: logger)
    }

    init(_ postgres: PostgresConfiguration, client: PostgresClient, ownsClient: Bool, logger: Logger) throws {
        try PostgresConfiguration.checkIdentifier(postgres.schema, field: "schema")
        self.postgres = postgres
        self.deadlines = PostgresDeadlines(postgres)
        self.progress = PoolProgress.of(client)
        self.probe = ServerProbe.of(postgres)
        self.client = client
        self.ownsClient = ownsClient
        self.logger = logger
        self.migrations = try Self.bundledMigrations()
    }

    /// The migrations shipped with this build, by version.
    static func bundledMigrations() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw EngramError(.storageFailure, "This build has no PostgreSQL migrations folder; reinstall Engram.")
        }
        return try Migration.directory(folder)
    }

    public var isReadOnly: Bool { false }

    /// Runs the pool until the task is cancelled or a graceful shutdown begins. A driver on a shared pool only
    /// waits for either: the pool's owner runs it.
    public func run() async throws {
        if ownsClient {
            await client.run()
        } else {
            try? await gracefulShutdown()
        }
    }

    /// Makes a driver, runs its pool for the duration of `body`, and shuts the pool down afterwards.
    public static func withDriver<T: Sendable>(
        _ postgres: PostgresConfiguration, logger: Logger = Logger(label: "engram.postgres"),
        _ body: (PostgresDriver) async throws -> T
    ) async throws -> T {
        let driver = try PostgresDriver(postgres, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await driver.run() }
            defer { group.cancelAll() }
            return try await body(driver)
        }
    }

    /// The pool configuration for `postgres`.
    public static func clientConfiguration(_ postgres: PostgresConfiguration) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch postgres.endpoint {
        case .tcp(let host, let port):
            let tls: PostgresClient.Configuration.TLS =
                switch postgres.tls {
                case .disable: .disable
                case .prefer: .prefer(.makeClientConfiguration())
                case .require: .require(.makeClientConfiguration())
                }
            configuration = .init(
                host: host, port: port, username: postgres.username, password: postgres.password,
                database: postgres.database, tls: tls)
        case .unixSocket(let path):
            configuration = .init(
                unixSocketPath: path, username: postgres.username, password: postgres.password,
                database: postgres.database)
        }
        configuration.options.maximumConnections = postgres.poolSize
        configuration.options.minimumConnections = postgres.minimumConnections
        configuration.options.connectTimeout = postgres.connectTimeout
        configuration.options.connectionIdleTimeout = postgres.idleTimeout
        configuration.options.keepAliveBehavior = postgres.keepAliveInterval.map { .init(frequency: $0) }
        let timeout = postgres.statementTimeout.components
        configuration.options.additionalStartupParameters = [
            ("application_name", postgres.applicationName),
            ("statement_timeout", "\(timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000)"),
        ]
        return configuration
    }

    /// Opens and closes one connection outside the pool, so that an unreachable server, a missing database or a
    /// wrong password fails at once with its own error instead of waiting on the pool's retries.
    public func checkConnection() async throws {
        do {
            let opened = try await PostgresConnection.connect(
                configuration: Self.connectionConfiguration(postgres, purpose: "check"), id: 0, logger: logger)
            try await opened.close()
        } catch {
            throw translate(error)
        }
    }

    /// A single connection's configuration, outside the pool, named in `pg_stat_activity` after the application and
    /// its `purpose` (say, "engram (probe)").
    static func connectionConfiguration(_ postgres: PostgresConfiguration, purpose: String) throws
        -> PostgresConnection.Configuration
    {
        var connection: PostgresConnection.Configuration
        switch postgres.endpoint {
        case .tcp(let host, let port):
            connection = .init(
                host: host, port: port, username: postgres.username, password: postgres.password,
                database: postgres.database,
                tls: postgres.tls == .require
                    ? .require(try .init(configuration: .makeClientConfiguration())) : .disable)
        case .unixSocket(let path):
            connection = .init(
                unixSocketPath: path, username: postgres.username, password: postgres.password,
                database: postgres.database)
        }
        connection.options.connectTimeout = .init(postgres.connectTimeout)
        connection.options.additionalStartupParameters = [
            ("application_name", "\(postgres.applicationName) (\(purpose))")
        ]
        return connection
    }

    /// Maps PostgreSQL and connection errors to stable codes, with what to do; never leaks values.
    func translate(_ error: any Error) -> EngramError {
        PostgresErrors.translate(error, postgres: postgres, logger: logger)
    }
}
