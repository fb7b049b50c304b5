import EngramCore
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// Whether PostgreSQL's socket accepts connections, found by connecting to it (TCP or unix) and closing at once,
/// without PostgreSQL's startup or authentication: asked by a lease that has waited ``delay`` while the pool made no
/// progress, so that a stopped server fails the request at once with `database_unavailable` instead of after the
/// whole lease deadline (40 s by default).
///
/// Why: while the server refuses connections, postgres-nio's pool keeps its requests queued and retries with
/// back-off, and fails them only when its circuit breaker trips (a minute after the first failed attempt), so a
/// lease could only wait for ``PostgresDeadlines/lease``. A refused connection is an answer: nothing will be leased
/// until the server is back. A socket that accepts leaves the lease waiting, as before, for a pool that is busy,
/// slow to connect or reconnecting, or for a server that is starting up.
///
/// Only the socket, so that a probe never takes one of the server's connection slots: under load (many pools
/// opening their first connections on a busy machine) leases often wait longer than ``delay``, and probes that
/// logged in took `max_connections` from the pools themselves. Even a socket that is only accepted costs the server
/// a process for a moment, so probes are per server, not per driver (``of(_:)``): one runs at a time in a process,
/// the leases that ask meanwhile share its answer, and an answer serves for ``reuse``.
final class ServerProbe: Sendable {
    /// How long a lease waits on a pool that makes no progress before it asks (and again each time as long).
    static let delay: Duration = .milliseconds(500)
    /// How long an answer serves later leases.
    static let reuse: Duration = .milliseconds(250)

    private struct State {
        var running: Task<EngramError?, Never>?
        var answer: (at: ContinuousClock.Instant, error: EngramError?)?
    }

    private let state = Mutex(State())
    private let connect: @Sendable () async -> EngramError?

    private struct Server: Hashable {
        var endpoint: PostgresConfiguration.Endpoint
        var connectTimeout: Duration
    }

    /// The probes of this process, one per server.
    private static let probes = Mutex<[Server: ServerProbe]>([:])

    /// The probe of `postgres`'s server, shared by every driver of this process on it.
    static func of(_ postgres: PostgresConfiguration) -> ServerProbe {
        let server = Server(endpoint: postgres.endpoint, connectTimeout: postgres.connectTimeout)
        return probes.withLock { probes in
            if let probe = probes[server] { return probe }
            let probe = ServerProbe(postgres)
            probes[server] = probe
            return probe
        }
    }

    /// A probe of `postgres`'s endpoint, within its connect timeout; a refusal is ``PostgresErrors/cannotConnect(_:)``
    /// (the same message for every driver on the server: it names only the host and port).
    init(_ postgres: PostgresConfiguration) {
        let endpoint = postgres.endpoint
        let timeout = TimeAmount(postgres.connectTimeout)
        let refused = PostgresErrors.cannotConnect(postgres)
        connect = {
            let bootstrap = ClientBootstrap(group: PostgresConnection.defaultEventLoopGroup).connectTimeout(timeout)
            do {
                let channel =
                    switch endpoint {
                    case .tcp(let host, let port): try await bootstrap.connect(host: host, port: port).get()
                    case .unixSocket(let path): try await bootstrap.connect(unixDomainSocketPath: path).get()
                    }
                try? await channel.close()
                return nil
            } catch {
                return refused
            }
        }
    }

    /// Why the server cannot be reached now, or `nil` when its socket accepts connections.
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
