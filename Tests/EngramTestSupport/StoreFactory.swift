import EngramCore
import EngramPostgres
import EngramSQLite
import Foundation
import Logging
import PostgresNIO
import Testing

/// The storage drivers the behaviour suite runs against: every test body runs once per driver, through the one
/// ``MemoryService``.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// SQLite always; PostgreSQL when a server was started for the tests (`scripts/test.sh` starts one with
    /// `scripts/pg.sh` and sets `ENGRAM_TEST_DATABASE_URL`).
    static var allCases: [Backend] {
        ProcessInfo.processInfo.environment["ENGRAM_TEST_DATABASE_URL"] != nil ? [.sqlite, .postgres] : [.sqlite]
    }

    var testDescription: String { rawValue }

    /// The name the backend reports in ``StoreHealth/backend``.
    var healthName: String { rawValue }
}

/// A fresh, empty store of `backend`, driven by `clock`.
func makeStore(
    _ backend: Backend, clock: ManualClock = ManualClock(), configuration: EngramConfiguration = .init()
) throws -> MemoryService {
    try makeDatabase(backend)(clock, configuration)
}

/// A fresh, empty store of `backend` whose observed turns `extractor` reads.
func makeStore(
    _ backend: Backend, clock: ManualClock, configuration: EngramConfiguration, extractor: any FactExtractor
) throws -> MemoryService {
    MemoryService(
        driver: try makeDriver(backend)(), configuration: configuration, extractor: extractor, clock: clock,
        logger: quietLogger)
}

/// A fresh, empty database of `backend`, and a function that opens a service on it. Every call opens a new driver
/// and service on the same data: to test reopening and several instances sharing one database.
func makeDatabase(_ backend: Backend) throws -> @Sendable (ManualClock, EngramConfiguration) throws -> MemoryService {
    let open = try makeDatabaseWithEmbedders(backend)
    return { clock, configuration in try open(clock, configuration, HashingEmbedder(), []) }
}

/// ``makeDatabase(_:)`` whose services take their embedders: the configured one and others (for model switches).
func makeDatabaseWithEmbedders(
    _ backend: Backend
) throws -> @Sendable (ManualClock, EngramConfiguration, any Embedder, [any Embedder]) throws -> MemoryService {
    let open = try makeDriver(backend)
    return { clock, configuration, embedder, others in
        MemoryService(
            driver: try open(), configuration: configuration, embedder: embedder, otherEmbedders: others, clock: clock,
            logger: quietLogger)
    }
}

/// A fresh, empty database of `backend` and a function that opens a driver on it.
func makeDriver(_ backend: Backend) throws -> @Sendable () throws -> any StorageDriver {
    switch backend {
    case .sqlite:
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        let path = directory.appendingPathComponent("engram.sqlite").path
        return { try SQLiteDriver(path: path, logger: quietLogger) }
    case .postgres:
        var postgres = try PostgresConfiguration(
            url: try #require(ProcessInfo.processInfo.environment["ENGRAM_TEST_DATABASE_URL"]))
        postgres.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let schema = postgres
        return { try PostgresDriver(schema, client: sharedPostgresClient, logger: quietLogger) }
    }
}

/// Store logs in tests: only what is critical.
let quietLogger: Logger = {
    var logger = Logger(label: "engram.tests")
    logger.logLevel = .critical
    return logger
}()

/// One connection pool for every PostgreSQL driver of this test process (each on its own schema), run for the life
/// of the process: tests share it, as independent services in one application would.
let sharedPostgresClient: PostgresClient = {
    let url = ProcessInfo.processInfo.environment["ENGRAM_TEST_DATABASE_URL"] ?? "postgresql://engram@127.0.0.1/engram"
    var configuration =
        (try? PostgresConfiguration(url: url))
        ?? PostgresConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: 5432), username: "engram", password: nil, database: "engram")
    configuration.poolSize = 8
    let client = PostgresClient(
        configuration: PostgresDriver.clientConfiguration(configuration), backgroundLogger: quietLogger)
    Task.detached { await client.run() }
    return client
}()

/// Where this test process keeps its database files. Files of earlier runs are removed on first use, so repeated
/// runs do not fill the temporary folder.
let testRoot: URL = {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("engram-service-tests", isDirectory: true)
    // Clear what earlier runs left, but never the folder of a run that is still going (two test runs may share a
    // machine): a run's folder is named after its process.
    for name in (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? [] {
        guard let pid = Int32(name.dropFirst("run-".count)), name.hasPrefix("run-"), kill(pid, 0) != 0 else { continue }
        try? FileManager.default.removeItem(at: base.appendingPathComponent(name, isDirectory: true))
    }
    return base.appendingPathComponent("run-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
}()
