import CEngramSQLite
import EngramCore
import Foundation
import GRDB
import Logging

/// The embedded driver: one SQLite file in WAL mode, FTS5 for full text, Float32 vector blobs searched
/// from per-user matrices kept in memory and in step with writes (``VectorCache``).
public final class SQLiteDriver: StorageDriver {
    /// How a database file is opened.
    public enum Access: Sendable, Hashable {
        /// Reads only; the file must exist. Every write fails with `database_read_only`.
        case readOnly
        /// Reads and writes; the file must exist.
        case readWrite
        /// Reads and writes; the file (and its folder) is created when missing.
        case create
    }

    /// When a commit is on disk (SQLite's `synchronous`, in WAL mode).
    public enum Synchronous: String, Sendable, Hashable, CaseIterable {
        /// The write-ahead log is synced at checkpoints only: a commit survives the process being killed, but a
        /// power loss, a kernel crash or a filesystem that fails may lose the last commits (never corrupt the file).
        case normal
        /// Every commit syncs the write-ahead log before it returns, so an acknowledged write survives those too
        /// (PostgreSQL's default). The default: it costs a sync per transaction, not per memory.
        case full
    }

    public let backend = "sqlite"
    /// The database file.
    public let path: String
    /// How the file was opened.
    public let access: Access
    /// When a commit is on disk.
    public let synchronous: Synchronous
    public let migrations: [Migration]
    let pool: DatabasePool
    let vectors: VectorCache
    /// Per-user average row lengths in the full-text index, for BM25's length normalisation.
    let averageLengths = AverageLengths()
    let logger: Logger

    /// Opens the database at `path`. Refuses a file that holds data but is not an Engram database
    /// (`not_an_engram_database`), a missing file unless `access` is `.create` (`database_not_found`), and says
    /// which problem prevents opening (read-only, disk full, not a database…). Migrations are ``MemoryService``'s.
    /// `vectorGraphs` says from how many vectors a user's searches go through an approximate graph; graphs are saved
    /// beside the file, in the folder `PATH-graphs`. `synchronous` says when a commit is on disk.
    public init(
        path: String, access: Access = .create, vectorGraphs: VectorGraphSettings = .standard,
        synchronous: Synchronous = .full, logger: Logger = Logger(label: "engram.sqlite")
    ) throws {
        self.path = path
        self.access = access
        self.synchronous = synchronous
        self.logger = logger
        self.migrations = try Self.bundledMigrations()
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            throw EngramError(.invalidArgument, "The database path is a folder; give the path of a file in it.")
        }
        if !exists {
            guard access == .create else {
                throw EngramError(
                    .databaseNotFound,
                    "No database exists at this path; check --db, or create one with engram init (writes create it too)."
                )
            }
            try FileManager.default.createFolder(of: url, for: "database")
        }
        // Opening a pool for writing switches the file to WAL mode: check what the file is before that.
        if exists { try Self.probe(path, logger: logger) }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.readonly = access == .readOnly
        configuration.prepareDatabase { db in
            if !db.configuration.readonly {
                // Deleted rows are overwritten, so that an erased user's text does not linger in free pages.
                try db.execute(sql: "PRAGMA secure_delete = ON")
            }
            // No memory map (SQLite's default): every commit that changes the file's size remaps it in every reader
            // connection, whose pages then fault in again (with the reinforcement writer beside recall, p95 at
            // 100,000 memories went from 35 to 49 ms with a 1 GiB map).
            // Full-text ranking that skips the owner filter's phrase (see SQLiteTransaction+Search), and the int8
            // codes the vector_codes triggers write (see 009_vector_codes.sql).
            for code in [engram_register_bm25(db.sqliteConnection), engram_register_vector_codes(db.sqliteConnection)]
            where code != ResultCode.SQLITE_OK.rawValue {
                throw DatabaseError(resultCode: ResultCode(rawValue: code))
            }
        }
        do {
            pool = try DatabasePool(
                path: access == .readOnly ? Self.readOnlyLocation(of: path) : path, configuration: configuration)
        } catch {
            throw access == .readOnly
                ? Self.openError(error, logger: logger) : Self.writableOpenError(error, path: path, logger: logger)
        }
        // GRDB sets `synchronous = NORMAL` on the writer as it opens a pool for writing in WAL mode.
        if synchronous == .full, access != .readOnly {
            do {
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            } catch {
                try? pool.close()
                throw Self.openError(error, logger: logger)
            }
        }
        vectors = VectorCache(
            graphSettings: vectorGraphs, folder: access == .readOnly ? nil : URL(fileURLWithPath: path + "-graphs"),
            logger: logger
        ) { [pool] userID in
            try? pool.read { db in try VectorCache.version(db, userID: userID) }
        }
        do {
            if access != .readOnly { try pool.write { db in try Self.adoptLegacyMigrations(db, self.migrations) } }
        } catch {
            try? pool.close()
            throw Self.openError(error, logger: logger)
        }
        logger.debug("opened database", metadata: ["path": "\(path)", "access": "\(access)"])
    }

    public var isReadOnly: Bool { access == .readOnly }

    /// Waits until no vector graph is being built or saved in the background (measurements time searches through
    /// graphs).
    public func waitForVectorGraphs() async throws {
        while !vectors.graphsAreSettled { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// Closes every connection, folding the write-ahead log back into the file when no other connection uses
    /// it (the `-wal` and `-shm` files then go away). The driver cannot be used afterwards.
    public func close() throws {
        vectors.saveGraphs()
        try pool.close()
        guard !isReadOnly else { return }
        // The pool closes its writer before its readers, and a read-only connection closing last cannot fold the
        // log back: one more connection, the last to close, does.
        let last = try DatabaseQueue(path: path)
        try last.read { db in _ = try Int.fetchOne(db, sql: "PRAGMA schema_version") }
        try last.close()
    }

    public func read<T: Sendable>(
        _ scope: StorageScope, _ body: (any StorageTransaction) async throws -> T
    ) async throws -> T {
        try await transaction(writable: false, body)
    }

    public func write<T: Sendable>(
        _ scope: StorageScope, _ body: (any StorageTransaction) async throws -> T
    ) async throws -> T {
        guard !isReadOnly else { throw Self.readOnlyError }
        return try await transaction(writable: true, body)
    }

    /// Runs `body` while GRDB holds a transaction open for it (see ``SQLiteSession``); applies the vector changes
    /// it made to the in-memory matrices once it committed.
    private func transaction<T: Sendable>(
        writable: Bool, _ body: (any StorageTransaction) async throws -> T
    ) async throws -> T {
        var committed: SQLiteTransaction?
        let result = try await serve(writable: writable) { session in
            let tx = SQLiteTransaction(session: session, driver: self)
            let result = try await body(tx)
            try await tx.prepareCommit()
            committed = tx
            return result
        }
        await committed?.didCommit()
        return result
    }

    /// Runs `body` with a session that GRDB serves inside one transaction: a write transaction (begun by `prelude`)
    /// or a read one. The transaction commits when `body` returns and rolls back when it throws.
    func serve<T>(
        writable: Bool, prelude: @escaping @Sendable (Database) throws -> Void = { _ in },
        _ body: (SQLiteSession) async throws -> T
    ) async throws -> T {
        let session = SQLiteSession()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [pool] in
                defer { session.close() }
                if writable {
                    try await pool.write { db in
                        try prelude(db)
                        try session.serve(db)
                    }
                } else {
                    try await pool.read { db in try session.serve(db) }
                }
            }
            let result: T
            do {
                result = try await body(session)
            } catch {
                session.finish(error)
                do {
                    try await group.next()
                } catch let failure where error is SQLiteSession.Closed {
                    throw translate(failure)  // the transaction could not begin: that is the cause
                } catch {}
                throw translate(error)
            }
            session.finish(nil)
            do {
                try await group.next()
            } catch {
                throw translate(error)
            }
            return result
        }
    }

    /// The full-text owner token: restricts FTS matching to one user's rows inside the index.
    func ftsOwner(_ userID: String) -> String {
        "u" + ContentHash.hex(Data(userID.utf8)).prefix(20)
    }

    /// What a write on a database opened for reading says.
    static let readOnlyError = EngramError(
        .databaseReadOnly,
        "The database is open for reading only; run the command without read-only access, or fix the file's permissions."
    )
}
