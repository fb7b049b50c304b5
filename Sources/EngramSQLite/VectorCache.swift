import EngramCore
import GRDB
import Synchronization

/// Per-user in-memory vector matrices for exact SIMD top-k, kept in step with the database.
///
/// Each user's matrix is tagged with the user's `vector_version`, which triggers bump on every
/// change to that user's embeddings, from this process or any other. A reader compares versions
/// and reloads on mismatch; a writer that knows the version before and after its own transaction
/// applies its change in place instead of reloading.
final class VectorCache: Sendable {
    let model: String
    let dimension: Int
    private let entries = Mutex<[String: Entry]>([:])

    struct Entry: Sendable {
        var version: Int64
        var index: FlatVectorIndex
    }

    init(model: String, dimension: Int) {
        self.model = model
        self.dimension = dimension
    }

    /// The user's current vector version, read in `db`'s transaction.
    static func version(_ db: Database, userID: String) throws -> Int64 {
        try Int64.fetchOne(db, cached: "SELECT vector_version FROM users WHERE id = ?", arguments: [userID]) ?? 0
    }

    /// The user's index as of `db`'s snapshot, loading it when the cached one is stale.
    func index(_ db: Database, userID: String) throws -> FlatVectorIndex {
        let version = try Self.version(db, userID: userID)
        if let entry = entries.withLock({ $0[userID] }), entry.version == version {
            return entry.index
        }
        var index = FlatVectorIndex(dimension: dimension)
        index.reserveCapacity(
            try Int.fetchOne(db, cached: "SELECT memory_count FROM users WHERE id = ?", arguments: [userID]) ?? 0)
        let rows = try Row.fetchCursor(
            db,
            cached: """
                SELECT m.seq, e.vector FROM embeddings e
                JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                WHERE e.user_id = ? AND e.model = ? AND e.dimension = ? AND e.sector = m.sector
                """,
            arguments: [userID, model, dimension])
        while let row = try rows.next() {
            let key: Int64 = row[0]
            try row.withUnsafeData(atIndex: 1) { data in
                data?.withUnsafeBytes { bytes in _ = index.append(key, float32Bytes: bytes) }
            }
        }
        entries.withLock { $0[userID] = Entry(version: version, index: index) }
        return index
    }

    /// Applies a committed change made between versions `before` and `after`; drops the entry when
    /// another writer changed the user's vectors in between.
    func apply(userID: String, before: Int64, after: Int64, upserts: [(Int64, [Float])], removals: [Int64]) {
        entries.withLock { entries in
            guard var entry = entries[userID], entry.version == before else {
                entries[userID] = nil
                return
            }
            entries[userID] = nil  // release the stored copy so the update happens in place
            for key in removals { entry.index.remove(key) }
            for (key, vector) in upserts { entry.index.upsert(key, vector) }
            entry.version = after
            entries[userID] = entry
        }
    }

    /// Forgets the user's matrix; the next read reloads it.
    func invalidate(userID: String) {
        _ = entries.withLock { $0.removeValue(forKey: userID) }
    }
}
