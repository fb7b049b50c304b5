import PostgresNIO
import Synchronization

/// When a connection pool last handed a connection out or took one back, as the leases of this module see it: one
/// per `PostgresClient`, shared by every driver on it (drivers on one pool see each other's progress).
///
/// A lease gives up when the pool has made no progress for a while (``PostgresDeadlines/lease``), not when it has
/// merely waited that long: a pool whose connections are all busy still hands one over as each transaction ends,
/// however long the queue, while a pool that can reach no server hands out nothing.
final class PoolProgress: Sendable {
    private let last = Mutex(ContinuousClock.now)

    /// The last hand-out or return.
    var lastProgress: ContinuousClock.Instant { last.withLock { $0 } }

    /// Notes a hand-out or a return, now.
    func note() {
        last.withLock { $0 = .now }
    }

    private struct Entry {
        weak var client: PostgresClient?
        let progress: PoolProgress
    }

    /// The progress of each pool that is still alive.
    private static let pools = Mutex<[ObjectIdentifier: Entry]>([:])

    /// The progress of `client`'s pool.
    static func of(_ client: PostgresClient) -> PoolProgress {
        let key = ObjectIdentifier(client)
        return pools.withLock { pools in
            if let entry = pools[key], entry.client === client { return entry.progress }
            pools = pools.filter { $0.value.client != nil }
            let progress = PoolProgress()
            pools[key] = Entry(client: client, progress: progress)
            return progress
        }
    }
}
