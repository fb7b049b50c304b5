import EngramCore
import Foundation
import Testing

@testable import EngramCLI

@Suite("sessions, messages, context, facts, users")
struct SessionCommandTests {
    let temporary: TemporaryFiles
    let db: String

    init() {
        temporary = TemporaryFiles()
        db = temporary.database()
    }

    @Test func messageAddNeedsAnExistingSessionUnlessAsked() async throws {
        _ = try await CLI.run(["init", "--db", db, "--user", "bob"])
        let missing = await CLI.execute(["message", "add", "hello", "--session", "s1", "--db", db, "--user", "bob"])
        #expect(missing.exitCode == 3)
        #expect(missing.error.hasPrefix("error[session_not_found]:"))

        let message = try await CLI.json(
            Message.self,
            [
                "message", "add", "hello", "--session", "s1", "--create-session", "--role", "user",
                "--input-tokens", "3", "--db", db, "--user", "bob",
            ])
        #expect(message.sequence == 1)
        #expect(message.inputTokens == 3)
        _ = try await CLI.run(
            ["message", "add", "hi there", "--session", "s1", "--role", "assistant", "--db", db, "--user", "bob"])

        let context = try await CLI.json([Message].self, ["context", "--session", "s1", "--db", db, "--user", "bob"])
        #expect(context.map(\.content) == ["hello", "hi there"])
        let listed = try await CLI.json(
            [Message].self, ["message", "list", "--session", "s1", "--after", "1", "--db", db, "--user", "bob"])
        #expect(listed.map(\.sequence) == [2])
        let sessions = try await CLI.json([Session].self, ["session", "list", "--db", db, "--user", "bob"])
        #expect(sessions.map(\.id) == ["s1"])
    }

    @Test func sessionCreateAndFacts() async throws {
        _ = try await CLI.run(["init", "--db", db, "--user", "bob"])
        let session = try await CLI.json(
            Session.self, ["session", "create", "--id", "chat", "--title", "Chat", "--db", db, "--user", "bob"])
        #expect(session.title == "Chat")
        let fact = try await CLI.json(
            WorkingFact.self,
            [
                "facts", "add", "Prefers short answers", "--type", "preference", "--session", "chat",
                "--ttl-hours", "2", "--db", db, "--user", "bob",
            ])
        #expect(fact.factType == .preference)
        #expect(fact.confidence == 0.8)
        let facts = try await CLI.json([WorkingFact].self, ["facts", "--session", "chat", "--db", db, "--user", "bob"])
        #expect(facts.map(\.id) == [fact.id])
        let listed = try await CLI.run(["facts", "list", "--db", db, "--user", "bob"])
        #expect(listed.contains("Prefers short answers"))
    }

    @Test func userLifecycle() async throws {
        let created = try await CLI.json(
            User.self, ["user", "create", "carol", "--name", "Carol", "--role", "teacher", "--db", db])
        #expect(created.role == .teacher)
        let shown = try await CLI.json(User.self, ["user", "show", "--user", "carol", "--db", db])
        #expect(shown.name == "Carol")
        let users = try await CLI.json([User].self, ["user", "list", "--db", db])
        #expect(users.map(\.id) == ["carol"])

        let unconfirmed = await CLI.execute(["user", "erase", "carol", "--db", db])
        #expect(unconfirmed.exitCode == 64)
        #expect(unconfirmed.error.contains("--yes"))

        let receipt = try await CLI.json(ErasureReceipt.self, ["user", "erase", "carol", "--yes", "--db", db])
        #expect(receipt.userID == "carol")
        let gone = await CLI.execute(["user", "show", "carol", "--db", db])
        #expect(gone.exitCode == 3)
        #expect(gone.error.hasPrefix("error[user_not_found]:"))
    }

    @Test func maintainPrintsItsReport() async throws {
        _ = try await CLI.run(["init", "--db", db, "--user", "bob"])
        let report = try await CLI.json(
            MaintenanceReport.self, ["maintain", "--message-retention-days", "30", "--db", db, "--user", "bob"])
        #expect(report.purged == 0)
        let text = try await CLI.run(["maintain", "--no-decay", "--db", db, "--user", "bob"])
        #expect(text.contains("expired working facts:"))
    }
}
