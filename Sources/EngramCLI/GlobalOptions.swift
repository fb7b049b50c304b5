import ArgumentParser
import EngramCore
import EngramPostgres
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

    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "A PostgreSQL URL (postgresql://user:password@host:5432/db); default $ENGRAM_DATABASE_URL or $DATABASE_URL when --db is not given.",
            valueName: "url"))
    var databaseURL: String?

    @Flag(name: .long, help: "Print one machine-readable JSON document instead of text.")
    var json = false

    @Flag(name: .long, help: "Log what the store does to standard error.")
    var verbose = false

    @OptionGroup(title: "Embeddings") var embedding: EmbedderOptions

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

    /// The PostgreSQL URL to use, if any: `--database-url`, else (when `--db` is not given)
    /// `ENGRAM_DATABASE_URL` or `DATABASE_URL`.
    var postgresURL: String? {
        if let databaseURL { return databaseURL }
        guard db == nil else { return nil }
        let environment = ProcessInfo.processInfo.environment
        return [environment["ENGRAM_DATABASE_URL"], environment["DATABASE_URL"]].compactMap { $0 }.first { !$0.isEmpty }
    }

    /// Runs `body` with the chosen store: PostgreSQL when ``postgresURL`` is set (its pool runs for the
    /// duration of `body`), else the SQLite file at ``databasePath``.
    func withStore<T: Sendable>(_ body: (any MemoryStore) async throws -> T) async throws -> T {
        try await withStore { store, _ in try await body(store) }
    }

    /// ``withStore(_:)`` that also hands `body` the embedders the store was opened with.
    func withStore<T: Sendable>(_ body: (any MemoryStore, EmbedderSelection) async throws -> T) async throws -> T {
        let embedders = try embedding.selection()
        do {
            let result = try await open(embedders, body)
            await embedders.shutdown()
            return result
        } catch {
            await embedders.shutdown()
            throw error
        }
    }

    private func open<T: Sendable>(
        _ embedders: EmbedderSelection, _ body: (any MemoryStore, EmbedderSelection) async throws -> T
    ) async throws -> T {
        guard let url = postgresURL else { return try await body(openSQLiteStore(embedders), embedders) }
        let configuration = try PostgresConfiguration(url: url)
        return try await PostgresMemoryStore.withStore(
            configuration, embedder: embedders.configured, otherEmbedders: embedders.others, logger: logger
        ) { store in
            try await store.checkConnection()
            return try await body(store, embedders)
        }
    }

    /// The store's logger: debug output with `--verbose`, otherwise only critical messages.
    var logger: Logger {
        var logger = Logger(label: "engram.cli")
        logger.logLevel = verbose ? .debug : .critical
        return logger
    }

    /// Opens (creating and migrating if needed) the SQLite store at ``databasePath``; without `embedders`
    /// (for commands that embed nothing, such as backup), with the hashing embedder.
    func openSQLiteStore(_ embedders: EmbedderSelection? = nil) throws -> SQLiteMemoryStore {
        let embedders = embedders ?? EmbedderSelection(configured: HashingEmbedder(), others: [], reason: "", http: nil)
        return try SQLiteMemoryStore(
            path: databasePath, embedder: embedders.configured, otherEmbedders: embedders.others, logger: logger)
    }
}
