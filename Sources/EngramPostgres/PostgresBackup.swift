import EngramCore
import Foundation
import Logging
import PostgresNIO

/// What a PostgreSQL backup or restore did: the archive, its size, where the data lives, and how many rows
/// each Engram table holds afterwards (for a backup: in the very snapshot that was dumped).
public struct PostgresBackupReport: Codable, Sendable, Equatable {
    /// The archive that was written (backup) or read (restore).
    public var file: String
    /// The archive's size in bytes.
    public var bytes: Int64
    /// The database that was dumped or restored into.
    public var database: String
    /// The Engram schema that was dumped or restored.
    public var schema: String
    /// Row counts by Engram table (`users`, `memories`, `messages`, `links`, `embeddings`, …).
    public var rows: [String: Int]
    /// The `--version` line of the pg_dump or pg_restore that ran.
    public var tool: String

    public init(file: String, bytes: Int64, database: String, schema: String, rows: [String: Int], tool: String) {
        self.file = file
        self.bytes = bytes
        self.database = database
        self.schema = schema
        self.rows = rows
        self.tool = tool
    }
}

/// Backup and restore of one Engram schema with PostgreSQL's own tools, `pg_dump` and `pg_restore`, in the
/// custom archive format (`-Fc`: compressed, restorable selectively, checked by pg_restore).
///
/// The tools run as child processes without a shell. The connection comes from the configuration through
/// libpq's environment variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`), so
/// the password never appears on a command line. The tools are looked up in the `tools` folder when given,
/// else in `ENGRAM_PG_BIN`, else on `PATH`; `scripts/pg.sh bin` prints the folder of the project's server.
public enum PostgresBackup {
    /// The tables whose rows a report counts (those the schema has: an archive of an older schema lacks the newer
    /// tables until its migrations run).
    public static let tables = [
        "users", "agents", "modules", "sessions", "messages", "working_facts", "memories", "embeddings", "links",
        "emotions", "session_state", "feedback", "audit_log",
    ]

    /// Dumps the configured schema (every user) to a new custom-format archive at `path`.
    ///
    /// The dump and the row counts of the report read one exported snapshot, so they agree exactly, while the
    /// store stays in use. The archive is written to a hidden file next to `path` and only then given its name;
    /// an existing file at `path` is never overwritten (`already_exists`). pg_dump must be at least as new as
    /// the server (PostgreSQL refuses an older one).
    public static func backup(
        _ configuration: PostgresConfiguration, to path: String, tools: URL?,
        logger: Logger = Logger(label: "engram.postgres.backup")
    ) async throws -> PostgresBackupReport {
        guard !path.isEmpty else {
            throw EngramError(.invalidArgument, "The backup path is empty; give the file to write.")
        }
        let destination = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: destination.path) { throw backupExists }
        let pgDump = try locate("pg_dump", tools: tools)
        let tool = try await version(of: pgDump, logger: logger)
        try FileManager.default.createFolder(of: destination, for: "backup")
        let temporary = FileManager.default.temporarySibling(of: destination, purpose: "backup")
        defer { try? FileManager.default.removeItem(at: temporary) }

        let postgres = configuration
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: PostgresDriver.connectionConfiguration(postgres, purpose: "backup"), id: 1,
                logger: logger)
        } catch {
            throw PostgresErrors.translate(error, postgres: postgres, logger: logger)
        }
        let rows: [String: Int]
        let deadlines = PostgresDeadlines(postgres)
        do {
            // One read-only snapshot for pg_dump (through --snapshot) and for the counts of the report.
            try await connection.execute(
                "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", within: deadlines, logger: logger)
            let state = try await connection.first(
                """
                SELECT set_config('search_path', \(postgres.schema + ", public"), true),
                    set_config('engram.admin', 'on', true),
                    current_setting('server_version_num')::int,
                    to_regclass(\(postgres.schema + ".engram_schema_version")) IS NOT NULL,
                    pg_export_snapshot()
                """, within: deadlines, logger: logger
            ) { row in
                let (_, _, server, engram, snapshot) = try row.decode((String, String, Int, Bool, String).self)
                return (server: server / 10000, engram: engram, snapshot: snapshot)
            }
            guard let state else { throw EngramError(.storageFailure, "PostgreSQL returned no snapshot; retry.") }
            guard state.engram else {
                throw EngramError(
                    .storageFailure,
                    "The database \(postgres.database) has no Engram schema \(postgres.schema); check the URL's ?schema= (engram migrate status). Nothing was written."
                )
            }
            guard tool.major >= state.server else {
                throw EngramError(
                    .storageFailure,
                    "pg_dump \(tool.major) is older than the server (PostgreSQL \(state.server)); use pg_dump \(state.server) or newer (set ENGRAM_PG_BIN or --pg-bin to its bin folder). Nothing was written."
                )
            }
            let run = try await runTool(
                pgDump,
                [
                    "--format=custom", "--schema=\(postgres.schema)", "--no-owner", "--enable-row-security",
                    "--snapshot=\(state.snapshot)", "--file=\(temporary.path)", "--dbname=\(conninfo(postgres))",
                ], environment: environment(postgres))
            guard run.status == 0 else {
                throw toolFailure("pg_dump", run, configuration: postgres, logger: logger, nothing: "written")
            }
            rows = try await counts(connection, within: deadlines, logger: logger)
            try await connection.execute("COMMIT", within: deadlines, logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw PostgresErrors.translate(error, postgres: postgres, logger: logger)
        }
        // An archive holds every user's data: readable by its owner only.
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary.path)
        try FileManager.default.publish(temporary, at: destination, replace: false, exists: backupExists)
        return PostgresBackupReport(
            file: path, bytes: FileManager.default.size(of: destination), database: postgres.database,
            schema: postgres.schema,
            rows: rows, tool: tool.line)
    }

    /// Restores an archive made by ``backup(_:to:tools:logger:)`` into the configured database and schema.
    ///
    /// The archive must hold an Engram schema of the configured name (`invalid_argument` otherwise; set
    /// `?schema=` to the name it reports). The database is created when missing; it needs pgvector and
    /// pg_trgm (new databases inherit them from `template1` when a superuser installed them there). A schema
    /// that already has tables is refused (`already_exists`) unless `replace` is true, which drops the
    /// archive's objects first (`--clean --if-exists`). pg_restore runs in one transaction and stops at the
    /// first error, so a failed restore leaves the database as it was.
    public static func restore(
        _ configuration: PostgresConfiguration, from path: String, tools: URL?, replace: Bool = false,
        logger: Logger = Logger(label: "engram.postgres.backup")
    ) async throws -> PostgresBackupReport {
        var isDirectory: ObjCBool = false
        guard !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
            !isDirectory.boolValue
        else {
            throw EngramError(.invalidArgument, "No backup file exists at this path; check the path.")
        }
        let pgRestore = try locate("pg_restore", tools: tools)
        let tool = try await version(of: pgRestore, logger: logger)
        var postgres = configuration
        postgres.poolSize = 2
        let listing = try await runTool(pgRestore, ["--list", path], environment: environment(postgres))
        guard listing.status == 0 else {
            throw toolFailure("pg_restore", listing, configuration: postgres, logger: logger, nothing: "changed")
        }
        try checkArchive(listing.stdout, schema: postgres.schema)

        try await PostgresDriver.createDatabaseIfMissing(postgres, logger: logger)
        return try await PostgresDriver.withDriver(postgres, logger: logger) { driver in
            try await driver.checkConnection()
            let target = try await driver.transaction(.store) { connection in
                try await connection.first(
                    """
                    SELECT (SELECT count(*) FROM pg_extension WHERE extname IN ('vector', 'pg_trgm'))::int,
                        (SELECT count(*) FROM pg_namespace WHERE nspname = \(postgres.schema))::int,
                        (SELECT count(*) FROM pg_tables WHERE schemaname = \(postgres.schema))::int
                    """, within: driver.deadlines, logger: logger
                ) { row in try row.decode((Int, Int, Int).self) }
            }
            let (extensions, schemas, tables) = target ?? (0, 0, 0)
            guard extensions == 2 else {
                throw EngramError(
                    .storageFailure,
                    "The database \(postgres.database) lacks pgvector or pg_trgm; a superuser must run CREATE EXTENSION vector and CREATE EXTENSION pg_trgm in it. Nothing was changed."
                )
            }
            guard tables == 0 || replace else {
                throw EngramError(
                    .alreadyExists,
                    "The schema \(postgres.schema) of database \(postgres.database) already has tables; pass replace (engram restore --replace) to overwrite it, or restore into another database or schema."
                )
            }
            var arguments = ["--no-owner", "--exit-on-error", "--single-transaction"]
            // With replace, the archive's objects are dropped first; so is an existing schema without tables
            // (say, one `engram init` just created), which the archive's CREATE SCHEMA would otherwise trip over.
            if schemas > 0 { arguments += ["--clean", "--if-exists"] }
            arguments += ["--dbname=\(conninfo(postgres))", path]
            let run = try await runTool(pgRestore, arguments, environment: environment(postgres))
            guard run.status == 0 else {
                throw toolFailure("pg_restore", run, configuration: postgres, logger: logger, nothing: "changed")
            }
            let rows = try await driver.transaction(.store) { connection in
                try await counts(connection, within: driver.deadlines, logger: logger)
            }
            return PostgresBackupReport(
                file: path, bytes: FileManager.default.size(of: URL(fileURLWithPath: path)),
                database: postgres.database,
                schema: postgres.schema, rows: rows, tool: tool.line)
        }
    }
}

// MARK: - Tools

extension PostgresBackup {
    /// The result of one run of a tool.
    struct ToolRun: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `name` in the `tools` folder when given (and only there), else in `ENGRAM_PG_BIN`, else on `PATH`.
    static func locate(_ name: String, tools: URL?) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        var folders: [URL] = []
        if let tools {
            folders = [tools]
        } else {
            if let bin = environment["ENGRAM_PG_BIN"], !bin.isEmpty { folders.append(URL(fileURLWithPath: bin)) }
            folders += (environment["PATH"] ?? "").split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        }
        for folder in folders {
            let candidate = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
                !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return candidate
            }
        }
        if tools != nil {
            throw EngramError(
                .storageFailure,
                "\(name) is not in the folder given with --pg-bin; give PostgreSQL's bin folder (scripts/pg.sh bin prints it)."
            )
        }
        throw EngramError(
            .storageFailure,
            "\(name) was not found; set ENGRAM_PG_BIN to PostgreSQL's bin folder (scripts/pg.sh bin prints it).")
    }

    /// The tool's `--version` line and major version (`pg_dump (PostgreSQL) 18.6` → 18).
    static func version(of tool: URL, logger: Logger) async throws -> (line: String, major: Int) {
        let run = try await runTool(tool, ["--version"], environment: ProcessInfo.processInfo.environment)
        let line = run.stdout.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard run.status == 0, let marker = line.range(of: ") "),
            let major = Int(line[marker.upperBound...].prefix(while: \.isNumber))
        else {
            throw EngramError(
                .storageFailure,
                "\(tool.lastPathComponent) --version failed; check that ENGRAM_PG_BIN (or --pg-bin) is PostgreSQL's bin folder."
            )
        }
        return (line, major)
    }

    /// Runs `tool` without a shell, standard input empty, both outputs captured through temporary files (so no
    /// pipe can fill up); cancelling the task terminates the tool.
    static func runTool(_ tool: URL, _ arguments: [String], environment: [String: String]) async throws -> ToolRun {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engram-pg-\(UUID().uuidString)")
        let out = folder.appendingPathComponent("stdout")
        let err = folder.appendingPathComponent("stderr")
        let status: Int32
        do {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            let outHandle = try FileHandle(forWritingTo: out)
            let errHandle = try FileHandle(forWritingTo: err)
            defer {
                try? outHandle.close()
                try? errHandle.close()
            }
            let process = Process()
            process.executableURL = tool
            process.arguments = arguments
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = outHandle
            process.standardError = errHandle
            let box = ProcessBox(process)
            status = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                    do {
                        try process.run()
                    } catch {
                        process.terminationHandler = nil
                        continuation.resume(throwing: error)
                    }
                }
            } onCancel: {
                box.terminate()
            }
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw EngramError(
                .storageFailure,
                "Cannot run \(tool.lastPathComponent); check that it is executable and the temporary folder is writable."
            )
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        func text(_ url: URL) -> String {
            (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return ToolRun(status: status, stdout: text(out), stderr: text(err))
    }

    /// Lets a cancellation handler stop a running tool.
    final class ProcessBox: @unchecked Sendable {
        private let process: Process
        init(_ process: Process) { self.process = process }
        func terminate() { if process.isRunning { process.terminate() } }
    }

    /// The tools' environment: libpq's variables from the configuration (other `PG…` variables are dropped, so
    /// nothing in the caller's environment redirects them), and whole-store access under row-level security.
    static func environment(_ postgres: PostgresConfiguration) -> [String: String] {
        let kept: Set<String> = ["PGPASSFILE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY", "PGSSLCRL", "PGSYSCONFDIR"]
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("PG") || kept.contains($0.key)
        }
        switch postgres.endpoint {
        case .tcp(let host, let port):
            environment["PGHOST"] = host
            environment["PGPORT"] = "\(port)"
        case .unixSocket(let path):
            let socket = URL(fileURLWithPath: path)
            let name = socket.lastPathComponent
            if name.hasPrefix(".s.PGSQL."), let port = Int(name.dropFirst(".s.PGSQL.".count)) {
                environment["PGHOST"] = socket.deletingLastPathComponent().path
                environment["PGPORT"] = "\(port)"
            } else {
                environment["PGHOST"] = path
            }
        }
        environment["PGUSER"] = postgres.username
        if let password = postgres.password { environment["PGPASSWORD"] = password }
        environment["PGDATABASE"] = postgres.database
        environment["PGSSLMODE"] = postgres.tls.rawValue
        environment["PGAPPNAME"] = postgres.applicationName
        environment["PGCONNECT_TIMEOUT"] = "\(max(2, postgres.connectTimeout.components.seconds))"
        // The tables force row-level security; the policies let an admin session see every user's rows.
        environment["PGOPTIONS"] = "-c engram.admin=on"
        return environment
    }

    /// A libpq connection string naming only the database (quoted), for `--dbname`; the rest comes from
    /// the environment.
    static func conninfo(_ postgres: PostgresConfiguration) -> String {
        let escaped = postgres.database.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "'", with: "\\'")
        return "dbname='\(escaped)'"
    }

    /// The Engram error for a failed tool run, from the known messages of its standard error. The message
    /// never repeats the tool's output, which can quote rows; with `--verbose`, its lines without row
    /// details (`DETAIL`, `CONTEXT`, `Command was`) go to the debug log.
    static func toolFailure(
        _ name: String, _ run: ToolRun, configuration postgres: PostgresConfiguration, logger: Logger,
        nothing: String
    ) -> EngramError {
        let safe = run.stderr.split(whereSeparator: \.isNewline).filter { line in
            !["DETAIL:", "CONTEXT:", "Command was:", "LINE "].contains { line.hasPrefix($0) }
        }
        logger.debug(
            "\(name) failed", metadata: ["status": "\(run.status)", "stderr": "\(safe.joined(separator: " | "))"])
        let stderr = run.stderr.lowercased()
        let (host, port) = postgres.hostDescription
        let server = "\(host)\(port.map { ":\($0)" } ?? "")"
        if stderr.contains("server version mismatch") {
            return EngramError(
                .storageFailure,
                "\(name) is older than the PostgreSQL server; use the \(name) of the server's version or newer (set ENGRAM_PG_BIN or --pg-bin). Nothing was \(nothing)."
            )
        }
        if stderr.contains("unsupported version") {
            return EngramError(
                .storageFailure,
                "\(name) is older than the pg_dump that wrote the backup; use a \(name) at least as new (set ENGRAM_PG_BIN or --pg-bin). Nothing was \(nothing)."
            )
        }
        if stderr.contains("does not appear to be a valid archive") || stderr.contains("magic string")
            || stderr.contains("input file is too short")
        {
            return EngramError(
                .invalidArgument,
                "The file is not a pg_dump custom-format archive; check that it was made by engram backup on PostgreSQL."
            )
        }
        if stderr.contains("password authentication failed") || stderr.contains("no password supplied") {
            return EngramError(
                .storageFailure, "PostgreSQL rejected the user name or password in DATABASE_URL; check them.")
        }
        if stderr.contains("connection refused") || stderr.contains("could not connect")
            || stderr.contains("could not translate host name")
        {
            return EngramError(
                .storageFailure,
                "Cannot connect to PostgreSQL at \(server); start the server (scripts/pg.sh start) or fix DATABASE_URL."
            )
        }
        if stderr.contains("database \"") && stderr.contains("does not exist") {
            return EngramError(
                .storageFailure,
                "The database \(postgres.database) does not exist; run engram init (it creates it) or create it with CREATE DATABASE."
            )
        }
        if stderr.contains("permission denied") {
            return EngramError(
                .storageFailure,
                "Permission denied: the DATABASE_URL role lacks a privilege for \(name); use the schema's owner role. Nothing was \(nothing)."
            )
        }
        if stderr.contains("type \"public.vector\" does not exist") || stderr.contains("gin_trgm_ops") {
            return EngramError(
                .storageFailure,
                "The database \(postgres.database) lacks pgvector or pg_trgm; a superuser must run CREATE EXTENSION vector and CREATE EXTENSION pg_trgm in it. Nothing was changed."
            )
        }
        if stderr.contains("already exists") {
            return EngramError(
                .alreadyExists,
                "An object of the backup already exists in the database (outside the tables it replaces); restore into an empty schema or database. Nothing was changed."
            )
        }
        if stderr.contains("no space left") || stderr.contains("could not write") {
            return EngramError(
                .storageFailure, "\(name) could not write; check free space and permissions. Nothing was \(nothing).")
        }
        return EngramError(
            .storageFailure,
            "\(name) failed (exit status \(run.status)); nothing was \(nothing). Run with --verbose to log its messages, or engram doctor."
        )
    }

    /// Checks that `pg_restore --list` shows an Engram schema named `schema` (the archive cannot rename it).
    static func checkArchive(_ listing: String, schema: String) throws {
        // Table entries read `<id>; <catalog oid> <oid> TABLE <schema> <name> <owner>`.
        var tablesBySchema: [String: Set<String>] = [:]
        for line in listing.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[0].hasSuffix(";"), fields[3] == "TABLE" else { continue }
            tablesBySchema[String(fields[4]), default: []].insert(String(fields[5]))
        }
        let required: Set<String> = ["engram_schema_version", "users", "memories"]
        if tablesBySchema[schema]?.isSuperset(of: required) == true { return }
        if let other = tablesBySchema.first(where: { $0.value.isSuperset(of: required) })?.key {
            throw EngramError(
                .invalidArgument,
                "The backup holds the Engram schema \(other), not \(schema); restore with ?schema=\(other) in the database URL."
            )
        }
        throw EngramError(
            .invalidArgument,
            "The archive holds no Engram schema; check that it was made by engram backup on PostgreSQL.")
    }
}

// MARK: - Files and counts

extension PostgresBackup {
    static let backupExists = EngramError(
        .alreadyExists, "A file already exists at the backup path; choose a new path or remove the old file first.")

    /// Rows per Engram table, in the caller's transaction (which must see every user: engram.admin = on).
    static func counts(
        _ connection: PostgresConnection, within deadlines: PostgresDeadlines, logger: Logger
    ) async throws -> [String: Int] {
        let present = Set(
            try await connection.rows(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()", within: deadlines,
                logger: logger
            ) { try $0.decode(String.self) })
        var rows: [String: Int] = [:]
        for table in tables where present.contains(table) {
            rows[table] =
                try await connection.first(
                    PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), within: deadlines, logger: logger
                ) { try $0.decode(Int.self) } ?? 0
        }
        return rows
    }

}
