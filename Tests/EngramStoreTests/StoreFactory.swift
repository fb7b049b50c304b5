import EngramCore
import EngramPostgres
import EngramSQLite
import Foundation
import Logging
import PostgresNIO
import Testing

/// The storage backends the behaviour suite runs against: every test body runs once per backend.
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
) throws -> any MemoryStore {
    try makeDatabase(backend)(clock, configuration)
}

/// A fresh, empty database of `backend`, and a function that opens a store on it. Every call opens a new
/// store instance on the same data: to test reopening and several instances sharing one database.
func makeDatabase(_ backend: Backend) throws -> @Sendable (ManualClock, EngramConfiguration) throws -> any MemoryStore {
    let open = try makeDatabaseWithEmbedders(backend)
    return { clock, configuration in try open(clock, configuration, HashingEmbedder(), []) }
}

/// ``makeDatabase(_:)`` whose stores take their embedders: the configured one and others (for model switches).
func makeDatabaseWithEmbedders(
    _ backend: Backend
) throws -> @Sendable (ManualClock, EngramConfiguration, any Embedder, [any Embedder]) throws -> any MemoryStore {
    switch backend {
    case .sqlite:
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("engram.sqlite").path
        return { clock, configuration, embedder, others in
            try SQLiteMemoryStore(
                path: path, configuration: configuration, embedder: embedder, otherEmbedders: others, clock: clock)
        }
    case .postgres:
        var postgres = try PostgresConfiguration(
            url: try #require(ProcessInfo.processInfo.environment["ENGRAM_TEST_DATABASE_URL"]))
        postgres.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let schema = postgres
        return { clock, configuration, embedder, others in
            try PostgresMemoryStore(
                schema, client: sharedPostgresClient, configuration: configuration, embedder: embedder,
                otherEmbedders: others, clock: clock, logger: quietLogger)
        }
    }
}

/// Store logs in tests: only what is critical.
let quietLogger: Logger = {
    var logger = Logger(label: "engram.tests")
    logger.logLevel = .critical
    return logger
}()

/// One connection pool for every PostgreSQL store of this test process (each on its own schema), run for
/// the life of the process.
let sharedPostgresClient: PostgresClient = {
    let url = ProcessInfo.processInfo.environment["ENGRAM_TEST_DATABASE_URL"] ?? "postgresql://engram@127.0.0.1/engram"
    var configuration =
        (try? PostgresConfiguration(url: url))
        ?? PostgresConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: 5432), username: "engram", password: nil, database: "engram")
    configuration.poolSize = 8
    let client = PostgresClient(
        configuration: PostgresMemoryStore.clientConfiguration(configuration), backgroundLogger: quietLogger)
    Task.detached { await client.run() }
    return client
}()

/// Where this test process keeps its database files. Files of earlier runs are removed on first use,
/// so repeated runs do not fill the temporary folder.
let testRoot: URL = {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("engram-store-tests", isDirectory: true)
    try? FileManager.default.removeItem(at: base)
    return base.appendingPathComponent("run-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
}()
