import EngramCore
import EngramSQLite
import Foundation
import Testing

@testable import EngramCLI

@Suite("backup, restore")
struct BackupCommandTests {
    let temporary = TemporaryFiles()

    @Test func backupThenRestoreRoundTripsEveryUser() async throws {
        let db = temporary.database()
        _ = try await CLI.run(["demo", "--db", db, "--user", "erin"])
        _ = try await CLI.run(["init", "--db", db, "--user", "frank"])
        _ = try await CLI.run(["remember", "Frank keeps bees", "--db", db, "--user", "frank"])
        let original = try await CLI.run(["export", "--all-users", "--db", db])

        let backup = try temporary.file("backup.sqlite")
        let text = try await CLI.run(["backup", "--output", backup, "--db", db])
        #expect(text.contains("TABLE"))
        #expect(text.contains("backed up \(db) to \(backup)"))
        #expect(text.contains("quick_check ok"))
        let again = await CLI.execute(["backup", "--output", backup, "--db", db])
        #expect(again.exitCode == 1)
        #expect(again.error.hasPrefix("error[already_exists]"))
        let missing = await CLI.execute([
            "backup", "--output", try temporary.file("b.sqlite"), "--db", temporary.database(),
        ])
        #expect(missing.exitCode == 3)
        #expect(missing.error.hasPrefix("error[database_not_found]"))

        let copy = temporary.database()
        let report = try await CLI.json(BackupReport.self, ["restore", backup, "--db", copy])
        #expect(report.destination == copy)
        #expect(report.rows["users"] == 2)
        #expect(report.quickCheck == "ok")
        #expect(try await CLI.run(["export", "--all-users", "--db", copy]) == original)

        let refused = await CLI.execute(["restore", backup, "--db", copy])
        #expect(refused.exitCode == 1)
        #expect(refused.error.hasPrefix("error[already_exists]"))
        #expect(refused.error.contains("--replace"))
        _ = try await CLI.run(["remember", "Only in the copy", "--db", copy, "--user", "erin"])
        let replaced = try await CLI.run(["restore", backup, "--db", copy, "--replace"])
        #expect(replaced.contains("restored \(backup) to \(copy)"))
        #expect(try await CLI.run(["export", "--all-users", "--db", copy]) == original)
    }
}
