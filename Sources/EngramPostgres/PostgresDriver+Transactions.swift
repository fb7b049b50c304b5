import EngramCore
import Foundation
import Logging
import PostgresNIO

extension PostgresDriver {
    /// How many times a write transaction runs before a serialization failure or a deadlock is reported.
    static let maxAttempts = 5

    /// SQLSTATEs after which running the whole transaction again may succeed: serialization failure, deadlock.
    static let retryableStates: Set<String> = ["40001", "40P01"]

    /// One snapshot: `REPEATABLE READ READ ONLY`, scoped like a write.
    public func read<T: Sendable>(
        _ scope: StorageScope, _ body: (any StorageTransaction) async throws -> T
    ) async throws -> T {
        do {
            return try await perform(
                scope, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", holdsUser: false, body)
        } catch {
            throw translate((error as? FailedTransaction)?.error ?? error)
        }
    }

    /// A `READ COMMITTED` transaction, run again (up to ``maxAttempts`` times, after a short random pause) when
    /// it fails with a serialization failure or a deadlock.
    public func write<T: Sendable>(
        _ scope: StorageScope, _ body: (any StorageTransaction) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await perform(scope, begin: "BEGIN", holdsUser: true, body)
            } catch let failure as FailedTransaction {
                guard attempt < Self.maxAttempts, let state = failure.sqlState, Self.retryableStates.contains(state)
                else { throw translate(failure.error) }
                logger.debug(
                    "transaction conflict; retrying", metadata: ["sqlstate": "\(state)", "attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 2...10) * attempt * attempt))
                attempt += 1
            } catch {
                throw translate(error)
            }
        }
    }

    /// Runs `body` with the connection of a transaction scoped to `scope` (row-level security and search path
    /// set); any error rolls it back and is translated. For administration, backups and tests.
    @discardableResult
    func transaction<T: Sendable>(
        _ scope: StorageScope, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await perform(scope, begin: "BEGIN", holdsUser: false) { tx in try await body(tx.connection) }
        } catch {
            throw translate((error as? FailedTransaction)?.error ?? error)
        }
    }

    /// Leases a connection, opens a transaction with `begin`, scopes it, runs `body` and commits; on any error,
    /// rolls back and throws a ``FailedTransaction`` that keeps the SQLSTATE which failed it (errors untranslated).
    ///
    /// With `holdsUser`, a transaction scoped to a user first takes a `KEY SHARE` lock on the user's row, as a
    /// foreign key check would: writers of one user do not block each other, but the user's erasure (`FOR UPDATE`)
    /// waits for them, and a write that begins after it waits for it and then finds no user. Without it, a write
    /// that had checked the user just before an erasure committed failed on a foreign key instead (SQLite's single
    /// writer needs no lock for this).
    ///
    /// Every wait is bounded (``PostgresDeadlines``): the lease by `connect_timeout`, each statement by
    /// `statement_timeout + connect_timeout`, and a statement on a connection that closes fails at once, so a
    /// transaction ends even when the server goes away under it.
    ///
    /// The pool learns that a connection closed a moment after it did, and can hand it out in between (say, right
    /// after a deadline closed it). A transaction whose `BEGIN` fails on a connection that has closed has done
    /// nothing, so it runs again on another lease, up to ``leaseAttempts`` times in all.
    func perform<T: Sendable>(
        _ scope: StorageScope, begin: PostgresQuery, holdsUser: Bool, _ body: (PostgresTransaction) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await performOnce(scope, begin: begin, holdsUser: holdsUser, body)
            } catch let closed as ClosedBeforeBegin {
                guard attempt < Self.leaseAttempts else { throw FailedTransaction(error: closed.error, sqlState: nil) }
                logger.debug("leased a closed connection; leasing another", metadata: ["attempt": "\(attempt)"])
                attempt += 1
            }
        }
    }

    /// How many leases a transaction tries when each connection it gets turns out closed.
    static let leaseAttempts = 3

    /// The `BEGIN` of a transaction failed because its connection had closed: nothing ran.
    private struct ClosedBeforeBegin: Error {
        var error: any Error
    }

    /// One lease and one attempt of ``perform(_:begin:holdsUser:_:)``.
    private func performOnce<T: Sendable>(
        _ scope: StorageScope, begin: PostgresQuery, holdsUser: Bool, _ body: (PostgresTransaction) async throws -> T
    ) async throws -> T {
        try await withLease { connection in
            let tx = PostgresTransaction(connection: connection, driver: self)
            var (begun, committing) = (false, false)
            do {
                try await connection.execute(begin, within: deadlines, logger: logger)
                begun = true
                try await self.scope(connection, to: scope, holdingUser: holdsUser)
                let result = try await body(tx)
                // A statement failed and the caller went on: PostgreSQL would answer COMMIT with a silent rollback.
                if tx.failedState != nil { throw PostgresTransaction.abandoned }
                committing = true
                try await connection.execute("COMMIT", within: deadlines, logger: logger)
                return result
            } catch {
                if !begun, connection.isClosed { throw ClosedBeforeBegin(error: error) }
                if !committing { _ = try? await connection.execute("ROLLBACK", within: deadlines, logger: logger) }
                throw FailedTransaction(error: error, sqlState: tx.failedState ?? PostgresErrors.sqlState(of: error))
            }
        }
    }

    /// Runs `body` with a connection leased from the pool (waiting while the pool makes progress, see
    /// ``PostgresLease``) and gives the connection back afterwards.
    func withLease<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let lease = PostgresLease(progress: progress, probe: probe)
        let connection = try await lease.connection(from: client, within: deadlines)
        do {
            let result = try await body(connection)
            await lease.giveBack()
            return result
        } catch {
            await lease.giveBack()
            throw error
        }
    }

    /// Points the transaction at the schema and at its user (or whole-store access), checks that the role may use
    /// the schema (without USAGE, names in it would just look missing) and, with `holdingUser`, takes the `KEY SHARE`
    /// lock on the user's row (``perform(_:begin:holdsUser:_:)``): one round trip. The lock names its table with the
    /// schema, since a `search_path` set by a statement applies from the next one.
    func scope(_ connection: PostgresConnection, to scope: StorageScope, holdingUser: Bool) async throws {
        let (userID, admin) =
            switch scope {
            case .user(let id): (id, "off")
            case .store: ("", "on")
            }
        let searchPath = "\(postgres.schema), public"
        var query: PostgresQuery = """
            SELECT set_config('search_path', \(searchPath), true), set_config('engram.user_id', \(userID), true),
                set_config('engram.admin', \(admin), true),
                (SELECT has_schema_privilege(oid, 'USAGE') FROM pg_namespace WHERE nspname = \(postgres.schema)),
            """
        // A read-only transaction may not lock rows, even none: without the lock the column is a constant.
        if holdingUser, case .user(let id) = scope {
            let users = "\"\(postgres.schema)\".users"
            query.sql += " (SELECT true FROM \(users) WHERE id = \(try query.bind(id)) FOR KEY SHARE)"
        } else {
            query.sql += " NULL::bool"
        }
        let usable = try await connection.first(query, within: deadlines, logger: logger) {
            try $0.decode((String, String, String, Bool?, Bool?).self).3
        }
        if usable == false {
            throw PostgresErrors.engramError(sqlState: "42501", database: postgres.database)
        }
    }
}

/// A transaction that failed: the error, untranslated, and the SQLSTATE of the statement that failed it.
struct FailedTransaction: Error {
    var error: any Error
    var sqlState: String?
}
