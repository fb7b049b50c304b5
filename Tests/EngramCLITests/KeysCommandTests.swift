import EngramCore
import Foundation
import Testing

@testable import EngramCLI

/// `engram keys`: create (for --user or --admin), list and revoke API keys.
@Suite("keys")
struct KeysCommandTests {
    let temporary: TemporaryFiles
    let db: String

    init() {
        temporary = TemporaryFiles()
        db = temporary.database()
    }

    @Test func keysAreCreatedListedAndRevoked() async throws {
        _ = try await CLI.run(["init", "--db", db, "--user", "ivy"])
        let text = try await CLI.run(["keys", "create", "--user", "ivy", "--name", "laptop", "--db", db])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("created key key_") && lines[0].hasSuffix(" for user ivy"))
        let secret = try #require(lines[1].split(separator: " ").last.map(String.init))
        #expect(lines[1] == "secret: \(secret)")
        #expect(secret.hasPrefix("engram_") && secret.count == 50)
        #expect(lines[2].contains("Store this secret now"))

        let admin = try await CLI.json(IssuedAPIKey.self, ["keys", "create", "--admin", "--name", "ops", "--db", db])
        #expect(admin.key.userID == nil)
        #expect(admin.key.name == "ops")
        #expect(admin.secret.hasPrefix("engram_"))

        let all = try await CLI.json([APIKey].self, ["keys", "list", "--db", db])
        #expect(all.map(\.name) == ["ops", "laptop"])
        let ivy = try await CLI.json([APIKey].self, ["keys", "list", "--user", "ivy", "--db", db])
        #expect(ivy.map(\.name) == ["laptop"])
        let table = try await CLI.run(["keys", "list", "--db", db])
        #expect(table.contains("laptop") && table.contains("(admin)") && table.contains(admin.key.prefix))
        #expect(!table.contains(secret) && !table.contains(admin.secret))

        let revoked = try await CLI.run(["keys", "revoke", admin.key.id, "--db", db])
        #expect(revoked.hasPrefix("revoked key \(admin.key.id) at "))
        let again = try await CLI.json(APIKey.self, ["keys", "revoke", admin.key.id, "--db", db])
        #expect(again.revokedAt != nil)
        #expect(try await CLI.json([APIKey].self, ["keys", "list", "--db", db]).first?.revokedAt != nil)

        let missing = await CLI.execute(["keys", "revoke", "key_0000000000000000", "--db", db])
        #expect(missing.exitCode == 3)
        #expect(missing.error.hasPrefix("error[key_not_found]"))
        let noUser = await CLI.execute(["keys", "create", "--user", "nobody", "--db", db])
        #expect(noUser.exitCode == 3)
        #expect(noUser.error.hasPrefix("error[user_not_found]"))
    }

    @Test func createNeedsExactlyOneOfUserAndAdmin() async throws {
        _ = try await CLI.run(["init", "--db", db, "--user", "ivy"])
        let both = await CLI.execute(["keys", "create", "--user", "ivy", "--admin", "--db", db])
        #expect(both.exitCode == 64)
        #expect(both.error.contains("Pass either --user ID (a key that acts as that user) or --admin, not both."))
        // Neither is an error too (ENGRAM_USER would stand for --user).
        guard ProcessInfo.processInfo.environment["ENGRAM_USER"] == nil else { return }
        let neither = await CLI.execute(["keys", "create", "--db", db])
        #expect(neither.exitCode == 64)
        #expect(neither.error.contains("Pass --user ID (or set ENGRAM_USER) for a key that acts as that user"))
        #expect(try await CLI.json([APIKey].self, ["keys", "list", "--db", db]).isEmpty)
    }
}
