import EngramCore
import EngramPostgres
import EngramSQLite
import Foundation
import PostgresNIO

/// Whether `text` is stored anywhere in the store's database: in the bytes of a SQLite file and its write-ahead
/// log, or in the text of any row of any table of a PostgreSQL schema (read with whole-store access).
func isStoredAnywhere(_ text: String, in store: MemoryService) async throws -> Bool {
    switch store.driver {
    case let driver as SQLiteDriver:
        return [driver.path, driver.path + "-wal"].contains { path in
            FileManager.default.contents(atPath: path)?.range(of: Data(text.utf8)) != nil
        }
    case let driver as PostgresDriver:
        let schema = driver.postgres.schema
        return try await sharedPostgresClient.withConnection { connection in
            try await connection.query("BEGIN READ ONLY", logger: quietLogger)
            try await connection.query("SELECT set_config('engram.admin', 'on', true)", logger: quietLogger)
            var matches = 0
            let tables = try await connection.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = \(schema) ORDER BY tablename", logger: quietLogger
            ).collect().map { try $0.decode(String.self) }
            for table in tables {
                let rows = try await connection.query(
                    """
                    SELECT count(*)::int FROM "\(unescaped: schema)"."\(unescaped: table)" r
                    WHERE strpos(r::text, \(text)) > 0
                    """, logger: quietLogger
                ).collect()
                matches += try rows.first?.decode(Int.self) ?? 0
            }
            try await connection.query("ROLLBACK", logger: quietLogger)
            return matches > 0
        }
    default:
        throw EngramError(.invalidArgument, "isStoredAnywhere knows SQLite and PostgreSQL drivers only.")
    }
}
