import PostgresNIO
import Synchronization

/// Tells the statements waiting on a connection that it has closed: one `closeFuture` callback per connection,
/// however many statements it runs (a callback per statement would pile up on a long-lived pooled connection).
///
/// Watches live in a registry keyed by connection and leave it when their connection closes.
final class ConnectionWatch: Sendable {
    private struct State {
        var closed = false
        var nextID = 0
        var waiters: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    /// The watches of the connections that have run a bounded statement and are still open.
    private static let open = Mutex<[ObjectIdentifier: ConnectionWatch]>([:])

    /// The watch of `connection`, registered on its `closeFuture` the first time.
    static func of(_ connection: PostgresConnection) -> ConnectionWatch {
        let key = ObjectIdentifier(connection)
        let (watch, isNew) = open.withLock { watches in
            if let known = watches[key] { return (known, false) }
            let watch = ConnectionWatch()
            watches[key] = watch
            return (watch, true)
        }
        if isNew {
            connection.closeFuture.whenComplete { _ in
                open.withLock { watches in
                    if watches[key] === watch { watches[key] = nil }
                }
                watch.connectionClosed()
            }
        }
        return watch
    }

    /// Calls `onClose` once if the connection closes before ``remove(_:)``; returns the waiter's id, or `nil` (without
    /// calling `onClose`) when the connection is closed already.
    func add(_ onClose: @escaping @Sendable () -> Void) -> Int? {
        state.withLock { state in
            guard !state.closed else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.waiters[id] = onClose
            return id
        }
    }

    /// Forgets a waiter whose statement has ended.
    func remove(_ id: Int) {
        _ = state.withLock { $0.waiters.removeValue(forKey: id) }
    }

    private func connectionClosed() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter() }
    }
}
