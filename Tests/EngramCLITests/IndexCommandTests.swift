import EngramCore
import Foundation
import Testing

@testable import EngramCLI

/// `engram index` manages PostgreSQL's vector indexes; SQLite has none, and says so.
struct IndexCommandTests {
    let files = TemporaryFiles()

    @Test func indexOnSQLiteExplainsThatVectorsAreSearchedInMemory() async throws {
        let db = files.database()
        _ = try await CLI.run(["init", "--db", db])
        let stats = try await CLI.run(["index", "stats", "--db", db])
        #expect(stats.contains("SQLite searches its vectors in memory"), "\(stats)")
        #expect(try await CLI.json([VectorIndexStatistics].self, ["index", "stats", "--db", db]).isEmpty)
        let rebuild = await CLI.execute(["index", "rebuild", "--method", "ivfflat", "--db", db])
        #expect(rebuild.exitCode == 2, "\(rebuild)")
        #expect(rebuild.error.hasPrefix("error[invalid_argument]: SQLite searches vectors in memory"))
    }

    @Test func rebuildRejectsAnUnknownMethod() async throws {
        let run = await CLI.execute(["index", "rebuild", "--method", "flat", "--db", files.database()])
        #expect(run.exitCode == 64)
        #expect(run.error.contains("--method must be hnsw or ivfflat"), "\(run.error)")
    }
}
