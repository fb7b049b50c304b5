import EngramCore
import Foundation
import GRDB
import Logging
import Synchronization

/// The embedded default store: one SQLite file in WAL mode, FTS5 for full text, Float32 vector
/// blobs searched exactly with SIMD from an in-memory matrix kept in sync with writes.
public final class SQLiteMemoryStore: MemoryStore {
    /// The database file.
    public let path: String
    /// The configured embedder, and the others this process can embed queries with during a model switch.
    public let embedders: EmbedderSet
    public var embedder: any Embedder { embedders.configured }
    let configuration: EngramConfiguration
    let validator: InputValidator
    let scorer: RecallScorer
    let clock: any WallClock
    let logger: Logger
    let pool: DatabasePool
    let vectors: VectorCache

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    /// Running it again on an existing database never drops data. `otherEmbedders` are the embedders of models
    /// the store may still rank with while a switch to `embedder` is under way (see ``reembed(batchSize:prune:progress:)``).
    public init(
        path: String, configuration: EngramConfiguration = .init(), embedder: any Embedder = HashingEmbedder(),
        otherEmbedders: [any Embedder] = [], clock: any WallClock = SystemClock(),
        logger: Logger = Logger(label: "engram.sqlite")
    ) throws {
        self.path = path
        self.embedders = EmbedderSet(configured: embedder, others: otherEmbedders)
        self.configuration = configuration
        self.validator = InputValidator(configuration: configuration)
        self.scorer = RecallScorer(configuration: configuration.recall, decay: configuration.decay)
        self.clock = clock
        self.logger = logger
        self.vectors = VectorCache()
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var config = Configuration()
            config.foreignKeysEnabled = true
            config.busyMode = .timeout(10)
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // Read pages through a memory map: loading a large vector set then copies far less.
                try db.execute(sql: "PRAGMA mmap_size = 1073741824")
            }
            pool = try DatabasePool(path: path, configuration: config)
            let migrator = SQLiteSchema.migrator
            if try pool.read({ db in try migrator.hasBeenSuperseded(db) }) {
                throw EngramError(
                    .schemaTooNew,
                    "The database was written by a newer Engram (it has migrations this build does not know); upgrade Engram."
                )
            }
            try migrator.migrate(pool)
            let date = clock.now().stored
            try pool.write { db in _ = try Self.settleActiveModel(db, configured: EmbeddingModel(embedder), at: date) }
        } catch let error as EngramError {
            throw error
        } catch {
            logger.error("cannot open database", metadata: ["error": "\(error)"])
            throw EngramError(
                .storageFailure,
                "Cannot open or migrate the SQLite database; check that the path is writable and is an Engram database."
            )
        }
        logger.debug("opened store", metadata: ["path": "\(path)", "model": "\(embedder.model)"])
    }
}

// MARK: - Transactions, lookups and the audit trail shared by every operation

extension SQLiteMemoryStore {
    /// The current time as the database stores it (milliseconds).
    func now() -> Date { clock.now().stored }

    /// Runs `body` in one write transaction; any error rolls everything back.
    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw translate(error)
        }
    }

    /// Runs `body` in one read transaction (a consistent snapshot).
    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw translate(error)
        }
    }

    /// Maps database errors to stable codes; never leaks SQL or values.
    func translate(_ error: any Error) -> EngramError {
        if let error = error as? EngramError { return error }
        if let error = error as? DatabaseError {
            switch error.extendedResultCode {
            case .SQLITE_CONSTRAINT_PRIMARYKEY, .SQLITE_CONSTRAINT_UNIQUE:
                return EngramError(.alreadyExists, "A row with the same key already exists; nothing was written.")
            case .SQLITE_CONSTRAINT_FOREIGNKEY:
                return EngramError(
                    .invalidArgument,
                    "A row refers to a user, session or memory that does not exist; nothing was written.")
            case .SQLITE_CONSTRAINT_CHECK, .SQLITE_CONSTRAINT_NOTNULL:
                return EngramError(.invalidArgument, "A value is outside its allowed range; nothing was written.")
            default:
                logger.error("sqlite error", metadata: ["code": "\(error.extendedResultCode.rawValue)"])
                return EngramError(
                    .storageFailure,
                    "The SQLite database failed (code \(error.extendedResultCode.rawValue)); nothing was written. Run engram doctor."
                )
            }
        }
        logger.error("storage error", metadata: ["type": "\(type(of: error))"])
        return EngramError(.storageFailure, "The storage layer failed; nothing was written. Run engram doctor.")
    }

    func requireUser(_ db: Database, _ id: String) throws {
        guard try Bool.fetchOne(db, cached: "SELECT 1 FROM users WHERE id = ?", arguments: [id]) == true else {
            throw EngramError.userNotFound
        }
    }

    func requireSession(_ db: Database, userID: String, _ id: String) throws {
        let sql = "SELECT 1 FROM sessions WHERE user_id = ? AND id = ?"
        guard try Bool.fetchOne(db, cached: sql, arguments: [userID, id]) == true else {
            throw EngramError.sessionNotFound
        }
    }

    func requireAgent(_ db: Database, userID: String, _ id: String) throws {
        let sql = "SELECT 1 FROM agents WHERE user_id = ? AND id = ?"
        guard try Bool.fetchOne(db, cached: sql, arguments: [userID, id]) == true else {
            throw EngramError.agentNotFound
        }
    }

    func requireMessages(_ db: Database, userID: String, _ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        let found =
            try Int.fetchOne(
                db,
                cached: "SELECT count(*) FROM messages WHERE user_id = ? AND id IN (SELECT value FROM json_each(?))",
                arguments: [userID, Column.strings(ids)]) ?? 0
        guard found == Set(ids).count else { throw EngramError.messageNotFound }
    }

    /// The memory and its stable row number, scoped to the user.
    func fetchMemory(_ db: Database, userID: String, _ id: String) throws -> (seq: Int64, memory: Memory) {
        guard
            let row = try Row.fetchOne(
                db, cached: "SELECT * FROM memories WHERE user_id = ? AND id = ?", arguments: [userID, id])
        else { throw EngramError.memoryNotFound }
        return (row["seq"], try Decode.memory(row))
    }

    /// Appends one line to the user's audit trail, numbered per user.
    func audit(
        _ db: Database, userID: String, action: String, targetType: String, targetID: String,
        before: (some Encodable)?, after: (some Encodable)?, at date: Date
    ) throws {
        try audit(
            db, userID: userID, action: action, targetType: targetType, targetID: targetID,
            beforeDigest: before.map { ContentHash.digest($0) }, afterDigest: after.map { ContentHash.digest($0) },
            at: date)
    }

    /// Appends one audit line whose digests are already computed.
    func audit(
        _ db: Database, userID: String, action: String, targetType: String, targetID: String, beforeDigest: String?,
        afterDigest: String?, at date: Date
    ) throws {
        try db.run(
            sql: """
                INSERT INTO audit_log (user_id, id, actor, action, target_type, target_id, before_digest,
                    after_digest, created_at)
                VALUES (?, COALESCE((SELECT id FROM audit_log WHERE user_id = ? ORDER BY id DESC LIMIT 1), 0) + 1, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                userID, userID, configuration.actor, action, targetType, targetID, beforeDigest, afterDigest,
                date.millis,
            ])
    }

    /// Records a write as the user's latest activity.
    func touchUser(_ db: Database, _ userID: String, at date: Date) throws {
        try db.run(
            sql: "UPDATE users SET last_activity_at = max(last_activity_at, ?) WHERE id = ?",
            arguments: [date.millis, userID])
    }
}

/// A placeholder type for audit calls with no before or after value.
struct Nothing: Encodable {}
