import EngramCore
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import EngramPostgres

/// The logger of queries the tests run themselves, and of the drivers and services under test: quiet, so that the
/// expected connection failures of the troubleshooting tests do not flood the output.
let testLogger: Logger = {
    var logger = Logger(label: "engram.tests")
    logger.logLevel = .critical
    return logger
}()

/// The test server's URL: `scripts/test.sh` starts PostgreSQL with `scripts/pg.sh` and sets it.
let testDatabaseURL = ProcessInfo.processInfo.environment["ENGRAM_TEST_DATABASE_URL"]

/// Tests that need the server run only when it was started for them.
let serverAvailable = testDatabaseURL != nil

/// A configuration on the test server with a schema of its own, so tests never see each other's rows.
func isolatedConfiguration() throws -> PostgresConfiguration {
    var configuration = try PostgresConfiguration(url: try #require(testDatabaseURL))
    configuration.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    configuration.poolSize = 4
    return configuration
}

/// A service over `driver`, with the tests' quiet logger.
func service(_ driver: PostgresDriver, embedder: any Embedder = HashingEmbedder(), migratesOnFirstUse: Bool = true)
    -> MemoryService
{
    MemoryService(driver: driver, embedder: embedder, logger: testLogger, migratesOnFirstUse: migratesOnFirstUse)
}

/// Runs `body` with a service (and its driver) on a fresh schema, dropping the schema afterwards.
func withIsolatedService<T: Sendable>(
    migrate: Bool = true, _ body: (MemoryService, PostgresDriver) async throws -> T
) async throws -> T {
    let configuration = try isolatedConfiguration()
    return try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
        let store = service(driver)
        if migrate { try await store.migrateUp() }
        do {
            let result = try await body(store, driver)
            try await dropSchema(driver)
            return result
        } catch {
            try? await dropSchema(driver)
            throw error
        }
    }
}

func dropSchema(_ driver: PostgresDriver) async throws {
    try await driver.transaction(.store) { connection in
        try await connection.query(
            PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(driver.postgres.schema) CASCADE"), logger: testLogger)
    }
}

/// Fails the test unless `body` throws an ``EngramError`` with `code`; returns it.
@discardableResult
func expectEngramError<T>(
    _ code: EngramError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> EngramError? {
    do {
        _ = try await body()
        Issue.record("Expected EngramError \(code), but the call succeeded.", sourceLocation: sourceLocation)
    } catch let error as EngramError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("Expected EngramError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// What `body` returned or threw, or `nil` when it had not ended after `limit`: a hang. `body` runs in a task of its
/// own that nobody waits for, so that a test ends (and fails) even when `body` never returns and ignores
/// cancellation. `limit` is generous: only a hang exceeds it.
func outcome<T: Sendable>(within limit: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<
    T, any Error
>? {
    let first = FirstOutcome<Result<T, any Error>?>()
    return await withCheckedContinuation { continuation in
        first.start(continuation)
        let timer = Task {
            try? await Task.sleep(for: limit)
            first.resume(with: nil)
        }
        Task {
            do {
                first.resume(with: .success(try await body()))
            } catch {
                first.resume(with: .failure(error))
            }
            timer.cancel()
        }
    }
}

/// A continuation resumed once, by whichever result comes first.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

    /// Takes the continuation; call before anything can resume it.
    func start(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(with value: Value) {
        if let continuation = continuation.withLock({ $0.take() }) { continuation.resume(returning: value) }
    }
}

extension PostgresConnection {
    /// All rows of `query`, decoded by `decode` (no deadline: for tests).
    func rows<T>(_ query: PostgresQuery, logger: Logger, _ decode: (PostgresRow) throws -> T) async throws -> [T] {
        var result: [T] = []
        for try await row in try await self.query(query, logger: logger) { result.append(try decode(row)) }
        return result
    }

    /// The first row of `query`, decoded by `decode`, if any (no deadline: for tests).
    func first<T>(_ query: PostgresQuery, logger: Logger, _ decode: (PostgresRow) throws -> T) async throws -> T? {
        try await self.query(query, logger: logger).collect().first.map(decode)
    }
}

/// A server error postgres-nio describes in full: `PSQLError`'s own description hides the server's message (it may
/// hold values), which leaves a failing test saying nothing; the tests' statements hold none.
struct ReadablePostgresError: Error, CustomStringConvertible {
    let description: String
}

/// `body`, with a `PSQLError` rethrown as a ``ReadablePostgresError`` (for a test's own statements, outside the
/// driver, which translates its errors itself).
@discardableResult
func readable<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PSQLError {
        throw ReadablePostgresError(description: String(reflecting: error))
    }
}
