import EngramCore
import Logging
import PostgresNIO
import Synchronization

/// Statements that end: every statement the driver runs returns, or fails with `database_unavailable`, within the
/// statement deadline of ``PostgresDeadlines``, and at once when its connection closes.
///
/// Why: the postgres-nio 1.33.2 this package builds with writes a statement to the channel with `promise: nil` in
/// `PostgresConnection.query`, then awaits a promise that only the channel's handler completes. Once the channel has
/// closed, its handlers are gone: the write fails unseen, and the await never returns (nor does it respond to
/// cancellation). The pool can lease such a connection: it learns that a connection closed from the connection's
/// close future, which completes after the channel has closed, and a lease in between gets the dead connection. Its
/// transaction's `BEGIN` then waited forever: no socket, no progress, however long after the server was back.
/// (Upstream's fix, vapor/postgres-nio#487, fails the statement when its write fails; with it, the watch below is a
/// second line of defence.)
///
/// How: ``run(within:_:)`` starts the statement in a task of its own and waits for the first of three things: the
/// statement's end, its connection closing (``ConnectionWatch``), or the deadline, after which it closes the
/// connection (so that the server rolls the transaction back and the pool drops it). Racing inside a task group
/// would not do: a group waits for all its children before it returns, and the child awaiting the lost write never
/// ends. When a connection closes under a statement, that statement's task may stay suspended for good: a few small
/// objects, once per lost connection. Later statements on the closed connection fail before they start.
extension PostgresConnection {
    /// Runs `query` to its end, discarding any rows (an error can come after the first rows, say a deadlock while
    /// locking them).
    func execute(_ query: PostgresQuery, within deadlines: PostgresDeadlines, logger: Logger) async throws {
        try await run(within: deadlines) { connection in
            for try await _ in try await connection.query(query, logger: logger) {}
        }
    }

    /// All rows of `query`, decoded by `decode`.
    func rows<T>(
        _ query: PostgresQuery, within deadlines: PostgresDeadlines, logger: Logger,
        _ decode: (PostgresRow) throws -> T
    ) async throws -> [T] {
        try await run(within: deadlines) { connection in
            try await connection.query(query, logger: logger).collect()
        }.map(decode)
    }

    /// The first row of `query`, decoded by `decode`, if any.
    func first<T>(
        _ query: PostgresQuery, within deadlines: PostgresDeadlines, logger: Logger,
        _ decode: (PostgresRow) throws -> T
    ) async throws -> T? {
        try await run(within: deadlines) { connection in
            try await connection.query(query, logger: logger).collect()
        }.first.map(decode)
    }

    /// Runs `statement` (one round trip on this connection, rows included) and returns its result; or throws
    /// `connectionLost` as soon as the connection closes, or `statementTimedOut` (closing the connection) when the
    /// deadline passes first. Cancelling the caller cancels the statement's task.
    func run<T: Sendable>(
        within deadlines: PostgresDeadlines, _ statement: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let watch = ConnectionWatch.of(self)
        let wait = StatementWait<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                wait.start(continuation)
                // The closing and the deadline are acted on in a task of their own: the statement's own end (say, the
                // server's error before it closed the connection), when it came first, is then queued ahead of them.
                let lost = watch.add { _ = Task { wait.finish(.failure(deadlines.connectionLost)) } }
                guard let lost else {
                    wait.finish(.failure(deadlines.connectionLost))
                    return
                }
                wait.onFinish { watch.remove(lost) }
                if let deadline = deadlines.statement {
                    let timer = eventLoop.scheduleTask(in: TimeAmount(deadline)) {
                        _ = Task {
                            if wait.finish(.failure(deadlines.statementTimedOut)) {
                                let _: EventLoopFuture<Void> = self.close()
                            }
                        }
                    }
                    wait.onFinish { timer.cancel() }
                }
                wait.launch {
                    Task {
                        do {
                            wait.finish(.success(try await statement(self)))
                        } catch {
                            wait.finish(.failure(error))
                        }
                    }
                }
            }
        } onCancel: {
            wait.cancel()
        }
    }
}

/// The caller's side of one bounded statement: resumed once, by whichever of the statement, the connection's
/// closing and the deadline comes first.
private final class StatementWait<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var finished = false
        var cancelled = false
        var task: Task<Void, Never>?
        var cleanups: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Runs `cleanup` when the wait ends, or now if it has.
    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let ended = state.withLock { state in
            if !state.finished { state.cleanups.append(cleanup) }
            return state.finished
        }
        if ended { cleanup() }
    }

    /// Starts the statement's task unless the wait has ended, and keeps it to cancel it when the caller is cancelled
    /// or the wait ends first.
    func launch(_ start: () -> Task<Void, Never>) {
        let cancel = state.withLock { state -> Task<Void, Never>? in
            guard !state.finished else { return nil }
            let task = start()
            state.task = task
            return state.cancelled ? task : nil
        }
        cancel?.cancel()
    }

    /// Resumes the caller with `result` unless the wait has ended; returns whether it had not.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let ended = state.withLock {
            state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, [@Sendable () -> Void])? in
            guard !state.finished else { return nil }
            state.finished = true
            defer { (state.continuation, state.task, state.cleanups) = (nil, nil, []) }
            return (state.continuation, state.task, state.cleanups)
        }
        guard let (continuation, task, cleanups) = ended else { return false }
        for cleanup in cleanups { cleanup() }
        task?.cancel()
        continuation?.resume(with: result)
        return true
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}
