import EngramCore

/// What each PostgreSQL error class means for an Engram user, and what to do about it.
enum PostgresErrors {
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
        case "53300":
            EngramError(
                .storageFailure,
                "PostgreSQL has too many connections; lower pool_size in DATABASE_URL (default 10) or raise max_connections."
            )
        case "57014":
            EngramError(
                .storageFailure, "A statement ran past the statement timeout and was cancelled; nothing was written.")
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
