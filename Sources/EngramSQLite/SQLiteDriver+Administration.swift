import EngramCore
import Foundation
import GRDB

extension SQLiteDriver {
    public func appliedMigrations() async throws -> [AppliedMigration] {
        let migrations = self.migrations
        do {
            return try await pool.read { db in try Self.appliedMigrations(db, migrations) }
        } catch {
            throw translate(error)
        }
    }

    /// The recorded migrations; on a database made before numbered files (opened read-only, so not yet adopted),
    /// GRDB's records read as the files they were.
    static func appliedMigrations(_ db: Database, _ migrations: [Migration]) throws -> [AppliedMigration] {
        if try db.tableExists("engram_schema_version") {
            return try Row.fetchAll(db, sql: "SELECT version, name, checksum, applied_at FROM engram_schema_version")
                .map {
                    AppliedMigration(
                        version: $0["version"], name: $0["name"], checksum: $0["checksum"],
                        appliedAt: Date(millis: $0["applied_at"]))
                }
        }
        guard try db.tableExists("grdb_migrations") else { return [] }
        let names = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        return migrations.filter { names.contains($0.identifier) }.map {
            AppliedMigration(version: $0.version, name: $0.name, checksum: $0.checksum, appliedAt: Date(millis: 0))
        }
    }

    public func migrating<T: Sendable>(
        _ body: (any MigrationTransaction) async throws -> T
    ) async throws -> T {
        guard !isReadOnly else { throw Self.readOnlyError }
        let migrations = self.migrations
        // A write transaction is the writer's alone: concurrent migrators (of any process) wait for it.
        let result = try await serve(writable: true, prelude: { try Self.createVersionTable($0) }) { session in
            try await body(SQLiteMigrationTransaction(session: session, migrations: migrations))
        }
        vectors.invalidateAll()
        averageLengths.invalidateAll()
        return result
    }

    /// Vectors live in memory here; there is no index to prepare.
    public func prepareVectorIndexes(for models: [EmbeddingModel]) async throws {}

    /// No index to defer: a load writes the int8 codes the in-memory search reads anyway.
    public func deferVectorIndexes(for models: [EmbeddingModel]) async throws {}

    public func buildDeferredVectorIndexes() async throws {}

    /// SQLite searches vectors in memory (an int8 pass, exact re-ranking): it has no vector index.
    public func vectorIndexStatistics() async throws -> [VectorIndexStatistics] { [] }

    public func rebuildVectorIndexes(method: VectorIndexMethod?) async throws -> [VectorIndexStatistics] {
        throw EngramError(
            .invalidArgument,
            "SQLite searches vectors in memory and has no vector index to rebuild; vector indexes are PostgreSQL's."
        )
    }

    public func health() async -> DriverHealth {
        do {
            return try await pool.read { db in
                let check = try String.fetchAll(db, sql: "PRAGMA quick_check").joined(separator: "; ")
                let details: [String: String] = [
                    "journal_mode": try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "unknown",
                    "foreign_keys": (try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false) ? "on" : "off",
                    "quick_check": check,
                    "access": self.isReadOnly ? "read-only" : "read-write",
                    "synchronous": self.synchronous.rawValue,
                    "users": String(
                        try db.tableExists("users") ? try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0 : 0),
                ]
                return DriverHealth(
                    database: self.path,
                    version: "SQLite " + (try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "?"),
                    details: details,
                    problems: check == "ok"
                        ? [] : ["The database failed its integrity check (quick_check); restore it from a backup."])
            }
        } catch {
            return DriverHealth(database: path, version: nil, problems: [translate(error).message])
        }
    }
}

/// One migration step on SQLite: scripts run whole (SQLite splits them itself, triggers included).
struct SQLiteMigrationTransaction: MigrationTransaction {
    let session: SQLiteSession
    let migrations: [Migration]

    func appliedMigrations() async throws -> [AppliedMigration] {
        let migrations = self.migrations
        return try await session.run { db in try SQLiteDriver.appliedMigrations(db, migrations) }
    }

    func execute(_ script: String) async throws {
        try await session.run { db in try db.execute(sql: script) }
    }

    func recordApplied(_ migration: Migration, at date: Date) async throws {
        try await session.run { db in
            try db.execute(
                literal: """
                    INSERT INTO engram_schema_version (version, name, checksum, applied_at)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(date.millis))
                    """)
        }
    }

    func removeRecord(version: Int) async throws {
        try await session.run { db in
            try db.execute(literal: "DELETE FROM engram_schema_version WHERE version = \(version)")
        }
    }
}
