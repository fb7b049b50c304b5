import ArgumentParser
import EngramCore
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
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The backup file.", valueName: "file"))
    var file: String

    @Flag(name: .long, help: "Overwrite the database at --db if it exists.")
    var replace = false

    mutating func run() async throws {
        let report = try SQLiteMemoryStore.restore(
            from: NSString(string: file).expandingTildeInPath, to: global.databasePath, replace: replace)
        try BackupCommand.show(report, verb: "restored", json: global.json)
    }
}
