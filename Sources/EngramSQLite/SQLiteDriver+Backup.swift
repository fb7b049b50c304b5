import EngramCore
import Foundation
import GRDB

/// What a backup or a restore wrote: the files, the size of the copy and how many rows each table of it holds.
public struct BackupReport: Codable, Sendable, Equatable {
    /// The database (for a backup) or backup file (for a restore) that was read.
    public var source: String
    /// The file that was written: the backup file, or the restored database.
    public var destination: String
    /// The size of the written file in bytes.
    public var bytes: Int64
    /// Row counts of the copy by table name (`users`, `memories`, `messages`, `links`, `embeddings`, …).
    public var rows: [String: Int]
    /// The result of `PRAGMA quick_check` on the copy; always `ok`, since any other result fails the operation.
    public var quickCheck: String

    public init(source: String, destination: String, bytes: Int64, rows: [String: Int], quickCheck: String) {
        self.source = source
        self.destination = destination
        self.bytes = bytes
        self.rows = rows
        self.quickCheck = quickCheck
    }
}

extension SQLiteDriver {
    /// The tables every Engram schema has had since its first migration; a file without all of them (and a
    /// migration record) is not an Engram database.
    static let backupTables = [
        "users", "agents", "sessions", "messages", "working_facts", "memories", "embeddings", "links", "emotions",
        "session_state", "feedback", "audit_log",
    ]

    /// The tables whose rows a report counts, when the copy has them (a backup of an older schema lacks the newer
    /// tables until its migrations run).
    static let countedTables = backupTables + ["modules"]

    /// Writes a consistent snapshot of the whole database (every user) to a new file at `path`, through SQLite's
    /// online backup API. The store stays usable meanwhile: writes that commit during the copy are simply not in it.
    ///
    /// The copy is made in a temporary file next to `path` (whose folder is created if needed), switched to a
    /// single-file journal mode, checked with `PRAGMA quick_check`, and only then given its name, so a file at
    /// `path` is always a complete backup. An existing file at `path` is never overwritten (`already_exists`).
    public func backup(to path: String) async throws -> BackupReport {
        guard !path.isEmpty else {
            throw EngramError(.invalidArgument, "The backup path is empty; give the file to write.")
        }
        let destination = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: destination.path) {
            throw Self.backupExists
        }
        try FileManager.default.createFolder(of: destination, for: "backup")
        let temporary = FileManager.default.temporarySibling(of: destination, purpose: "backup")
        defer { Self.removeDatabaseFiles(at: temporary) }
        do {
            let copy = try DatabaseQueue(path: temporary.path)
            try await pool.read { db in
                // The read transaction pins one snapshot; the backup copies exactly that snapshot.
                try copy.writeWithoutTransaction { copyDB in try db.backup(to: copyDB) }
            }
            let (rows, check) = try Self.finishCopy(copy)
            try copy.close()
            guard check == "ok" else {
                throw EngramError(
                    .storageFailure,
                    "The backup copy failed its integrity check (quick_check); nothing was written. Run engram doctor on the database."
                )
            }
            try FileManager.default.publish(temporary, at: destination, replace: false, exists: Self.backupExists)
            return BackupReport(
                source: self.path, destination: path, bytes: FileManager.default.size(of: destination), rows: rows,
                quickCheck: check)
        } catch let error as EngramError {
            throw error
        } catch {
            logger.error("backup failed", metadata: ["error": "\(error)"])
            throw EngramError(
                .storageFailure,
                "Cannot write the backup; check that the destination folder is writable and has free space. Nothing was written."
            )
        }
    }

    /// Restores the Engram SQLite backup at `backupPath` into the database file at `databasePath`.
    ///
    /// The backup must be an SQLite file with the `grdb_migrations` table and every Engram table
    /// (`invalid_argument` otherwise); it is opened read-only and never changed. An existing database at
    /// `databasePath` is refused (`already_exists`) unless `replace` is true. The copy is written to a temporary file
    /// next to the target, checked with `PRAGMA quick_check`, and only then renamed over the target, after removing
    /// the target's `-wal`, `-shm` and `-journal` files; a failed restore leaves the target untouched. No store (or
    /// other process) may have the target open while it is replaced.
    public static func restore(from backupPath: String, to databasePath: String, replace: Bool) throws -> BackupReport {
        guard !backupPath.isEmpty, !databasePath.isEmpty else {
            throw EngramError(.invalidArgument, "The backup path and the database path must not be empty.")
        }
        let backupURL = URL(fileURLWithPath: backupPath)
        let target = URL(fileURLWithPath: databasePath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: backupURL.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else {
            throw EngramError(.invalidArgument, "No backup file exists at this path; check the path.")
        }
        let resolved = [backupURL, target].map { $0.standardizedFileURL.resolvingSymlinksInPath().path }
        if resolved[0] == resolved[1] {
            throw EngramError(
                .invalidArgument, "The backup file and the database are the same file; restore into another path.")
        }
        if !replace, FileManager.default.fileExists(atPath: target.path) {
            throw databaseExists
        }
        let source = try openBackup(backupURL)
        defer { try? source.close() }
        try FileManager.default.createFolder(of: target, for: "database")
        let temporary = FileManager.default.temporarySibling(of: target, purpose: "restore")
        defer { removeDatabaseFiles(at: temporary) }
        do {
            let copy = try DatabaseQueue(path: temporary.path)
            try source.backup(to: copy)
            let (rows, check) = try finishCopy(copy)
            try copy.close()
            guard check == "ok" else {
                throw EngramError(
                    .storageFailure,
                    "The restored copy failed its integrity check (quick_check); the database was not changed. Use another backup."
                )
            }
            // A stale write-ahead log or journal of the old database must never be replayed onto the restored one.
            for suffix in ["-wal", "-shm", "-journal"] {
                try removeIfPresent(URL(fileURLWithPath: target.path + suffix))
            }
            try FileManager.default.publish(temporary, at: target, replace: replace, exists: databaseExists)
            return BackupReport(
                source: backupPath, destination: databasePath, bytes: FileManager.default.size(of: target), rows: rows,
                quickCheck: check)
        } catch let error as EngramError {
            throw error
        } catch {
            throw EngramError(
                .storageFailure,
                "Cannot restore the backup; check that the database folder is writable and has free space. The database was not changed."
            )
        }
    }
}

// MARK: - Helpers

extension SQLiteDriver {
    /// A backup never overwrites a file.
    static let backupExists = EngramError(
        .alreadyExists, "A file already exists at the backup path; choose a new path or remove the old file first.")
    /// A restore overwrites a database only when asked to.
    static let databaseExists = EngramError(
        .alreadyExists,
        "A database already exists at this path; pass replace (engram restore --replace) to overwrite it.")

    /// Opens `url` read-only and checks that it is an Engram SQLite database this build can open.
    static func openBackup(_ url: URL) throws -> DatabaseQueue {
        let notEngram = EngramError(
            .invalidArgument,
            "The backup file is not an Engram SQLite database; check that it was made by engram backup.")
        var configuration = Configuration()
        configuration.readonly = true
        let queue: DatabaseQueue
        let tables: Set<String>
        do {
            queue = try DatabaseQueue(path: url.path, configuration: configuration)
            tables = try queue.read { db in try tableNames(db) }
        } catch {
            throw notEngram
        }
        guard tables.contains("engram_schema_version") || tables.contains("grdb_migrations"),
            tables.isSuperset(of: backupTables)
        else {
            try? queue.close()
            throw notEngram
        }
        let superseded: Bool
        do {
            let known = try bundledMigrations()
            superseded = try queue.read { db in
                try appliedMigrations(db, known).contains { applied in !known.contains { $0.version == applied.version }
                }
            }
        } catch {
            try? queue.close()
            throw notEngram
        }
        if superseded {
            try? queue.close()
            throw EngramError(
                .schemaTooNew,
                "The backup was written by a newer Engram (it has migrations this build does not know); upgrade Engram."
            )
        }
        return queue
    }

    /// Makes a freshly copied database a single self-contained file and returns its row counts and quick_check.
    static func finishCopy(_ copy: DatabaseQueue) throws -> (rows: [String: Int], check: String) {
        try copy.writeWithoutTransaction { db in
            // The copy inherits WAL mode from a live source; a backup must not depend on a -wal file.
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            let check = try String.fetchAll(db, sql: "PRAGMA quick_check").joined(separator: "; ")
            let present = try tableNames(db)
            var rows: [String: Int] = [:]
            for table in countedTables where present.contains(table) {
                rows[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return (rows, check)
        }
    }

    /// The names of the tables of `db`.
    static func tableNames(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
    }

    static func removeIfPresent(_ url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw EngramError(
                .storageFailure,
                "Cannot remove the old database's -wal, -shm or -journal file; check the folder's permissions.")
        }
    }

    /// Removes a temporary database and its side files, ignoring the ones that are not there.
    static func removeDatabaseFiles(at url: URL) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: url.path + suffix)
        }
    }

}
