import EngramCore
import Logging
import PostgresNIO
import Synchronization

/// Whether PostgreSQL accepts connections, found by opening one outside the pool: asked by a lease that has waited
/// ``delay`` while the pool made no progress, so that a stopped server fails the request at once with
/// `database_unavailable` instead of after the whole lease deadline (40 s by default).
///
/// Why: while the server refuses connections, postgres-nio's pool keeps its requests queued and retries with
/// back-off, and fails them only when its circuit breaker trips (a minute after the first failed attempt), so a
/// lease could only wait for ``PostgresDeadlines/lease``. A refused connection is an answer: nothing will be leased
/// until the server is back. A server that accepts the probe leaves the lease waiting, as before, for a pool that is
/// busy or reconnecting. One probe runs at a time; leases that ask meanwhile share its answer, and an answer serves
/// for ``reuse``.
final class ServerProbe: Sendable {
    /// How long a lease waits on a pool that makes no progress before it asks.
    static let delay: Duration = .milliseconds(500)
    /// How long an answer serves later leases.
    static let reuse: Duration = .milliseconds(250)

    private struct State {
        var running: Task<EngramError?, Never>?
        var answer: (at: ContinuousClock.Instant, error: EngramError?)?
    }

    private let state = Mutex(State())
    private let connect: @Sendable () async -> EngramError?

    /// A probe that opens (and closes) a connection of `configuration`; a failure to connect is `translate`d.
    init(
        _ configuration: PostgresConnection.Configuration, logger: Logger,
        translate: @escaping @Sendable (any Error) -> EngramError
    ) {
        connect = {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 0, logger: logger)
                try? await connection.close()
                return nil
            } catch {
                let engramError = translate(error)
                return engramError.code == .databaseUnavailable ? engramError : nil
            }
        }
    }

    /// Why the server cannot be reached now, or `nil` when it accepts connections (or refuses for another reason,
    /// such as a wrong password, which the pool reports itself).
    func unreachable() async -> EngramError? {
        let task = state.withLock { state -> Task<EngramError?, Never> in
            if let running = state.running { return running }
            if let answer = state.answer, answer.at + Self.reuse > .now {
                return Task { answer.error }
            }
            let running = Task { [connect] in await connect() }
            state.running = running
            return running
        }
        let error = await task.value
        state.withLock { state in
            if state.running == task {
                state.running = nil
                state.answer = (.now, error)
            }
        }
        return error
    }
}
