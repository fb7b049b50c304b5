import ArgumentParser
import EngramCore

/// `engram doctor`: checks the database; exits with 1 when it is not healthy.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the database connection, schema, integrity and vectors; exits with 1 unless the status is ok.",
        discussion: """
            Opens the database for reading only and changes nothing. With --json it prints one JSON document even
            when the database cannot be opened (status "error", and the reason in message).
            """)

    @OptionGroup var global: GlobalOptions

    /// What `--json` prints: the store's health and its embedding models.
    struct Report: Codable {
        var health: StoreHealth
        var embedder: String
        var reason: String
        var embeddings: EmbeddingStatus?
    }

    mutating func run() async throws {
        let report: Report
        do {
            report = try await global.withService(.read) { store, embedders in
                let health = await store.health()
                return Report(
                    health: health, embedder: EmbeddingModel(embedders.configured).description,
                    reason: embedders.reason,
                    embeddings: health.status == "ok" ? try? await store.embeddingStatus() : nil)
            }
        } catch let error as EngramError {
            // The database could not be opened: that is the diagnosis.
            let backend = if case .postgres = try? global.location() { "postgres" } else { "sqlite" }
            report = Report(
                health: StoreHealth(
                    status: "error", backend: backend, database: global.databaseDescription(), version: "unknown",
                    message: error.message, schemaVersion: 0, pendingMigrations: [], embeddingModel: "unknown",
                    details: ["code": error.code.rawValue]),
                embedder: "unknown", reason: "", embeddings: nil)
            show(report)
            throw ExitCode(EngramErrorReport.exitCode(for: error.code))
        }
        show(report)
        if report.health.status != "ok" { throw ExitCode.failure }
    }

    private func show(_ report: Report) {
        if global.json {
            try? Output.json(report)
            return
        }
        let health = report.health
        var fields: [(String, String)] = [
            ("status", health.status),
            ("message", health.message),
            ("backend", health.backend),
            ("database", health.database),
            ("version", health.version),
        ]
        if let host = health.host { fields.append(("host", host + (health.port.map { ":\($0)" } ?? ""))) }
        fields += [
            ("schema version", "\(health.schemaVersion)"),
            (
                "pending migrations",
                health.pendingMigrations.isEmpty ? "none" : health.pendingMigrations.joined(separator: ", ")
            ),
        ]
        if !report.reason.isEmpty { fields.append(("embedder", "\(report.embedder) (\(report.reason))")) }
        if let status = report.embeddings {
            fields.append(("recall ranks with", status.active.description))
            fields.append(("memories without its vector", "\(status.missingActive) of \(status.memories)"))
            if status.isSwitching {
                fields.append(
                    ("model switch", "\(status.missing) of \(status.memories) memories to embed; run engram reembed"))
            }
        }
        Output.printFields(fields + health.details.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }
}
