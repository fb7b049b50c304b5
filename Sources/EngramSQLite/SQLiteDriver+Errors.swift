import EngramCore
import Foundation
import GRDB
import Glibc
import Logging

extension SQLiteDriver {
    /// Maps database errors to stable codes, with what to do; never leaks SQL or values.
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
                if error.resultCode == .SQLITE_IOERR, filesystemIsReadOnly() {
                    return EngramError(
                        .databaseReadOnly,
                        "The filesystem of the database turned read-only (a disk error can do that); nothing was written, and reads go on. Check the disk, make it writable and restart engram."
                    )
                }
                if let known = Self.fileError(error.resultCode) { return known }
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

    /// Whether the database's folder refuses a new file because its filesystem is read-only. A filesystem that
    /// remounted itself read-only after an error still passes `access(2)`, and SQLite says only that a write failed
    /// (`SQLITE_IOERR_WRITE`): creating a file is what tells.
    func filesystemIsReadOnly() -> Bool {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let probe = "\(folder)/.engram-write-check-\(UUID().uuidString)"
        let descriptor = open(probe, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor < 0 else {
            Glibc.close(descriptor)
            unlink(probe)
            return false
        }
        return errno == EROFS
    }

    /// The errors of the file itself, which say what to fix.
    static func fileError(_ code: ResultCode) -> EngramError? {
        switch code {
        case .SQLITE_FULL:
            EngramError(.diskFull, "The disk is full; free some space and retry. Nothing was written.")
        case .SQLITE_READONLY:
            EngramError(
                .databaseReadOnly,
                "The database file or its folder is read-only; fix the permissions, or use a command that only reads.")
        case .SQLITE_NOTADB:
            EngramError(.notEngramDatabase, "The file is not an SQLite database; check --db.")
        case .SQLITE_CORRUPT:
            EngramError(.storageFailure, "The database file is damaged; restore it from a backup (engram restore).")
        case .SQLITE_CANTOPEN:
            EngramError(
                .storageFailure,
                "Cannot open the database file; check that its folder exists and that you may read (and write) it.")
        case .SQLITE_IOERR:
            EngramError(.storageFailure, "The disk failed to read or write the database; check the disk and retry.")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            EngramError(.storageFailure, "The database stayed locked by another process for 10 s; retry.")
        default:
            nil
        }
    }

    /// What an open failure says: one of ``fileError(_:)``, or a general message.
    static func openError(_ error: any Error, logger: Logger) -> EngramError {
        if let error = error as? EngramError { return error }
        if let error = error as? DatabaseError, let known = fileError(error.resultCode) { return known }
        logger.error("cannot open database", metadata: ["error": "\(error)"])
        return EngramError(
            .storageFailure, "Cannot open the SQLite database; check the path, its permissions and free disk space.")
    }

    /// What a failure to open `path` for writing says: `database_read_only` when the file or its folder cannot be
    /// written (a read-only filesystem or permissions: SQLite then cannot make its `-wal` and `-shm` files, and says
    /// only that it cannot open the file), else ``openError(_:logger:)``.
    static func writableOpenError(_ error: any Error, path: String, logger: Logger) -> EngramError {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let files = FileManager.default
        guard files.fileExists(atPath: path),
            !files.isWritableFile(atPath: folder) || !files.isWritableFile(atPath: path)
        else { return openError(error, logger: logger) }
        return EngramError(
            .databaseReadOnly,
            "The database file or its folder is read-only, so it cannot be opened for writing; make both writable, or use a command that only reads (engram recall, export, stats)."
        )
    }

    /// The migrations shipped in this module's `Migrations` folder.
    static func bundledMigrations() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw EngramError(.storageFailure, "This build has no SQLite migrations folder; reinstall Engram.")
        }
        return try Migration.directory(folder)
    }

    /// Opens the existing file at `path` read-only and checks that it is an SQLite database that is empty or
    /// Engram's, changing nothing.
    static func probe(_ path: String, logger: Logger) throws {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: readOnlyLocation(of: path), configuration: configuration)
            defer { try? queue.close() }
            try queue.read { db in try checkIsEngram(db) }
        } catch {
            throw openError(error, logger: logger)
        }
    }

    /// Where to open `path` for reading: the path itself, or, when its folder cannot be written and no writer has
    /// a write-ahead log open, the file as immutable. SQLite cannot otherwise read a WAL database in a read-only
    /// folder (it would need to create the `-shm` file); and with no `-wal` and no way to make one, nobody can be
    /// writing it.
    static func readOnlyLocation(of path: String) -> String {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard !FileManager.default.fileExists(atPath: path + "-wal"),
            !FileManager.default.isWritableFile(atPath: folder)
        else { return path }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
    }

    /// Throws `not_an_engram_database` when the file holds tables but no record of Engram's migrations.
    static func checkIsEngram(_ db: Database) throws {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        guard !tables.isEmpty else { return }
        guard tables.contains("engram_schema_version") || tables.contains("grdb_migrations") else {
            throw EngramError(
                .notEngramDatabase,
                "The file is an SQLite database, but not Engram's; Engram will not change it. Check --db.")
        }
    }

    /// Databases made before migrations were numbered files recorded their migrations in GRDB's
    /// `grdb_migrations` table, by the same names: record them in `engram_schema_version` with the files'
    /// checksums, and drop the old table.
    static func adoptLegacyMigrations(_ db: Database, _ migrations: [Migration]) throws {
        guard try db.tableExists("grdb_migrations") else { return }
        try createVersionTable(db)
        let names = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        for migration in migrations where names.contains(migration.identifier) {
            try db.execute(
                literal: """
                    INSERT OR IGNORE INTO engram_schema_version (version, name, checksum, applied_at)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(Date().millis))
                    """)
        }
        try db.execute(sql: "DROP TABLE grdb_migrations")
    }

    static func createVersionTable(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS engram_schema_version (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
                    applied_at INTEGER NOT NULL)
                """)
    }
}
