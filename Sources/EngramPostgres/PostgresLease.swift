import EngramCore
import PostgresNIO
import Synchronization

/// A connection leased from the pool for one transaction, with a bound on the wait for it.
///
/// postgres-nio leases only through `PostgresClient.withConnection`, which waits for a connection (a free one, a new
/// one, or a busy one's release) as long as the pool takes: while the server is down, until its circuit breaker trips
/// a minute after the first failed attempt (and not at all while another connection is still open, say one whose
/// keep-alive query waits on a dead network). Here a task of the lease's own calls `withConnection` and hands the
/// connection over; the transaction waits for the hand-over until the pool has made no progress for
/// ``PostgresDeadlines/lease`` (``PoolProgress``). Then the lease task is cancelled, which takes its request out of the
/// pool's queue, and the transaction fails without waiting for that task to end: had it been a child in a task group,
/// the group would wait for it, and a cancellation that reaches the pool just before the request is queued is lost
/// (the request then waits for the next free connection). Once the transaction gives the connection back, the lease
/// task returns it to the pool and ends; a connection leased after the transaction gave up goes straight back.
///
/// The deadline is checked on an event loop, but decided in a task: a hand-over the pool made before the deadline is
/// then already queued ahead of the decision, even when the concurrency pool is saturated.
///
/// A lease that waits while the pool makes no progress also asks ``ServerProbe``, every ``ServerProbe/delay``, whether
/// the server accepts connections at all, and gives up at once when it does not.
final class PostgresLease: Sendable {
    private enum State {
        /// Waiting for the pool; the transaction may be waiting for the hand-over.
        case waiting(CheckedContinuation<PostgresConnection, any Error>?)
        /// Leased before the transaction asked for it; the lease task may be waiting for it back already.
        case ready(PostgresConnection, CheckedContinuation<Void, Never>?)
        /// Handed over; the lease task may be waiting for it back.
        case inUse(CheckedContinuation<Void, Never>?)
        /// Given back, or given up with this error.
        case ended((any Error)?)
    }

    private let state = Mutex(State.waiting(nil))
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let timer = Mutex<Scheduled<Void>?>(nil)
    private let probeTimer = Mutex<Scheduled<Void>?>(nil)
    private let progress: PoolProgress
    private let probe: ServerProbe

    init(progress: PoolProgress, probe: ServerProbe) {
        self.progress = progress
        self.probe = probe
    }

    /// Leases a connection from `client`, or throws ``PostgresDeadlines/leaseTimedOut`` once the pool has made no
    /// progress for `deadlines.lease` while this lease waited. Give it back with ``giveBack()``.
    func connection(from client: PostgresClient, within deadlines: PostgresDeadlines) async throws -> PostgresConnection
    {
        let lease = Task {
            do {
                try await client.withConnection { connection in
                    if self.handOver(connection) { await self.untilGivenBack() }
                }
            } catch {
                self.end(error)
            }
        }
        task.withLock { $0 = lease }
        let start = ContinuousClock.now
        watch(since: start, within: deadlines, lease: lease)
        probeLater(lease: lease)
        defer {
            timer.withLock { $0.take() }?.cancel()
            probeTimer.withLock { $0.take() }?.cancel()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let now: Result<PostgresConnection, any Error>? = state.withLock { state in
                    switch state {
                    case .waiting:
                        state = .waiting(continuation)
                        return nil
                    case .ready(let connection, let lease):
                        state = .inUse(lease)
                        return .success(connection)
                    case .ended(let error):
                        return .failure(error ?? CancellationError())
                    case .inUse:
                        preconditionFailure("a lease hands its connection over once")
                    }
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            lease.cancel()
        }
    }

    /// Checks, once `deadlines.lease` has passed since the later of `start` and the pool's last progress, whether
    /// the lease still waits and the pool has not moved since; then gives up, else checks again later.
    private func watch(
        since start: ContinuousClock.Instant, within deadlines: PostgresDeadlines, lease: Task<Void, Never>
    ) {
        let due = max(start, progress.lastProgress) + deadlines.lease
        let check = PostgresConnection.defaultEventLoopGroup.any().scheduleTask(
            in: TimeAmount(max(due - .now, .zero))
        ) {
            _ = Task {
                guard self.isWaiting else { return }
                if max(start, self.progress.lastProgress) + deadlines.lease > .now {
                    self.watch(since: start, within: deadlines, lease: lease)
                } else if self.end(deadlines.leaseTimedOut) {
                    lease.cancel()
                }
            }
        }
        let stale = timer.withLock { timer in
            defer { timer = check }
            return timer
        }
        stale?.cancel()
    }

    /// Every ``ServerProbe/delay`` while the lease waits: when the pool has made no progress for that long, asks the
    /// probe whether the server accepts connections, and gives up with its error if not.
    private func probeLater(lease: Task<Void, Never>) {
        let check = PostgresConnection.defaultEventLoopGroup.any().scheduleTask(in: TimeAmount(ServerProbe.delay)) {
            _ = Task {
                guard self.isWaiting else { return }
                if self.progress.lastProgress + ServerProbe.delay <= .now, let error = await self.probe.unreachable() {
                    if self.end(error) { lease.cancel() }
                    return
                }
                self.probeLater(lease: lease)
            }
        }
        probeTimer.withLock { $0 = check }
    }

    private var isWaiting: Bool {
        state.withLock { state in
            guard case .waiting = state else { return false }
            return true
        }
    }

    /// Gives the connection back: the lease task returns it to the pool; waits until it has.
    func giveBack() async {
        let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard case .inUse(let continuation) = state else { return nil }
            state = .ended(nil)
            return continuation
        }
        progress.note()
        waiting?.resume()
        await task.withLock { $0 }?.value
    }

    /// The pool leased `connection`: hands it to the transaction, unless it gave up waiting.
    private func handOver(_ connection: PostgresConnection) -> Bool {
        let waiting = state.withLock { state -> CheckedContinuation<PostgresConnection, any Error>?? in
            guard case .waiting(let continuation) = state else { return nil }
            state = continuation == nil ? .ready(connection, nil) : .inUse(nil)
            return .some(continuation)
        }
        progress.note()
        guard let waiting else { return false }
        waiting?.resume(returning: connection)
        return true
    }

    /// Waits (in the lease task, holding the connection) until the transaction gives the connection back.
    private func untilGivenBack() async {
        await withCheckedContinuation { continuation in
            let givenBack = state.withLock { state in
                switch state {
                case .ready(let connection, nil):
                    state = .ready(connection, continuation)
                    return false
                case .inUse(nil):
                    state = .inUse(continuation)
                    return false
                case .ended:
                    return true
                case .waiting, .ready, .inUse:
                    preconditionFailure("the lease task waits for its connection once, after handing it over")
                }
            }
            if givenBack { continuation.resume() }
        }
    }

    /// Gives up waiting for the pool with `error`; returns whether the lease was still waiting.
    @discardableResult
    private func end(_ error: any Error) -> Bool {
        let ended = state.withLock { state -> CheckedContinuation<PostgresConnection, any Error>?? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .ended(error)
            return .some(continuation)
        }
        guard let ended else { return false }
        ended?.resume(throwing: error)
        return true
    }
}
