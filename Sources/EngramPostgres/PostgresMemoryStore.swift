import EngramCore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization
import _ConnectionPoolModule

/// The production store: PostgreSQL with pgvector, pg_trgm and row-level security on `user_id`.
///
/// The store owns a `PostgresClient` pool, which is usable only while ``run()`` runs: start it in a
/// task group or a `ServiceGroup`, or use ``withStore(_:configuration:embedder:clock:logger:_:)``,
/// which runs it around a closure.
public final class PostgresMemoryStore: Sendable {
    /// The configured embedder, and the others this process can embed queries with during a model switch.
    public let embedders: EmbedderSet
    public var embedder: any Embedder { embedders.configured }
    public let postgres: PostgresConfiguration
    let configuration: EngramConfiguration
    let validator: InputValidator
    let scorer: RecallScorer
    let clock: any WallClock
    let logger: Logger
    let client: PostgresClient
    /// Whether this store has checked that the schema is migrated.
    let schemaReady = Mutex(false)
    /// The `vector` type's OID, once looked up (it differs per database).
    let vectorOID = Mutex<PostgresDataType?>(nil)
    /// The partial HNSW indexes (by name) this store has ensured exist, one per embedding model and dimension.
    let vectorIndexes = Mutex<Set<String>>([])
    /// The active embedding model and when it was read: re-read after a second, so a switch made by another
    /// process is seen promptly.
    let activeModelCache = Mutex<(model: EmbeddingModel, read: ContinuousClock.Instant)?>(nil)

    /// Creates the store with a pool of its own; nothing connects until ``run()`` runs and a query needs a
    /// connection.
    public convenience init(
        _ postgres: PostgresConfiguration, configuration: EngramConfiguration = .init(),
        embedder: any Embedder = HashingEmbedder(), otherEmbedders: [any Embedder] = [],
        clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "engram.postgres")
    ) throws {
        try self.init(
            postgres,
            client: PostgresClient(configuration: Self.clientConfiguration(postgres), backgroundLogger: logger),
            configuration: configuration, embedder: embedder, otherEmbedders: otherEmbedders, clock: clock,
            logger: logger)
    }

    /// Creates a store on an existing pool, which its owner runs. Several stores (say, on different schemas)
    /// can share one pool: every transaction sets its own search path and user.
    /// `otherEmbedders` are the embedders of models the store may still rank with while a switch to `embedder`
    /// is under way (see ``reembed(batchSize:prune:progress:)``).
    public init(
        _ postgres: PostgresConfiguration, client: PostgresClient, configuration: EngramConfiguration = .init(),
        embedder: any Embedder = HashingEmbedder(), otherEmbedders: [any Embedder] = [],
        clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "engram.postgres")
    ) throws {
        try PostgresConfiguration.checkIdentifier(postgres.schema, field: "schema")
        self.postgres = postgres
        self.configuration = configuration
        self.embedders = EmbedderSet(configured: embedder, others: otherEmbedders)
        self.validator = InputValidator(configuration: configuration)
        self.scorer = RecallScorer(configuration: configuration.recall, decay: configuration.decay)
        self.clock = clock
        self.logger = logger
        self.client = client
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async {
        await client.run()
    }

    /// Opens a store, runs its pool for the duration of `body`, and shuts it down afterwards.
    public static func withStore<T: Sendable>(
        _ postgres: PostgresConfiguration, configuration: EngramConfiguration = .init(),
        embedder: any Embedder = HashingEmbedder(), otherEmbedders: [any Embedder] = [],
        clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "engram.postgres"),
        _ body: (PostgresMemoryStore) async throws -> T
    ) async throws -> T {
        let store = try PostgresMemoryStore(
            postgres, configuration: configuration, embedder: embedder, otherEmbedders: otherEmbedders, clock: clock,
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
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

    /// Opens and closes one connection outside the pool, so that an unreachable server, a missing database
    /// or a wrong password fails at once with its own error instead of waiting on the pool's retries.
    public func checkConnection() async throws {
        do {
            let opened = try await PostgresConnection.connect(
                configuration: connectionConfiguration(), id: 0, logger: logger)
            try await opened.close()
        } catch {
            throw translate(error)
        }
    }

    /// A single connection's configuration, outside the pool.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
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
        return connection
    }

    /// The current time as the database stores it (milliseconds).
    func now() -> Date { Timestamp(clock.now()).date }

    /// Runs `body` in one transaction scoped to `userID` by row-level security (`nil`: whole-store access);
    /// any error rolls it back. The first call applies pending migrations when ``PostgresConfiguration/migrateOnFirstUse``.
    @discardableResult
    func transaction<T: Sendable>(
        userID: String?, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> T {
        try await ensureSchema()
        return try await rawTransaction(userID: userID, body)
    }

    /// Applies pending migrations once per store, when ``PostgresConfiguration/migrateOnFirstUse``.
    func ensureSchema() async throws {
        guard postgres.migrateOnFirstUse, !schemaReady.withLock({ $0 }) else { return }
        try await migrateUp()
        schemaReady.withLock { $0 = true }
    }

    /// ``transaction(userID:_:)`` without the migration check: for migrations and health.
    @discardableResult
    func rawTransaction<T: Sendable>(
        userID: String?, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                // One round trip scopes the transaction: its schema, and its user (or whole-store access); and
                // checks that the role may use the schema (without USAGE, names in it just look missing).
                let searchPath = "\(postgres.schema), public"
                let usable = try await connection.first(
                    """
                    SELECT set_config('search_path', \(searchPath), true),
                        set_config('engram.user_id', \(userID ?? ""), true),
                        set_config('engram.admin', \(userID == nil ? "on" : "off"), true),
                        (SELECT has_schema_privilege(oid, 'USAGE') FROM pg_namespace WHERE nspname = \(postgres.schema))
                    """, logger: logger
                ) { try $0.decode((String, String, String, Bool?).self).3 }
                if usable == false {
                    throw PostgresErrors.engramError(sqlState: "42501", database: postgres.database)
                }
                return try await body(connection)
            }
        } catch {
            throw translate(error)
        }
    }

    /// Maps PostgreSQL and connection errors to stable codes, with what to do; never leaks values.
    func translate(_ error: any Error) -> EngramError {
        if let error = error as? EngramError { return error }
        if let transaction = error as? PostgresTransactionError {
            return translate(transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error)
        }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                return PostgresErrors.engramError(sqlState: state, database: postgres.database)
            }
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection:
                return cannotConnect
            default:
                break
            }
        }
        // The pool stops waiting once connecting has failed for a minute (postgres-nio's circuit breaker).
        if let error = error as? ConnectionPoolError, error == .connectionCreationCircuitBreakerTripped {
            return cannotConnect
        }
        logger.error("postgres error", metadata: ["type": "\(type(of: error))"])
        return EngramError(.storageFailure, "PostgreSQL failed; nothing was written. Run engram doctor.")
    }

    private var cannotConnect: EngramError {
        let (host, port) = postgres.hostDescription
        return EngramError(
            .storageFailure,
            "Cannot connect to PostgreSQL at \(host)\(port.map { ":\($0)" } ?? ""): connection refused or closed. Start the server (scripts/pg.sh start) or fix DATABASE_URL."
        )
    }
}
