import Foundation
import Testing

@testable import EngramCLI

/// `engram index` manages PostgreSQL's vector indexes; on SQLite it explains what to pass instead.
struct IndexCommandTests {
    let files = TemporaryFiles()

    @Test func indexOnSQLiteIsAUsageErrorThatNamesTheURL() async throws {
        for arguments in [["index", "stats"], ["index", "rebuild", "--method", "ivfflat"]] {
            let run = await CLI.execute(arguments + ["--db", files.database()])
            #expect(run.exitCode == 64, "\(arguments): \(run)")
            #expect(run.error.contains("engram index works on PostgreSQL"), "\(run.error)")
            #expect(run.error.contains("--database-url"))
        }
    }

    @Test func rebuildRejectsAnUnknownMethod() async throws {
        let run = await CLI.execute(["index", "rebuild", "--method", "flat", "--db", files.database()])
        #expect(run.exitCode == 64)
        #expect(run.error.contains("--method must be hnsw or ivfflat"), "\(run.error)")
    }
}
