import ArgumentParser
import EngramCore
import EngramPostgres
import EngramSQLite
import Foundation

/// `engram restore FILE`: replaces the database with a backup made by `engram backup`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by engram backup into --db; --replace overwrites an existing database.",
        discussion: """
            The backup is checked (an Engram SQLite database, quick_check ok) and copied next to --db, then renamed
            over it, so a failed restore leaves the database untouched. Stop every process using --db first.
            With a PostgreSQL URL, pg_restore reads an archive made by engram backup into the URL's database
            (created if missing) and schema (the archive's name), in one transaction that stops at the first error.
            A schema that already has tables is refused unless --replace, which drops the archive's objects first.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The backup file.", valueName: "file"))
    var file: String

    @Flag(name: .long, help: "Overwrite the database at --db (on PostgreSQL: the schema's tables) if it exists.")
    var replace = false

    @Option(
        name: .customLong("pg-bin"),
        help: ArgumentHelp(
            "PostgreSQL's bin folder holding pg_restore (default: $ENGRAM_PG_BIN, else PATH).", valueName: "dir"))
    var pgBin: String?

    mutating func run() async throws {
        let source = NSString(string: file).expandingTildeInPath
        switch try global.location() {
        case .postgres(let url):
            let report = try await PostgresBackup.restore(
                PostgresConfiguration(url: url), from: source, tools: BackupCommand.toolsFolder(pgBin),
                replace: replace, logger: global.logger)
            try BackupCommand.show(report, verb: "restored", json: global.json)
        case .sqlite(let path):
            let report = try SQLiteDriver.restore(from: source, to: path, replace: replace)
            try BackupCommand.show(report, verb: "restored", json: global.json)
        }
    }
}
