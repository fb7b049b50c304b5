import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    /// The seeds' connection test: status, database, server version, host and port, plus the pgvector
    /// version and the migration state.
    public func health() async -> StoreHealth {
        let (host, port) = postgres.hostDescription
        var details: [String: String] = ["host": host]
        if let port { details["port"] = String(port) }
        do {
            try await checkConnection()
            try await ensureSchema()
            let migrations = try PostgresMigration.bundled()
            let status = try await migrationStatus(migrations)
            let (version, database, vector) = try await rawTransaction(userID: nil) { connection in
                let row = try await connection.query(
                    """
                    SELECT current_setting('server_version'), current_database(),
                        (SELECT extversion FROM pg_extension WHERE extname = 'vector'),
                        (SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'),
                        (SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure)
                    """, logger: self.logger
                ).collect().first
                guard
                    let (version, database, vector, trigram, leakproof) = try row?.decode(
                        (String, String, String?, String?, Bool).self)
                else { throw EngramError(.storageFailure, "PostgreSQL answered no row to the health query.") }
                return (version, database, (vector, trigram, leakproof))
            }
            details["pgvector"] = vector.0 ?? "missing"
            details["pg_trgm"] = vector.1 ?? "missing"
            // Under row-level security, full-text search can use its GIN index only when `@@` is leakproof.
            details["text_search_index"] =
                vector.2
                ? "used"
                : "not used under row-level security: as a superuser, run "
                    + "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF in this database"
            details["schema"] = postgres.schema
            let applied = status.filter(\.applied)
            let edited = status.filter { $0.applied && !$0.checksumMatches }
            if !edited.isEmpty {
                details["edited_migrations"] = edited.map { String($0.version) }.joined(separator: ",")
            }
            let ok = vector.0 != nil && edited.isEmpty && applied.count == status.count
            return StoreHealth(
                status: ok ? "ok" : "error", backend: "postgres", database: database, version: "PostgreSQL \(version)",
                schemaVersion: applied.map(\.version).max() ?? 0,
                pendingMigrations: status.filter { !$0.applied }.map { "\($0.version)_\($0.name)" },
                embeddingModel: embedder.model, details: details)
        } catch {
            details["error"] = translate(error).message
            return StoreHealth(
                status: "error", backend: "postgres", database: postgres.database, version: "unknown", schemaVersion: 0,
                pendingMigrations: [], embeddingModel: embedder.model, details: details)
        }
    }
}
