import ArgumentParser
import EngramCore
import EngramSQLite
import Foundation
import Logging

/// The options every command accepts: the database, the user and the output format.
struct GlobalOptions: ParsableArguments {
    /// The database path used when neither `--db` nor `ENGRAM_DB` is given.
    static let defaultDatabasePath = "./.engram/engram.sqlite"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The SQLite database file (default: $ENGRAM_DB, else \(defaultDatabasePath)).", valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("The user id (default: $ENGRAM_USER, else \"default\").", valueName: "id"))
    var user: String?

    @Flag(name: .long, help: "Print one machine-readable JSON document instead of text.")
    var json = false

    @Flag(name: .long, help: "Log what the store does to standard error.")
    var verbose = false

    /// The database file to open: `--db`, else `ENGRAM_DB`, else the default.
    var databasePath: String {
        let environment = ProcessInfo.processInfo.environment
        let raw = db ?? environment["ENGRAM_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultDatabasePath
        return NSString(string: raw).expandingTildeInPath
    }

    /// The user every command acts for: `--user`, else `ENGRAM_USER`, else `default`.
    var userID: String {
        let environment = ProcessInfo.processInfo.environment
        return user ?? environment["ENGRAM_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    }

    /// Opens (creating and migrating if needed) the store at ``databasePath``.
    func openStore() throws -> SQLiteMemoryStore {
        var logger = Logger(label: "engram.cli")
        logger.logLevel = verbose ? .debug : .critical
        return try SQLiteMemoryStore(path: databasePath, logger: logger)
    }
}
