import EngramCore
import Logging
import PostgresNIO

extension PostgresMemoryStore {
    /// Creates the configured database when it does not exist yet (seed 000's one-time setup, done for the
    /// user), connecting to the `postgres` maintenance database with the same role. Never drops anything.
    /// Returns whether it created the database.
    @discardableResult
    public static func createDatabaseIfMissing(_ postgres: PostgresConfiguration, logger: Logger) async throws -> Bool {
        var maintenance = postgres
        maintenance.database = "postgres"
        maintenance.migrateOnFirstUse = false
        let probe = try PostgresMemoryStore(maintenance, logger: logger)
        do {
            let connection = try await PostgresConnection.connect(
                configuration: probe.connectionConfiguration(), id: 0, logger: logger)
            defer { Task { try? await connection.close() } }
            let exists = try await connection.first(
                "SELECT 1 FROM pg_database WHERE datname = \(postgres.database)", logger: logger
            ) { _ in true }
            guard exists != true else { return false }
            let quoted = "\"" + postgres.database.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted)"), logger: logger)
            return true
        } catch {
            throw probe.translate(error)
        }
    }
}
