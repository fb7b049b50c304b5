import ArgumentParser
import EngramCore
import Foundation

/// `engram migrate`: the schema's numbered migrations, the same on SQLite and PostgreSQL.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Show, apply, revert or create schema migrations (SQLite and PostgreSQL alike).",
        discussion: """
            Migrations are numbered SQL files with an up and a down part (Sources/EngramSQLite/Migrations and
            Sources/EngramPostgres/Migrations); each applied one is recorded with its checksum in
            engram_schema_version, and an edited applied migration is refused. Other commands that write apply
            pending migrations on first use; commands that only read never do.
            """,
        subcommands: [Status.self, Up.self, Down.self, Create.self],
        defaultSubcommand: Status.self)

    /// `engram migrate status`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List migrations and whether each is applied.")

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            let status = try await MigrateCommand.withService(global, .read) { try await $0.migrationStatus() }
            try MigrateCommand.print(status, json: global.json)
        }
    }

    /// `engram migrate up [--to N]`.
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations, in order.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("to"), help: "Stop after this version.")
        var target: Int?

        mutating func run() async throws {
            let target = self.target
            let applied = try await MigrateCommand.withService(global, .write) { try await $0.migrateUp(to: target) }
            if global.json { return try Output.json(["applied": applied]) }
            Output.line(applied.isEmpty ? "up to date" : "applied " + applied.map(String.init).joined(separator: ", "))
        }
    }

    /// `engram migrate down [N]`.
    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revert the newest N applied migrations (default 1). Reverting 001 drops every table.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "How many migrations to revert.")
        var steps = 1

        func validate() throws {
            guard steps > 0 else { throw ValidationError("The number of steps must be positive.") }
        }

        mutating func run() async throws {
            let steps = self.steps
            let reverted = try await MigrateCommand.withService(global, .write) {
                try await $0.migrateDown(steps: steps)
            }
            if global.json { return try Output.json(["reverted": reverted]) }
            Output.line(
                reverted.isEmpty ? "nothing to revert" : "reverted " + reverted.map(String.init).joined(separator: ", ")
            )
        }
    }

    /// `engram migrate create NAME`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the next numbered migration file of a backend, with empty up and down parts.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "What the migration does, in lower-case words joined by _ (such as add_topics).")
        var name: String

        @Option(
            help:
                "The migrations folder (default: the backend's, Sources/EngramSQLite/Migrations or Sources/EngramPostgres/Migrations)."
        )
        var directory: String?

        func validate() throws {
            guard name.range(of: "^[a-z0-9_]+$", options: .regularExpression) != nil else {
                throw ValidationError("Name the migration with lower-case letters, digits and _ only.")
            }
        }

        func run() async throws {
            let backend = if case .postgres = try global.location() { "EngramPostgres" } else { "EngramSQLite" }
            let folder = URL(fileURLWithPath: directory ?? "Sources/\(backend)/Migrations")
            let next = (try Migration.directory(folder).map(\.version).max() ?? 0) + 1
            let file = folder.appendingPathComponent(String(format: "%03d_%@.sql", next, name))
            do {
                try Data(Migration.template(name: name).utf8).write(to: file, options: .withoutOverwriting)
            } catch {
                throw EngramError(
                    .alreadyExists, "Cannot create the migration file; check the folder and that the name is new.")
            }
            Output.line("created \(file.path)")
        }
    }

    /// Runs `body` with a service that migrates nothing by itself.
    static func withService<T: Sendable>(
        _ global: GlobalOptions, _ access: DatabaseAccess, _ body: (MemoryService) async throws -> T
    ) async throws -> T {
        try await global.withDriver(access) { driver in
            try await body(MemoryService(driver: driver, logger: global.logger, migratesOnFirstUse: false))
        }
    }

    static func print(_ status: [MigrationStatus], json: Bool) throws {
        if json { return try Output.json(status) }
        Output.printTable(
            ["VERSION", "NAME", "APPLIED", "CHECKSUM"],
            status.map {
                [
                    String(format: "%03d", $0.version), $0.name, $0.applied ? Output.date($0.appliedAt) : "pending",
                    !$0.known ? "UNKNOWN (newer Engram)" : $0.checksumMatches ? "ok" : "EDITED",
                ]
            }, empty: "no migrations")
    }
}
