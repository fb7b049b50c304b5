import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// Seed 004's "from SQLite to PostgreSQL": every row moves through export → import and back, unchanged.
@Suite(.enabled(if: Backend.allCases.contains(.postgres), "needs the PostgreSQL test server"))
struct CrossBackendTests {
    @Test func sqliteToPostgresToSQLitePreservesEveryRow() async throws {
        let sqlite = try Harness(.sqlite)
        let counts = try await buildRichDataset(sqlite, userID: "alice")
        let original = try await sqlite.store.export(userID: "alice")
        let originalLines = try original.map(ExportCodec.line)

        let postgres = try Harness(.postgres)
        let intoPostgres = try await postgres.store.importRecords(original, scope: .allUsers)
        #expect(intoPostgres.total == original.count)
        let fromPostgres = try await postgres.store.export(userID: "alice")
        let postgresLines = try await postgres.exportLinesWithoutImports("alice")
        #expect(postgresLines == originalLines)
        #expect(try await postgres.store.statistics(userID: "alice").memories == counts.memories)

        let back = try Harness(.sqlite)
        _ = try await back.store.importRecords(fromPostgres, scope: .allUsers)
        #expect(try await back.exportLinesWithoutImports("alice") == originalLines)
        // And the content hashes of every memory survive the trip.
        let hashes = { (records: [ExportRecord]) in
            records.compactMap { record -> String? in
                if case .memory(let memory) = record { return memory.contentHash }
                return nil
            }
        }
        #expect(hashes(try await back.store.export(userID: "alice")) == hashes(original))
    }
}
