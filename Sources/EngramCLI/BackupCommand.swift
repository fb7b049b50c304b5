import ArgumentParser
import EngramCore
import EngramPostgres
import EngramSQLite
import Foundation

/// `engram backup --output FILE`: a consistent copy of the whole database, taken while it stays in use.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the whole database (every user) to a new file: SQLite, or pg_dump's archive on PostgreSQL.",
        discussion: """
            The copy is one consistent snapshot taken with SQLite's online backup API; other processes may keep
            using the database meanwhile. An existing file is never overwritten. `engram restore` reads it back.
            With a PostgreSQL URL, pg_dump writes the Engram schema as a custom-format archive (-Fc) from one
            snapshot; pg_dump comes from --pg-bin, else $ENGRAM_PG_BIN, else PATH, and must be at least as new
            as the server.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: ArgumentHelp("The backup file to create.", valueName: "file"))
    var output: String

    @Option(
        name: .customLong("pg-bin"),
        help: ArgumentHelp(
            "PostgreSQL's bin folder holding pg_dump (default: $ENGRAM_PG_BIN, else PATH).", valueName: "dir"))
    var pgBin: String?

    mutating func run() async throws {
        let destination = NSString(string: output).expandingTildeInPath
        switch try global.location() {
        case .postgres(let url):
            let report = try await PostgresBackup.backup(
                PostgresConfiguration(url: url), to: destination, tools: Self.toolsFolder(pgBin), logger: global.logger)
            try Self.show(report, verb: "backed up", json: global.json)
        case .sqlite(let path):
            let driver = try SQLiteDriver(path: path, access: .readOnly, logger: global.logger)
            defer { try? driver.close() }
            try Self.show(try await driver.backup(to: destination), verb: "backed up", json: global.json)
        }
    }

    /// The `--pg-bin` folder, if given.
    static func toolsFolder(_ path: String?) -> URL? {
        path.map { URL(fileURLWithPath: NSString(string: $0).expandingTildeInPath, isDirectory: true) }
    }

    /// Prints a PostgreSQL backup or restore report: rows per table, then one summary line (or the report as JSON).
    static func show(_ report: PostgresBackupReport, verb: String, json: Bool) throws {
        if json {
            try Output.json(report)
            return
        }
        let rows = report.rows.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] }
        Output.printTable(["TABLE", "ROWS"], rows, empty: "No tables.")
        let direction = verb == "restored" ? "from" : "to"
        Output.line(
            "\(verb) schema \(report.schema) of database \(report.database) \(direction) \(report.file) (\(report.bytes) bytes, \(report.tool))"
        )
    }

    /// Prints a backup or restore report: rows per table, then one summary line (or the report as JSON).
    static func show(_ report: BackupReport, verb: String, json: Bool) throws {
        if json {
            try Output.json(report)
            return
        }
        let rows = report.rows.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] }
        Output.printTable(["TABLE", "ROWS"], rows, empty: "No tables.")
        Output.line(
            "\(verb) \(report.source) to \(report.destination) (\(report.bytes) bytes, quick_check \(report.quickCheck))"
        )
    }
}
