import ArgumentParser
import EngramCore
import EngramSQLite
import Foundation

/// `engram backup --output FILE`: a consistent copy of the whole database, taken while it stays in use.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the whole database (every user) to a new SQLite file, checked with quick_check.",
        discussion: """
            The copy is one consistent snapshot taken with SQLite's online backup API; other processes may keep
            using the database meanwhile. An existing file is never overwritten. `engram restore` reads it back.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: ArgumentHelp("The backup file to create.", valueName: "file"))
    var output: String

    mutating func run() async throws {
        guard FileManager.default.fileExists(atPath: global.databasePath) else {
            throw EngramError(.invalidArgument, "No database exists at --db; check the path (or $ENGRAM_DB).")
        }
        let store = try global.openSQLiteStore()
        let report = try await store.backup(to: NSString(string: output).expandingTildeInPath)
        try Self.show(report, verb: "backed up", json: global.json)
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
