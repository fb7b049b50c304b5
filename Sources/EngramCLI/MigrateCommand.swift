import ArgumentParser
import EngramCore
import EngramPostgres
import Foundation

/// `engram migrate`: the schema's numbered migrations.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Show, apply, revert or create schema migrations.",
        discussion: """
            PostgreSQL migrations are numbered SQL files with an up and a down part; each applied one is recorded
            with its checksum, and an edited applied migration is refused. SQLite applies its migrations when a
            database is opened and is forward-only.
            """,
        subcommands: [Status.self, Up.self, Down.self, Create.self],
        defaultSubcommand: Status.self)

    /// `engram migrate status`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List migrations and whether each is applied.")

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            guard let url = global.postgresURL else {
                let health = await (try global.openSQLiteStore()).health()
                Output.printFields([
                    ("schema version", "\(health.schemaVersion)"),
                    (
                        "pending",
                        health.pendingMigrations.isEmpty ? "none" : health.pendingMigrations.joined(separator: ", ")
                    ),
                ])
                return
            }
            let status = try await PostgresMemoryStore.withStore(
                try PostgresConfiguration(url: url), logger: global.logger
            ) {
                store in
                try await store.checkConnection()
                return try await store.migrationStatus()
            }
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
            let url = try MigrateCommand.requirePostgres(global)
            let target = self.target
            let applied = try await PostgresMemoryStore.withStore(
                try PostgresConfiguration(url: url), logger: global.logger
            ) {
                store in
                try await store.checkConnection()
                return try await store.migrateUp(to: target)
            }
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
            let url = try MigrateCommand.requirePostgres(global)
            let steps = self.steps
            let reverted = try await PostgresMemoryStore.withStore(
                try PostgresConfiguration(url: url), logger: global.logger
            ) { store in
                try await store.checkConnection()
                return try await store.migrateDown(steps: steps)
            }
            Output.line(
                reverted.isEmpty ? "nothing to revert" : "reverted " + reverted.map(String.init).joined(separator: ", ")
            )
        }
    }

    /// `engram migrate create NAME`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the next numbered PostgreSQL migration file, with empty up and down parts.")

        @Argument(help: "What the migration does, in lower-case words joined by _ (such as add_topics).")
        var name: String

        @Option(help: "The migrations folder.")
        var directory = "Sources/EngramPostgres/Migrations"

        func validate() throws {
            guard name.range(of: "^[a-z0-9_]+$", options: .regularExpression) != nil else {
                throw ValidationError("Name the migration with lower-case letters, digits and _ only.")
            }
        }

        func run() throws {
            let folder = URL(fileURLWithPath: directory)
            let next = (try PostgresMigration.directory(folder).map(\.version).max() ?? 0) + 1
            let file = folder.appendingPathComponent(String(format: "%03d_%@.sql", next, name))
            let text = "-- \(name)\n\n-- migrate:up\n\n-- migrate:down\n"
            try Data(text.utf8).write(to: file, options: .withoutOverwriting)
            Output.line("created \(file.path)")
        }
    }

    static func requirePostgres(_ global: GlobalOptions) throws -> String {
        guard let url = global.postgresURL else {
            throw ValidationError(
                "migrate up/down work on PostgreSQL: pass --database-url or set DATABASE_URL. SQLite migrates when opened."
            )
        }
        return url
    }

    static func print(_ status: [MigrationStatus], json: Bool) throws {
        if json { return try Output.json(status) }
        Output.printTable(
            ["VERSION", "NAME", "APPLIED", "CHECKSUM"],
            status.map {
                [
                    String(format: "%03d", $0.version), $0.name, $0.applied ? Output.date($0.appliedAt) : "pending",
                    $0.checksumMatches ? "ok" : "EDITED",
                ]
            }, empty: "no migrations")
    }
}
