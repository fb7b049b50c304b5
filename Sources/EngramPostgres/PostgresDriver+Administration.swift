import EngramCore
import Foundation
import Logging
import PostgresNIO

extension PostgresDriver {
    /// The table recording applied migrations, inside the Engram schema.
    var versionTable: String { "\(postgres.schema).engram_schema_version" }

    public func appliedMigrations() async throws -> [AppliedMigration] {
        do {
            return try await perform(.store, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", holdsUser: false)
            { tx in
                try await PostgresMigrationTransaction(tx: tx, versionTable: self.versionTable).appliedMigrations()
            }
        } catch {
            throw translate((error as? FailedTransaction)?.error ?? error)
        }
    }

    /// Checks the extensions first (creating them takes a superuser, so the driver never tries), then runs `body`
    /// in one whole-store transaction holding the schema's migration lock, with the schema and its version table
    /// created if missing.
    public func migrating<T: Sendable>(
        _ body: (any MigrationTransaction) async throws -> T
    ) async throws -> T {
        try await requireExtensions()
        defer { vectorIndexes.withLock { $0.removeAll() } }  // a migration may drop or create them
        let versionTable = self.versionTable
        do {
            return try await perform(.store, begin: "BEGIN", holdsUser: false) { tx in
                try await self.lockAndPrepare(tx)
                return try await body(PostgresMigrationTransaction(tx: tx, versionTable: versionTable))
            }
        } catch {
            throw translate((error as? FailedTransaction)?.error ?? error)
        }
    }

    /// Takes the migration lock, creates the schema and version table if missing, and points the transaction's
    /// search path at the schema. Identifiers are the validated schema name.
    private func lockAndPrepare(_ tx: PostgresTransaction) async throws {
        // A second migrator waits for the first however long its migrations take: it tries the lock in short
        // statements, so that no single statement waits past the statement timeout.
        let lock = "engram.migrate.\(postgres.schema)"
        while try await tx.first("SELECT pg_try_advisory_xact_lock(hashtext(\(lock)))", { try $0.decode(Bool.self) })
            != true
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await tx.execute(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(postgres.schema)"))
        try await tx.execute(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(versionTable) (
                        version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                        applied_at timestamptz NOT NULL)
                    """))
        try await tx.execute(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(postgres.schema), public"))
    }

    /// Throws, naming what to run, unless the database has the extensions the schema needs.
    private func requireExtensions() async throws {
        let missing = try await transaction(.store) { connection in
            try await self.missingExtensions(connection)
        }
        if let problem = missingExtensionsProblem(missing) {
            throw EngramError(.storageFailure, problem)
        }
    }

    /// The extensions the schema needs that the database lacks (`vector`, `pg_trgm`).
    func missingExtensions(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.rows(
            """
            SELECT name FROM unnest(ARRAY['vector', 'pg_trgm']) AS name
            WHERE NOT EXISTS (SELECT FROM pg_extension WHERE extname = name) ORDER BY name DESC
            """, within: deadlines, logger: logger
        ) { try $0.decode(String.self) }
    }

    /// What to do about missing extensions, or `nil` when none is missing.
    func missingExtensionsProblem(_ missing: [String]) -> String? {
        guard !missing.isEmpty else { return nil }
        let names = missing.map { $0 == "vector" ? "pgvector" : $0 }.joined(separator: " and ")
        let statements = missing.map { "CREATE EXTENSION \($0);" }.joined(separator: " ")
        return
            "The \(names) extension\(missing.count > 1 ? "s are" : " is") missing in database \(postgres.database); as a superuser run \(statements) in it (or in template1 before creating the database), then engram migrate up."
    }

    /// Splits a migration script into statements at `;` line ends, keeping dollar-quoted bodies (`$$ … $$`,
    /// `$tag$ … $tag$`) whole: the extended protocol runs one statement at a time.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var openTag: String?
        for line in sql.components(separatedBy: "\n") {
            current += line + "\n"
            var index = line.startIndex
            while let start = line[index...].firstIndex(of: "$") {
                guard let end = line[line.index(after: start)...].firstIndex(of: "$") else { break }
                let tag = String(line[start...end])
                if tag.dropFirst().dropLast().allSatisfy({ $0.isLetter || $0 == "_" }) {
                    if openTag == nil {
                        openTag = tag
                    } else if openTag == tag {
                        openTag = nil
                    }
                }
                index = line.index(after: end)
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if openTag == nil, trimmed.hasSuffix(";"), !trimmed.hasPrefix("--") {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty, !rest.split(separator: "\n").allSatisfy({ $0.hasPrefix("--") }) { statements.append(rest) }
        return statements
    }

    // MARK: Health

    /// The connection test (seed 003's fields): server version, database, host and port; the extensions, the
    /// schema and whether full-text search can use its index under row-level security. Never throws.
    public func health() async -> DriverHealth {
        let (host, port) = postgres.hostDescription
        do {
            try await checkConnection()
            let row = try await transaction(.store) { connection in
                let row = try await connection.first(
                    """
                    SELECT current_setting('server_version'), current_database(),
                        (SELECT extversion FROM pg_extension WHERE extname = 'vector'),
                        (SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'),
                        (SELECT proleakproof FROM pg_proc
                            WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure)
                    """, within: self.deadlines, logger: self.logger
                ) { try $0.decode((String, String, String?, String?, Bool).self) }
                guard let row else {
                    throw EngramError(.storageFailure, "PostgreSQL answered no row to the health query; retry.")
                }
                return HealthRow(
                    version: row.0, database: row.1, vector: row.2, trigram: row.3, textSearchLeakproof: row.4)
            }
            var details = [
                "schema": postgres.schema, "pgvector": row.vector ?? "missing", "pg_trgm": row.trigram ?? "missing",
            ]
            // Under row-level security, full-text search can use its GIN index only when `@@` is leakproof.
            details["text_search_index"] =
                row.textSearchLeakproof
                ? "used"
                : "not used under row-level security: as a superuser, run "
                    + "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF in this database"
            let missing = (row.vector == nil ? ["vector"] : []) + (row.trigram == nil ? ["pg_trgm"] : [])
            return DriverHealth(
                database: row.database, version: "PostgreSQL \(row.version)", host: host, port: port,
                details: details, problems: missingExtensionsProblem(missing).map { [$0] } ?? [])
        } catch {
            return DriverHealth(
                database: postgres.database, version: nil, host: host, port: port,
                problems: [translate(error).message])
        }
    }

    // MARK: Database

    /// Creates the configured database when it does not exist yet (seed 000's one-time setup, done for the user),
    /// connecting to the `postgres` maintenance database with the same role. Never drops anything. Returns whether
    /// it created the database.
    @discardableResult
    public static func createDatabaseIfMissing(_ postgres: PostgresConfiguration, logger: Logger) async throws -> Bool {
        var maintenance = postgres
        maintenance.database = "postgres"
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: connectionConfiguration(maintenance, purpose: "create database"), id: 0, logger: logger)
        } catch {
            throw PostgresErrors.translate(error, postgres: maintenance, logger: logger)
        }
        do {
            let deadlines = PostgresDeadlines(maintenance)
            let exists = try await connection.first(
                "SELECT 1 FROM pg_database WHERE datname = \(postgres.database)", within: deadlines, logger: logger
            ) { _ in true }
            if exists != true {
                // CREATE DATABASE takes no binds: the name is a quoted identifier.
                let quoted = "\"" + postgres.database.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                try await connection.execute(
                    PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted)"), within: deadlines, logger: logger)
            }
            try await connection.close()
            return exists != true
        } catch {
            try? await connection.close()
            throw PostgresErrors.translate(error, postgres: maintenance, logger: logger)
        }
    }
}

/// What the health query reads.
private struct HealthRow: Sendable {
    var version: String
    var database: String
    var vector: String?
    var trigram: String?
    var textSearchLeakproof: Bool
}

/// One migration step on PostgreSQL, inside the transaction that holds the migration lock: scripts run statement by
/// statement (the extended protocol takes one at a time).
struct PostgresMigrationTransaction: MigrationTransaction {
    let tx: PostgresTransaction
    /// The schema-qualified version table.
    let versionTable: String

    func appliedMigrations() async throws -> [AppliedMigration] {
        let exists = try await tx.first("SELECT to_regclass(\(versionTable)) IS NOT NULL") { try $0.decode(Bool.self) }
        guard exists == true else { return [] }
        return try await tx.rows(
            "SELECT version, name, checksum, applied_at FROM \(unescaped: versionTable) ORDER BY version"
        ) { row in
            let (version, name, checksum, appliedAt) = try row.decode((Int, String, String, Timestamp).self)
            return AppliedMigration(version: version, name: name, checksum: checksum, appliedAt: appliedAt.date)
        }
    }

    func execute(_ script: String) async throws {
        for statement in PostgresDriver.statements(script) {
            try await tx.execute(PostgresQuery(unsafeSQL: statement))
        }
    }

    func recordApplied(_ migration: Migration, at date: Date) async throws {
        try await tx.execute(
            """
            INSERT INTO \(unescaped: versionTable) (version, name, checksum, applied_at)
            VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(date.timestamp))
            """)
    }

    func removeRecord(version: Int) async throws {
        try await tx.execute("DELETE FROM \(unescaped: versionTable) WHERE version = \(version)")
    }
}
