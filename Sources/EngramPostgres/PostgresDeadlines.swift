import EngramCore

/// How long the driver waits on PostgreSQL before it gives up with `database_unavailable`, from the timeouts
/// `DATABASE_URL` already has. A `Sendable` value.
///
/// - One statement (sending it and reading all its rows): at most `statement_timeout + connect_timeout` (default
///   40 s). The server cancels a statement itself after `statement_timeout`; the extra `connect_timeout` lets that
///   answer arrive. Past it, the server or the network has stopped answering: the connection is closed, which rolls
///   the transaction back (unless the statement was its `COMMIT`). With `statement_timeout=0`, statements have no
///   deadline.
/// - Whatever the deadlines, a statement on a connection that has closed fails as soon as the connection is closed.
/// - A pooled connection: the wait ends once the pool has handed out or taken back no connection for
///   `connect_timeout + statement_timeout` (default 40 s; ``PoolProgress``): long enough to open a connection, or for
///   a busy connection to finish a statement. A busy pool keeps a lease waiting for as long as it keeps moving (a
///   queue of transactions, each bounded as above); a pool that reaches no server, or whose connections all hang,
///   fails it then, without a transaction begun.
///
/// So every operation ends: it runs a bounded number of statements, each bounded, after a lease that ends once the
/// pool stops moving.
struct PostgresDeadlines: Sendable {
    /// The longest the pool may make no progress while a lease waits for a connection.
    var lease: Duration
    /// The longest wait for one statement's answer, or `nil` for none.
    var statement: Duration?
    /// The server, as errors name it (`host:port`, or the socket path).
    var server: String

    init(_ postgres: PostgresConfiguration) {
        lease = postgres.connectTimeout + postgres.statementTimeout
        statement = postgres.statementTimeout > .zero ? postgres.statementTimeout + postgres.connectTimeout : nil
        let (host, port) = postgres.hostDescription
        server = host + (port.map { ":\($0)" } ?? "")
    }

    /// The pool handed out no connection for too long while a lease waited.
    var leaseTimedOut: EngramError {
        EngramError(
            .databaseUnavailable,
            "No PostgreSQL connection to \(server) came free for \(Self.describe(lease)) (connect_timeout + statement_timeout in DATABASE_URL): the server does not answer, or every pool_size connection stayed busy. Nothing was written; check the server (engram doctor) and retry."
        )
    }

    /// A statement got no answer in time, so its connection was closed.
    var statementTimedOut: EngramError {
        EngramError(
            .databaseUnavailable,
            "PostgreSQL at \(server) did not answer within \(Self.describe(statement ?? .zero)) (statement_timeout + connect_timeout in DATABASE_URL), so the connection was closed; check the server (engram doctor) and retry."
        )
    }

    /// The connection closed while a statement waited on it, or before it was sent.
    var connectionLost: EngramError {
        EngramError(
            .databaseUnavailable,
            "The connection to PostgreSQL at \(server) closed (the server stopped, restarted or dropped it); check that the server runs (engram doctor) and retry."
        )
    }

    /// `10 s`, or `1500 ms` when not whole seconds.
    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return attoseconds == 0 ? "\(seconds) s" : "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }
}
