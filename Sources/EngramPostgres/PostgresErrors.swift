import EngramCore
import Logging
import PostgresNIO
import _ConnectionPoolModule

/// What each PostgreSQL error class means for an Engram user, and what to do about it.
enum PostgresErrors {
    /// Maps PostgreSQL and connection errors to stable codes, with what to do; never leaks values.
    static func translate(_ error: any Error, postgres: PostgresConfiguration, logger: Logger) -> EngramError {
        if let error = error as? EngramError { return error }
        if let transaction = error as? PostgresTransactionError {
            return translate(
                transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error,
                postgres: postgres, logger: logger)
        }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                return engramError(sqlState: state, database: postgres.database)
            }
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection:
                return cannotConnect(postgres)
            default:
                break
            }
        }
        // The pool stops waiting once connecting has failed for a minute (postgres-nio's circuit breaker).
        if let error = error as? ConnectionPoolError, error == .connectionCreationCircuitBreakerTripped {
            return cannotConnect(postgres)
        }
        logger.error("postgres error", metadata: ["type": "\(type(of: error))"])
        return EngramError(.storageFailure, "PostgreSQL failed; nothing was written. Run engram doctor.")
    }

    /// The SQLSTATE of a server error, if `error` is (or wraps) one.
    static func sqlState(of error: any Error) -> String? {
        if let transaction = error as? PostgresTransactionError {
            return (transaction.closureError ?? transaction.beginError ?? transaction.commitError).flatMap(sqlState)
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The server cannot be reached, or the connection to it closed.
    static func cannotConnect(_ postgres: PostgresConfiguration) -> EngramError {
        let (host, port) = postgres.hostDescription
        return EngramError(
            .databaseUnavailable,
            "Cannot connect to PostgreSQL at \(host)\(port.map { ":\($0)" } ?? ""): connection refused or closed. Start the server (scripts/pg.sh start) or fix DATABASE_URL."
        )
    }

    /// The Engram error for a server error with SQLSTATE `state`.
    static func engramError(sqlState state: String, database: String) -> EngramError {
        switch state {
        case "23505":
            EngramError(.alreadyExists, "A row with the same key already exists; nothing was written.")
        case "23503":
            EngramError(
                .invalidArgument, "A row refers to a user, session or memory that does not exist; nothing was written.")
        case "23514", "23502", "22P02", "22003", "22023":
            EngramError(.invalidArgument, "A value is outside its allowed range; nothing was written.")
        case "3D000":
            EngramError(
                .storageFailure,
                "The database \(database) does not exist; run engram init (it creates it) or create it with CREATE DATABASE."
            )
        case "42501":
            EngramError(
                .storageFailure,
                "Permission denied: the DATABASE_URL role lacks a privilege (CREATE on the database, or USAGE on the schema); grant it or use the owner role."
            )
        case "28P01", "28000":
            EngramError(.storageFailure, "PostgreSQL rejected the user name or password in DATABASE_URL; check them.")
        case "53100":
            EngramError(
                .diskFull,
                "PostgreSQL's disk is full; nothing was written. Free space on the server's data volume and retry.")
        case "53300":
            EngramError(
                .storageFailure,
                "PostgreSQL has too many connections; lower pool_size in DATABASE_URL (default 10) or raise max_connections."
            )
        case "57014":
            EngramError(
                .storageFailure, "A statement ran past the statement timeout and was cancelled; nothing was written.")
        case "57P01":
            EngramError(
                .databaseUnavailable, "The PostgreSQL server is shutting down or restarting; retry in a moment.")
        case "57P03":
            EngramError(.databaseUnavailable, "The PostgreSQL server is starting up or in recovery; retry shortly.")
        case "08000", "08003", "08006":
            EngramError(
                .databaseUnavailable,
                "The connection to PostgreSQL failed or was lost; check that the server runs (engram doctor) and retry."
            )
        case "40001", "40P01":
            EngramError(.storageFailure, "The transaction conflicted with another one and was rolled back; retry it.")
        case "42704":
            // An undefined type or operator class: `vector` or `gin_trgm_ops` while migrating.
            EngramError(
                .storageFailure,
                "The pgvector or pg_trgm extension is missing in database \(database); as a superuser run CREATE EXTENSION vector; CREATE EXTENSION pg_trgm; in it (or in template1 before creating it), then engram migrate up."
            )
        case "42P01", "42883":
            EngramError(
                .storageFailure,
                "The Engram schema or the pgvector extension is missing; run engram migrate up (CREATE EXTENSION vector needs a superuser once)."
            )
        default:
            EngramError(
                .storageFailure, "PostgreSQL failed (SQLSTATE \(state)); nothing was written. Run engram doctor.")
        }
    }
}
