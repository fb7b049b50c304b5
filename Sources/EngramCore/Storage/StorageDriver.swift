/// Whose rows a transaction may touch.
public enum StorageScope: Sendable, Hashable {
    /// One user's rows only. PostgreSQL enforces it with row-level security; every query names the user anyway.
    case user(String)
    /// Every user's rows: administration (listing users, model switches, importing several users).
    case store
}

/// The row operations ``MemoryService`` runs inside one transaction.
public typealias StorageTransaction =
    UserRows & ModuleRows & ConversationRows & MemoryRows & EmbeddingRows & CandidateSearch & RecordRows & KeyRows
    & FormationRows

/// Where Engram's tables live: the small contract that the SQLite and PostgreSQL drivers implement.
///
/// A driver knows SQL, not rules. ``MemoryService`` validates input, reads the clock, decides what to write,
/// numbers audit lines and scores recall; a driver runs transactions of row operations (``StorageTransaction``),
/// finds recall candidates its own way (full text, vectors) and administers its database
/// (``StorageAdministration``).
public protocol StorageDriver: StorageAdministration {
    /// The backend's name, as `StoreHealth.backend` reports it: `sqlite` or `postgres`.
    var backend: String { get }

    /// Runs `body` in a read-only transaction that sees one consistent snapshot.
    func read<T: Sendable>(_ scope: StorageScope, _ body: (any StorageTransaction) async throws -> T) async throws -> T

    /// Runs `body` in a read-write transaction: everything it writes is committed, or nothing is.
    ///
    /// A transaction scoped to a user holds that user until it ends: the user's erasure (which reads it
    /// `forUpdate`) waits for it, so a write never lands on a user erased after it began.
    ///
    /// A driver may run `body` again after a serialization failure or a deadlock, so `body` must have no effect
    /// outside the transaction. Transactions never nest: `body` must not start another one.
    func write<T: Sendable>(_ scope: StorageScope, _ body: (any StorageTransaction) async throws -> T) async throws -> T
}
