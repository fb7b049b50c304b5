import ArgumentParser
import EngramCore
import EngramPostgres

/// `engram init`: creates or migrates the database and creates the user.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create (or migrate) the database and create the user; safe to run again.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The user's display name, used when the user is new.")
    var name: String?

    private struct Report: Codable {
        var database: String
        var user: User
        var health: StoreHealth
    }

    mutating func run() async throws {
        if case .postgres(let url) = try global.location() {
            // As seed 000 does by hand: the dedicated database is created once, when missing.
            try await PostgresDriver.createDatabaseIfMissing(try PostgresConfiguration(url: url), logger: global.logger)
        }
        try await global.withService(.write) { store in
            try await store.migrateUp()
            let user = try await store.createUser(UserDraft(id: global.userID, name: name))
            let health = await store.health()
            if global.json {
                try Output.json(Report(database: global.databaseDescription(), user: user, health: health))
                return
            }
            Output.line("Engram is ready.")
            Output.printFields([
                ("database", health.database),
                ("backend", "\(health.backend) (\(health.version))"),
                ("schema version", "\(health.schemaVersion)"),
                ("embedding model", health.embeddingModel),
                ("status", health.status),
                ("user", user.id),
            ])
        }
    }
}
