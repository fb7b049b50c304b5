import ArgumentParser
import EngramCore

/// `engram doctor`: checks the store; exits with 1 when it is not healthy.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the database connection, schema and integrity; exits with 1 unless the status is ok.")

    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try await global.withStore { store in
            let health = await store.health()
            if global.json {
                try Output.json(health)
            } else {
                Output.printFields(
                    [
                        ("status", health.status),
                        ("backend", health.backend),
                        ("database", health.database),
                        ("version", health.version),
                        ("schema version", "\(health.schemaVersion)"),
                        (
                            "pending migrations",
                            health.pendingMigrations.isEmpty ? "none" : health.pendingMigrations.joined(separator: ", ")
                        ),
                        ("embedding model", health.embeddingModel),
                    ] + health.details.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }
            if health.status != "ok" {
                throw ExitCode.failure
            }
        }
    }
}
