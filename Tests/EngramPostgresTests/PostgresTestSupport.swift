import EngramCore
import Foundation
import Logging
import PostgresNIO
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
