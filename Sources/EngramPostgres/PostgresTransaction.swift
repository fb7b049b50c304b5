import EngramCore
import Foundation
import Logging
import PostgresNIO

/// The row operations of one PostgreSQL transaction (``StorageTransaction``), on the connection the driver leased
/// for it. Every value is a bind.
///
/// A failed statement throws an ``EngramError`` and is remembered (``failedState``), so that the driver can tell a
/// serialization failure or a deadlock, and run the whole transaction again, whatever the caller did with the
/// error.
final class PostgresTransaction {
    let connection: PostgresConnection
    let driver: PostgresDriver
    /// The SQLSTATE of the first statement that failed, if any.
    private(set) var failedState: String?

    init(connection: PostgresConnection, driver: PostgresDriver) {
        self.connection = connection
        self.driver = driver
    }

    var logger: Logger { driver.logger }

    /// What a transaction reports when its body returned although one of its statements failed.
    static let abandoned = EngramError(
        .storageFailure, "A statement of the transaction failed, so it was rolled back; nothing was written. Retry it.")

    /// Runs a statement to its end, discarding any rows (an error can come after the first rows, say a deadlock
    /// while locking them).
    func execute(_ query: PostgresQuery) async throws {
        do {
            try await connection.execute(query, within: driver.deadlines, logger: logger)
        } catch {
            throw failed(error)
        }
    }

    /// Every row of `query`, decoded by `decode`.
    func rows<T>(_ query: PostgresQuery, _ decode: (PostgresRow) throws -> T) async throws -> [T] {
        do {
            return try await connection.rows(query, within: driver.deadlines, logger: logger, decode)
        } catch {
            throw failed(error)
        }
    }

    /// The first row of `query`, decoded by `decode`, if any.
    func first<T>(_ query: PostgresQuery, _ decode: (PostgresRow) throws -> T) async throws -> T? {
        do {
            return try await connection.first(query, within: driver.deadlines, logger: logger, decode)
        } catch {
            throw failed(error)
        }
    }

    /// The first column of the first row of `query`, as an integer (0 without a row or for NULL).
    func integer(_ query: PostgresQuery) async throws -> Int {
        try await first(query) { try $0.decode(Int?.self) }.flatMap { $0 } ?? 0
    }

    /// How many rows a data-modifying statement (`INSERT`, `UPDATE` or `DELETE`, without `RETURNING`) changed.
    func changes(_ statement: PostgresQuery) async throws -> Int {
        var counted = statement
        counted.sql = "WITH changed AS (\(statement.sql) RETURNING 1) SELECT count(*) FROM changed"
        return try await integer(counted)
    }

    /// The `vector` type's OID in this database, looked up once per driver.
    func vectorType() async throws -> PostgresDataType {
        if let known = driver.vectorOID.withLock({ $0 }) { return known }
        let oid = try await first("SELECT to_regtype('vector')::oid::int8") { try $0.decode(Int64?.self) }
        guard let oid = oid.flatMap({ $0 }) else {
            throw EngramError(
                .storageFailure, "The pgvector extension is missing; a superuser must run CREATE EXTENSION vector once."
            )
        }
        let type = PostgresDataType(UInt32(oid))
        driver.vectorOID.withLock { $0 = type }
        return type
    }

    /// Remembers the first failure's SQLSTATE and translates the error.
    private func failed(_ error: any Error) -> EngramError {
        if failedState == nil { failedState = PostgresErrors.sqlState(of: error) }
        return driver.translate(error)
    }
}
