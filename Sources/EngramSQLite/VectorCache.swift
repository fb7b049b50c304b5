import CEngramSQLite
import EngramCore
import GRDB
import Synchronization

/// Per-user in-memory int8 code matrices (``FlatVectorIndex``) for SIMD top-k, kept in step with the database.
///
/// Each user's matrix is tagged with the user's `vector_version`, which triggers bump on every
/// change to that user's embeddings, from this process or any other. A reader compares versions
/// and reloads on mismatch; a writer that knows the version before and after its own transaction
/// applies its change in place instead of reloading.
final class VectorCache: Sendable {
    private let entries = Mutex<[Key: Entry]>([:])

    /// One matrix per user and model.
    struct Key: Hashable {
        var userID: String
        var model: EmbeddingModel
    }

    struct Entry: Sendable {
        var version: Int64
        var index: FlatVectorIndex
    }

    /// The user's current vector version, read in `db`'s transaction.
    static func version(_ db: Database, userID: String) throws -> Int64 {
        try db.value("SELECT vector_version FROM users WHERE id = \(userID)", as: Int64.self) ?? 0
    }

    /// The user's index of `model` as of `db`'s snapshot, loading it when the cached one is stale.
    func index(_ db: Database, userID: String, model: EmbeddingModel) throws -> FlatVectorIndex {
        let key = Key(userID: userID, model: model)
        let version = try Self.version(db, userID: userID)
        if let entry = entries.withLock({ $0[key] }), entry.version == version {
            return entry.index
        }
        var index = FlatVectorIndex(dimension: model.dimension)
        let batch = 4_096
        // Room for every memory, and for the last batch's unused rows.
        index.reserveCapacity(
            (try db.value("SELECT memory_count FROM users WHERE id = \(userID)", as: Int.self) ?? 0) + batch)
        // The codes the triggers keep (009_vector_codes.sql), in row order: a quarter of the vectors' bytes, copied
        // by SQLite's own loop (engram_read_vector_codes) rather than one Swift call per row.
        let statement = try db.cachedStatement(
            sql: "SELECT seq, codes FROM vector_codes WHERE user_id = ? AND model = ? AND dimension = ?")
        try statement.setArguments([userID, model.model, model.dimension])
        let dimension = model.dimension
        try index.appendRows(batch: batch) { keys, scales, codes in
            var count = 0
            let code = engram_read_vector_codes(
                statement.sqliteStatement, dimension, batch, keys, scales, codes, &count)
            switch code {
            case ResultCode.SQLITE_ROW.rawValue: return (count, true)
            case ResultCode.SQLITE_DONE.rawValue: return (count, false)
            default: throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage)
            }
        }
        entries.withLock { $0[key] = Entry(version: version, index: index) }
        return index
    }

    /// Applies a committed change made between versions `before` and `after`: `upserts` per model, `removals`
    /// from every model. Drops the user's matrices when another writer changed the user's vectors in between.
    func apply(
        userID: String, before: Int64, after: Int64, upserts: [EmbeddingModel: [(Int64, [Float])]],
        removals: [Int64]
    ) {
        entries.withLock { entries in
            // Keys copied out first: iterating `entries.keys` while mutating would copy the dictionary, and with
            // it every matrix.
            for key in Array(entries.keys.filter { $0.userID == userID }) {
                guard var entry = entries[key], entry.version == before else {
                    entries[key] = nil
                    continue
                }
                entries[key] = nil  // release the stored copy so the update happens in place
                for seq in removals { entry.index.remove(seq) }
                for (seq, vector) in upserts[key.model] ?? [] { entry.index.upsert(seq, vector) }
                entry.version = after
                entries[key] = entry
            }
        }
    }

    /// Forgets the user's matrices; the next read reloads them.
    func invalidate(userID: String) {
        entries.withLock { entries in
            for key in Array(entries.keys.filter { $0.userID == userID }) { entries[key] = nil }
        }
    }

    /// Forgets every matrix (after a model switch or a whole-store change).
    func invalidateAll() {
        entries.withLock { $0.removeAll() }
    }
}
