import Dispatch
import GRDB
import Synchronization

/// Hands one GRDB transaction to an async body.
///
/// GRDB runs a transaction as a synchronous closure on the connection's own thread, while ``MemoryService`` writes
/// each operation once, as async code that awaits row operations. A session joins the two: GRDB's closure
/// (``serve(_:)``) runs the jobs the body sends (``run(_:)``), one at a time, on the connection's thread, until
/// the body is done (``finish(_:)``); an error of the body rolls the transaction back.
final class SQLiteSession: Sendable {
    /// One statement (or a few) to run on the connection, and how to report that it could not run.
    private struct Job: Sendable {
        var run: @Sendable (Database) -> Void
        var cancel: @Sendable (any Error) -> Void
    }

    private struct State: Sendable {
        var jobs: [Job] = []
        var finished = false
        var failure: (any Error)?
        var closed = false
    }

    private let state = Mutex(State())
    /// Signalled once per job sent and once when the body finishes.
    private let signal = DispatchSemaphore(value: 0)

    /// The error of a job sent after the transaction ended (or when it could not begin).
    struct Closed: Error {}

    /// Runs `work` on the connection inside the transaction and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in continuation.resume(with: Result { try work(db) }) },
                cancel: { error in continuation.resume(throwing: error) })
            let accepted = state.withLock { state in
                guard !state.closed else { return false }
                state.jobs.append(job)
                return true
            }
            if accepted {
                signal.signal()
            } else {
                job.cancel(Closed())
            }
        }
    }

    /// GRDB's side, inside the transaction: runs jobs until the body finishes, then returns (commit) or rethrows
    /// the body's error (rollback).
    func serve(_ db: Database) throws {
        while true {
            signal.wait()
            let (job, finished, failure) = state.withLock { state -> (Job?, Bool, (any Error)?) in
                state.jobs.isEmpty ? (nil, state.finished, state.failure) : (state.jobs.removeFirst(), false, nil)
            }
            if let job {
                job.run(db)
            } else if finished {
                if let failure { throw failure }
                return
            }
        }
    }

    /// The body is done: the transaction commits, or rolls back with `error`.
    func finish(_ error: (any Error)?) {
        state.withLock { state in
            state.finished = true
            state.failure = error
        }
        signal.signal()
    }

    /// The transaction ended, or never began: jobs still waiting, and any sent later, fail.
    func close() {
        let pending = state.withLock { state -> [Job] in
            state.closed = true
            defer { state.jobs = [] }
            return state.jobs
        }
        for job in pending { job.cancel(Closed()) }
    }
}
