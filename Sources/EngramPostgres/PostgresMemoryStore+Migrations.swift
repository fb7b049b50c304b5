import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    /// The table recording applied migrations, inside the Engram schema.
    private var versionTable: String { "\(postgres.schema).engram_schema_version" }

    /// The advisory lock key serialising migrations of this schema across processes.
    private var lockKey: String { "engram.migrate.\(postgres.schema)" }

    /// Where each known migration stands. Applied migrations unknown to this build are listed too.
    public func migrationStatus(_ migrations: [PostgresMigration]? = nil) async throws -> [MigrationStatus] {
        let migrations = try migrations ?? PostgresMigration.bundled()
        return try await rawTransaction(userID: nil) { connection in
            try await self.status(connection, migrations)
        }
    }

    /// Applies pending migrations in order (up to `target`), each in its own transaction under an advisory
    /// lock. Refuses to run when an applied migration's file changed. Returns the versions applied.
    @discardableResult
    public func migrateUp(to target: Int? = nil, _ migrations: [PostgresMigration]? = nil) async throws -> [Int] {
        let migrations = try migrations ?? PostgresMigration.bundled()
        try await requireExtensions()
        var applied: [Int] = []
        for migration in migrations where migration.version <= (target ?? Int.max) {
            let done = try await rawTransaction(userID: nil) { connection -> Bool in
                try await self.lockAndPrepare(connection)
                let status = try await self.status(connection, migrations)
                if let edited = status.first(where: { $0.applied && !$0.checksumMatches }) {
                    throw EngramError(
                        .schemaTooNew,
                        "Applied migration \(edited.version)_\(edited.name) was edited after it ran; restore the file (migrations are never edited) and add a new migration instead."
                    )
                }
                if status.contains(where: { $0.applied && $0.version == migration.version }) { return false }
                for statement in PostgresMigration.statements(migration.up) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: self.versionTable) (version, name, checksum, applied_at)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum), now())
                    """, logger: self.logger)
                return true
            }
            if done { applied.append(migration.version) }
        }
        return applied
    }

    /// Reverts the newest `steps` applied migrations, newest first. Returns the versions reverted.
    @discardableResult
    public func migrateDown(steps: Int = 1, _ migrations: [PostgresMigration]? = nil) async throws -> [Int] {
        let migrations = try migrations ?? PostgresMigration.bundled()
        var reverted: [Int] = []
        for _ in 0..<max(0, steps) {
            let version = try await rawTransaction(userID: nil) { connection -> Int? in
                try await self.lockAndPrepare(connection)
                let applied = try await self.status(connection, migrations).filter(\.applied)
                guard let newest = applied.max(by: { $0.version < $1.version }) else { return nil }
                guard let migration = migrations.first(where: { $0.version == newest.version }) else {
                    throw EngramError(
                        .schemaTooNew,
                        "Migration \(newest.version) is not known to this build; use the Engram that applied it.")
                }
                for statement in PostgresMigration.statements(migration.down) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query(
                    "DELETE FROM \(unescaped: self.versionTable) WHERE version = \(migration.version)",
                    logger: self.logger)
                return migration.version
            }
            guard let version else { break }
            reverted.append(version)
        }
        return reverted
    }

    /// Throws, naming what to run, unless the database has the extensions the schema needs. Creating them
    /// takes a superuser (pgvector is not a trusted extension), so the store never tries.
    private func requireExtensions() async throws {
        let missing = try await rawTransaction(userID: nil) { connection in
            try await connection.rows(
                """
                SELECT name FROM unnest(ARRAY['vector', 'pg_trgm']) AS name
                WHERE NOT EXISTS (SELECT FROM pg_extension WHERE extname = name) ORDER BY name DESC
                """, logger: self.logger
            ) { try $0.decode(String.self) }
        }
        guard !missing.isEmpty else { return }
        let names = missing.map { $0 == "vector" ? "pgvector" : $0 }.joined(separator: " and ")
        let statements = missing.map { "CREATE EXTENSION \($0);" }.joined(separator: " ")
        throw EngramError(
            .storageFailure,
            "The \(names) extension\(missing.count > 1 ? "s are" : " is") missing in database \(postgres.database); as a superuser run \(statements) in it (or in template1 before creating the database), then engram migrate up."
        )
    }

    /// Takes the migration lock, creates the schema and version table if missing, and points the
    /// transaction's search path at the schema.
    private func lockAndPrepare(_ connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", logger: logger)
        try await connection.query(
            PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(postgres.schema)"), logger: logger)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(versionTable) (
                        version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                        applied_at timestamptz NOT NULL)
                    """), logger: logger)
        try await connection.query(
            PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(postgres.schema), public"), logger: logger)
    }

    private func status(
        _ connection: PostgresConnection, _ migrations: [PostgresMigration]
    ) async throws -> [MigrationStatus] {
        let exists =
            try await connection.query(
                "SELECT to_regclass(\(versionTable)) IS NOT NULL", logger: logger
            ).collect().first?.decode(Bool.self) ?? false
        var applied: [Int: (name: String, checksum: String, at: Date)] = [:]
        if exists {
            let rows = try await connection.query(
                "SELECT version, name, checksum, applied_at FROM \(unescaped: versionTable)", logger: logger)
            for try await (version, name, checksum, at) in rows.decode((Int, String, String, Timestamp).self) {
                applied[version] = (name, checksum, at.date)
            }
        }
        var result = migrations.map { migration in
            let record = applied[migration.version]
            return MigrationStatus(
                version: migration.version, name: migration.name, applied: record != nil, appliedAt: record?.at,
                checksumMatches: record.map { $0.checksum == migration.checksum } ?? true)
        }
        for (version, record) in applied where !migrations.contains(where: { $0.version == version }) {
            result.append(
                MigrationStatus(
                    version: version, name: record.name, applied: true, appliedAt: record.at, checksumMatches: false))
        }
        return result.sorted { $0.version < $1.version }
    }
}
