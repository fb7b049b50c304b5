import ArgumentParser
import EngramCore
import EngramPostgres
import EngramSQLite
import Foundation
import Logging

/// Where the database is: a SQLite file, or a PostgreSQL server.
enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)
}

/// What a command does to the database, which decides how it is opened.
enum DatabaseAccess: Sendable {
    /// Reads only: the database must exist, a SQLite file is opened read-only, nothing is migrated.
    case read
    /// Writes: a missing SQLite file is created, pending migrations are applied on first use.
    case write
}

/// The options every command accepts: the database, the user and the output format.
struct GlobalOptions: ParsableArguments {
    /// The database path used when neither `--db` nor `ENGRAM_DB` is given.
    static let defaultDatabasePath = "./.engram/engram.sqlite"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The SQLite file, or a postgresql:// URL (default: $ENGRAM_DB, else \(defaultDatabasePath)).",
            valueName: "path-or-url"))
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

    @Flag(name: .long, help: "Log what Engram does to standard error.")
    var verbose = false

    @OptionGroup(title: "Embeddings") var embedding: EmbedderOptions

    @OptionGroup(title: "LLM extraction (optional)") var llm: LanguageModelOptions

    /// The user every command acts for: `--user`, else `ENGRAM_USER`, else `default`.
    var userID: String {
        user ?? explicitUser ?? "default"
    }

    /// The user named by `--user` or `ENGRAM_USER`, if any.
    var explicitUser: String? {
        user ?? ProcessInfo.processInfo.environment["ENGRAM_USER"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The database: `--database-url`; else `--db` (a path, or a PostgreSQL URL); else `ENGRAM_DB`; else, when no
    /// `--db` is given, `ENGRAM_DATABASE_URL` or `DATABASE_URL`; else the default file. A URL of any other scheme
    /// is refused: it never becomes a file name.
    func location() throws -> DatabaseLocation {
        let environment = ProcessInfo.processInfo.environment
        func nonEmpty(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let databaseURL { return try Self.postgres(databaseURL, option: "--database-url") }
        if let db { return try Self.parse(db, option: "--db") }
        if let url = nonEmpty("ENGRAM_DATABASE_URL") ?? nonEmpty("DATABASE_URL"), nonEmpty("ENGRAM_DB") == nil {
            return try Self.postgres(url, option: "DATABASE_URL")
        }
        return try Self.parse(nonEmpty("ENGRAM_DB") ?? Self.defaultDatabasePath, option: "ENGRAM_DB")
    }

    /// A path, or a URL.
    static func parse(_ value: String, option: String) throws -> DatabaseLocation {
        if let scheme = Self.scheme(of: value) {
            guard ["postgres", "postgresql"].contains(scheme) else {
                throw ValidationError(
                    "\(option) looks like a URL of scheme '\(scheme)'; pass a SQLite file path or a postgresql:// URL.")
            }
            return try postgres(value, option: option)
        }
        return .sqlite(path: NSString(string: value).expandingTildeInPath)
    }

    /// A PostgreSQL URL, checked.
    static func postgres(_ value: String, option: String) throws -> DatabaseLocation {
        guard let scheme = scheme(of: value), ["postgres", "postgresql"].contains(scheme) else {
            throw ValidationError(
                "\(option) must be a postgresql:// URL, such as postgresql://engram@127.0.0.1/engram.")
        }
        _ = try PostgresConfiguration(url: value)
        return .postgres(url: value)
    }

    /// The scheme of a value that looks like a URL (`name:` then `//`, or a known database scheme), lower-cased.
    static func scheme(of value: String) -> String? {
        guard let colon = value.firstIndex(of: ":") else { return nil }
        let scheme = value[..<colon].lowercased()
        guard scheme.count > 1, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else {
            return nil
        }
        let rest = value[value.index(after: colon)...]
        return rest.hasPrefix("//") || ["postgres", "postgresql", "sqlite", "file"].contains(scheme) ? scheme : nil
    }

    /// The logger: debug output with `--verbose`, otherwise only critical messages.
    var logger: Logger {
        var logger = Logger(label: "engram.cli")
        logger.logLevel = verbose ? .debug : .critical
        return logger
    }

    /// Runs `body` with a ``MemoryService`` on the chosen database, opened for `access`.
    func withService<T: Sendable>(
        _ access: DatabaseAccess, clock: any WallClock = SystemClock(), _ body: (MemoryService) async throws -> T
    ) async throws -> T {
        try await withService(access, clock: clock) { service, _ in try await body(service) }
    }

    /// ``withService(_:_:)`` that also hands `body` the embedders the service was made with.
    func withService<T: Sendable>(
        _ access: DatabaseAccess, clock: any WallClock = SystemClock(),
        _ body: (MemoryService, EmbedderSelection) async throws -> T
    ) async throws -> T {
        let embedders = try embedding.selection()
        let formation: FormationModels
        do {
            formation = try LanguageModelOptions.formation(try llm.configuration(), logger: logger)
        } catch {
            await embedders.shutdown()
            throw error
        }
        do {
            let result = try await withDriver(access) { driver in
                let service = MemoryService(
                    driver: driver, embedder: embedders.configured, otherEmbedders: embedders.others,
                    extractor: formation.extractor, summarizer: formation.summarizer, clock: clock, logger: logger,
                    migratesOnFirstUse: access == .write)
                do {
                    let result = try await body(service, embedders)
                    await service.flushReinforcements()
                    return result
                } catch {
                    await service.flushReinforcements()
                    throw error
                }
            }
            await formation.shutdown()
            await embedders.shutdown()
            return result
        } catch {
            await formation.shutdown()
            await embedders.shutdown()
            throw error
        }
    }

    /// When a SQLite store searches through an approximate graph: from `ENGRAM_VECTOR_GRAPH_THRESHOLD` vectors of a
    /// user (a count, or `off`), keeping `ENGRAM_VECTOR_GRAPH_EF` candidates per search; else
    /// ``VectorGraphSettings/standard``.
    func vectorGraphs() throws -> VectorGraphSettings {
        let environment = ProcessInfo.processInfo.environment
        var settings = VectorGraphSettings.standard
        if let value = environment["ENGRAM_VECTOR_GRAPH_THRESHOLD"], !value.isEmpty {
            guard value == "off" || (Int(value) ?? 0) > 0 else {
                throw EngramError(
                    .invalidArgument,
                    "ENGRAM_VECTOR_GRAPH_THRESHOLD must be a positive count of vectors or off; it is \"\(value)\".")
            }
            settings.threshold = Int(value) ?? .max
        }
        if let value = environment["ENGRAM_VECTOR_GRAPH_EF"], !value.isEmpty {
            guard let breadth = Int(value), (1...10_000).contains(breadth) else {
                throw EngramError(
                    .invalidArgument, "ENGRAM_VECTOR_GRAPH_EF must be a count from 1 to 10000; it is \"\(value)\".")
            }
            settings.searchBreadth = breadth
        }
        return settings
    }

    /// When a SQLite commit is on disk: `ENGRAM_SQLITE_SYNCHRONOUS` (`full` or `normal`), else `full`.
    func sqliteSynchronous() throws -> SQLiteDriver.Synchronous {
        guard let value = ProcessInfo.processInfo.environment["ENGRAM_SQLITE_SYNCHRONOUS"], !value.isEmpty else {
            return .full
        }
        guard let synchronous = SQLiteDriver.Synchronous(rawValue: value.lowercased()) else {
            throw EngramError(
                .invalidArgument, "ENGRAM_SQLITE_SYNCHRONOUS must be full or normal; it is \"\(value)\".")
        }
        return synchronous
    }

    /// Opens the SQLite file at `path` with the settings of the environment.
    func openSQLite(_ path: String, access: SQLiteDriver.Access, logger: Logger) throws -> SQLiteDriver {
        try SQLiteDriver(
            path: path, access: access, vectorGraphs: try vectorGraphs(), synchronous: try sqliteSynchronous(),
            logger: logger)
    }

    /// Runs `body` with the driver of the chosen database: SQLite opened for `access`, or PostgreSQL with its pool
    /// running for the duration of `body`.
    func withDriver<T: Sendable>(_ access: DatabaseAccess, _ body: (any StorageDriver) async throws -> T) async throws
        -> T
    {
        switch try location() {
        case .sqlite(let path):
            let driver = try openSQLite(path, access: access == .read ? .readOnly : .create, logger: logger)
            defer { try? driver.close() }
            return try await body(driver)
        case .postgres(let url):
            return try await PostgresDriver.withDriver(try PostgresConfiguration(url: url), logger: logger) { driver in
                try await driver.checkConnection()
                return try await body(driver)
            }
        }
    }

    /// The database as reports name it: the file's path, or the URL without its password.
    func databaseDescription() -> String {
        switch try? location() {
        case .sqlite(let path): path
        case .postgres(let url): (try? PostgresConfiguration(url: url)).map { "postgresql \($0.database)" } ?? url
        case nil: "?"
        }
    }
}
