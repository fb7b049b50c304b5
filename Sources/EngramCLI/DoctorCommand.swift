import ArgumentParser
import EngramCore

/// `engram doctor`: checks the store; exits with 1 when it is not healthy.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the database connection, schema and integrity; exits with 1 unless the status is ok.")

    @OptionGroup var global: GlobalOptions

    /// What `--json` prints: the store's health and its embedding models.
    struct Report: Codable {
        var health: StoreHealth
        var embedder: String
        var reason: String
        var embeddings: EmbeddingStatus?
    }

    mutating func run() async throws {
        try await global.withStore { store, embedders in
            let health = await store.health()
            let status = health.status == "ok" ? try? await store.embeddingStatus() : nil
            let embedder = EmbeddingModel(embedders.configured).description
            if global.json {
                try Output.json(
                    Report(health: health, embedder: embedder, reason: embedders.reason, embeddings: status))
            } else {
                var fields: [(String, String)] = [
                    ("status", health.status),
                    ("backend", health.backend),
                    ("database", health.database),
                    ("version", health.version),
                    ("schema version", "\(health.schemaVersion)"),
                    (
                        "pending migrations",
                        health.pendingMigrations.isEmpty ? "none" : health.pendingMigrations.joined(separator: ", ")
                    ),
                    ("embedder", "\(embedder) (\(embedders.reason))"),
                ]
                if let status {
                    fields.append(("recall ranks with", status.active.description))
                    if status.isSwitching {
                        fields.append(
                            (
                                "model switch",
                                "\(status.missing) of \(status.memories) memories to embed; run engram reembed"
                            ))
                    }
                }
                Output.printFields(fields + health.details.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }
            if health.status != "ok" {
                throw ExitCode.failure
            }
        }
    }
}
