import EngramCore
import Foundation
import PostgresNIO
import Testing

@testable import EngramPostgres

/// Every wait on the server ends (``PostgresDeadlines``): a statement on a connection that has closed fails at once,
/// a statement the server does not answer fails at its deadline, and so does waiting for a connection of a pool that
/// hands none out; each with `database_unavailable`. The 60 s limits only tell a hang from an answer; no duration is
/// asserted.
@Suite(.enabled(if: serverAvailable, "needs ENGRAM_TEST_DATABASE_URL (scripts/test.sh starts the server)"))
struct PostgresDeadlineTests {
    /// What a server restart does to a pooled connection, made certain: the server ends the transaction's
    /// connection, and the next statement is written to the closed channel. postgres-nio drops that write without
    /// failing the statement, whose await then never returned.
    @Test func aStatementOnAClosedConnectionFailsAtOnce() async throws {
        try await withIsolatedService { store, driver in
            _ = try await store.createUser(UserDraft(id: "alice"))
            let result = await outcome(within: .seconds(60)) {
                try await driver.write(.user("alice")) { tx in
                    let tx = try #require(tx as? PostgresTransaction)
                    _ = try? await tx.execute("SELECT pg_terminate_backend(pg_backend_pid())")
                    try await tx.connection.closeFuture.get()
                    try await tx.execute("SELECT 1")
                }
            }
            let error = try expectUnavailable(result)
            #expect(error.message.contains("closed"), "\(error)")
            // The pool dropped the closed connection: the next operation gets a new one.
            #expect(try await store.user("alice").id == "alice")
        }
    }

    /// A statement the server no longer cancels (its transaction turned `statement_timeout` off) and that runs past
    /// the driver's deadline, statement_timeout + connect_timeout = 11 s here: the driver stops waiting and closes the
    /// connection.
    @Test func aStatementPastItsDeadlineFailsAndItsConnectionCloses() async throws {
        var configuration = try isolatedConfiguration()
        configuration.statementTimeout = .seconds(1)
        configuration.connectTimeout = .seconds(10)
        try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
            try await openConnection(driver)
            let result = await outcome(within: .seconds(60)) {
                try await driver.write(.store) { tx in
                    let tx = try #require(tx as? PostgresTransaction)
                    try await tx.execute("SET LOCAL statement_timeout = 0")
                    try await tx.execute("SELECT pg_sleep(30)")
                }
            }
            let error = try expectUnavailable(result)
            #expect(error.message.contains("did not answer"), "\(error)")
            #expect(error.message.contains("statement_timeout + connect_timeout"), "\(error)")
            let answer = try await driver.write(.store) { tx in
                try await #require(tx as? PostgresTransaction).integer("SELECT 1")
            }
            #expect(answer == 1)
        }
    }

    /// The only connection of the pool stays busy, so the pool hands out nothing: waiting for it ends once
    /// connect_timeout + statement_timeout (2 s here) have passed without progress, and once the connection is free,
    /// the next operation gets it.
    @Test func waitingForAStuckPoolEndsAtTheLeaseDeadline() async throws {
        var configuration = try isolatedConfiguration()
        configuration.poolSize = 1
        configuration.connectTimeout = .seconds(1)
        configuration.statementTimeout = .seconds(1)
        try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
            let (leased, leasedSignal) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Ends the wait below even if this write never gets its connection.
                    defer { leasedSignal.finish() }
                    try await retryingUntilConnected {
                        try await driver.write(.store) { _ in
                            leasedSignal.yield()
                            for await _ in release { break }
                        }
                    }
                }
                for await _ in leased { break }
                let result = await outcome(within: .seconds(60)) { try await driver.write(.store) { _ in 1 } }
                releaseSignal.yield()
                try await group.waitForAll()
                return result
            }
            let error = try expectUnavailable(result)
            #expect(error.message.contains("came free"), "\(error)")
            #expect(try await driver.write(.store) { _ in 2 } == 2)
        }
    }

    /// A server that refuses connections (nothing listens on port 1) is an answer: the request fails with "cannot
    /// connect" once ``ServerProbe`` has asked, long before the lease deadline (connect_timeout + statement_timeout =
    /// 120 s here, past the 60 s that tell a hang), while the pool goes on retrying. The stuck-pool test below shows
    /// the other side: a server that accepts connections leaves the lease waiting.
    @Test func waitingOnAServerThatRefusesConnectionsEndsAtOnce() async throws {
        var configuration = try isolatedConfiguration()
        configuration.endpoint = .tcp(host: "127.0.0.1", port: 1)
        configuration.connectTimeout = .seconds(60)
        configuration.statementTimeout = .seconds(60)
        try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
            for _ in 0..<2 {
                let result = await outcome(within: .seconds(60)) { try await driver.write(.store) { _ in 1 } }
                let error = try expectUnavailable(result)
                #expect(error.message.contains("Cannot connect to PostgreSQL at 127.0.0.1:1"), "\(error)")
            }
        }
    }

    /// Opens the pool's first connection, so that the test's own statements do not wait for one (however loaded the
    /// machine, and short the test's connect_timeout).
    private func openConnection(_ driver: PostgresDriver) async throws {
        try await retryingUntilConnected { try await driver.write(.store) { _ in } }
    }

    /// Runs `body` again while it fails with `database_unavailable`, for up to a minute.
    private func retryingUntilConnected(_ body: () async throws -> Void) async throws {
        let start = ContinuousClock.now
        while true {
            do {
                return try await body()
            } catch let error as EngramError
                where error.code == .databaseUnavailable && ContinuousClock.now - start < .seconds(60)
            {
                continue
            }
        }
    }

    /// The error of an operation that must have ended with `database_unavailable`.
    private func expectUnavailable<T>(
        _ result: Result<T, any Error>?, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> EngramError {
        let result = try #require(result, "no answer within 60 s: the operation hung", sourceLocation: sourceLocation)
        let failure = try #require(
            result.failure, "expected database_unavailable, but the operation succeeded", sourceLocation: sourceLocation
        )
        let error = try #require(failure as? EngramError, "\(failure)", sourceLocation: sourceLocation)
        #expect(error.code == .databaseUnavailable, "\(error)", sourceLocation: sourceLocation)
        return error
    }
}

extension Result {
    /// The error, if this is a failure.
    var failure: Failure? {
        guard case .failure(let error) = self else { return nil }
        return error
    }
}
