import EngramCore
import Foundation
import Testing

@testable import EngramCLI

/// The commands that reach the rest of MemoryService: agents, sessions, facts, memories, module state, emotions,
/// feedback, the audit log, users and embeddings; one test per command group.
@Suite("agent, session, facts, memory, state, emotion, feedback, audit, user, embed")
struct OperationCommandTests {
    let temporary: TemporaryFiles
    let db: String

    init() {
        temporary = TemporaryFiles()
        db = temporary.database()
    }

    private func run(_ arguments: [String]) async throws -> String {
        try await CLI.run(arguments + ["--db", db, "--user", "ivy"])
    }

    private func json<T: Decodable>(_ type: T.Type, _ arguments: [String]) async throws -> T {
        try await CLI.json(type, arguments + ["--db", db, "--user", "ivy"])
    }

    private func remember(_ text: String) async throws -> String {
        try await json(RememberCommand.Report.self, ["remember", text]).id
    }

    @Test func agentsAreCreatedListedShownUpdatedAndDeleted() async throws {
        _ = try await run(["init"])
        let created = try await json(
            Agent.self, ["agent", "create", "Tutor", "--id", "tutor", "--description", "Explains maths"])
        #expect(created.id == "tutor")
        #expect(created.isActive)
        _ = try await run(["agent", "create", "Coach"])
        #expect(try await json([Agent].self, ["agent", "list"]).map(\.name) == ["Coach", "Tutor"])
        #expect(try await run(["agent", "show", "tutor"]).contains("Explains maths"))
        let updated = try await json(
            Agent.self, ["agent", "update", "tutor", "--instructions", "Use examples", "--active", "false"])
        #expect(updated.instructions == "Use examples")
        #expect(!updated.isActive)
        #expect(updated.description == "Explains maths")
        _ = try await run(["session", "create", "--id", "s1", "--agent", "tutor"])
        _ = try await run(["agent", "delete", "tutor"])
        #expect(try await json([Agent].self, ["agent", "list"]).map(\.name) == ["Coach"])
        #expect(try await json(Session.self, ["session", "show", "s1"]).agentID == nil)
        let missing = await CLI.execute(["agent", "show", "tutor", "--db", db, "--user", "ivy"])
        #expect(missing.exitCode == 3)
        #expect(missing.error.hasPrefix("error[agent_not_found]"))
    }

    @Test func sessionsAreRenamedAndDeletedWithTheirMessagesButNotTheirMemories() async throws {
        _ = try await run(["init"])
        _ = try await run(["session", "create", "--id", "chat", "--title", "First"])
        let message = try await json(
            Message.self, ["message", "add", "--session", "chat", "Hello there", "--at", "2023-05-08T13:56:00Z"])
        #expect(message.createdAt == ISO8601DateFormatter().date(from: "2023-05-08T13:56:00Z"))
        let late = await CLI.execute(
            ["message", "add", "--session", "chat", "Too late", "--at", "2020-01-01", "--db", db, "--user", "ivy"])
        #expect(late.error.hasPrefix("error[message_out_of_order]"))
        let memory = try await json(
            RememberCommand.Report.self,
            ["remember", "Ivy says hello", "--session", "chat", "--source-message", message.id])
        let renamed = try await json(Session.self, ["session", "rename", "chat", "Greetings"])
        #expect(renamed.title == "Greetings")
        #expect(try await json(Session.self, ["session", "rename", "chat", "--clear"]).title == nil)
        _ = try await run(["session", "delete", "chat"])
        #expect(await CLI.execute(["session", "show", "chat", "--db", db, "--user", "ivy"]).exitCode == 3)
        let kept = try await json(Memory.self, ["memory", "show", memory.id])
        #expect(kept.content == "Ivy says hello")
        #expect(kept.sessionID == nil)
    }

    @Test func factsAreDeleted() async throws {
        _ = try await run(["init"])
        let fact = try await json(WorkingFact.self, ["facts", "add", "Prefers tea"])
        _ = try await run(["facts", "delete", fact.id])
        #expect(try await json([WorkingFact].self, ["facts", "list", "--all"]).isEmpty)
        let again = await CLI.execute(["facts", "delete", fact.id, "--db", db, "--user", "ivy"])
        #expect(again.exitCode == 3)
        #expect(again.error.hasPrefix("error[fact_not_found]"))
    }

    @Test func memoriesAreShownListedAndUpdated() async throws {
        _ = try await run(["init"])
        let id = try await remember("Ivy grows tomatoes")
        _ = try await remember("Ivy keeps bees")
        #expect(try await run(["memory", "show", id]).contains("Ivy grows tomatoes"))
        #expect(try await json([Memory].self, ["memory", "list"]).count == 2)
        let updated = try await json(
            Memory.self,
            [
                "memory", "update", id, "--content", "Ivy grows cherry tomatoes", "--sector", "episodic", "--tag",
                "garden",
            ])
        #expect(updated.content == "Ivy grows cherry tomatoes")
        #expect(updated.sector == .episodic)
        #expect(updated.tags == ["garden"])
        #expect(updated.contentHash == ContentHash.of("Ivy grows cherry tomatoes"))
        let found = try await json(RecallCommand.Report.self, ["recall", "cherry", "--no-reinforce"])
        #expect(found.results.first?.memory.id == id)
        #expect(try await json([Memory].self, ["memory", "list", "--tag", "garden"]).map(\.id) == [id])
        let nothing = await CLI.execute(["memory", "update", id, "--db", db, "--user", "ivy"])
        #expect(nothing.exitCode == 64)
    }

    @Test func moduleStateIsSetReadAndDeleted() async throws {
        _ = try await run(["init"])
        _ = try await run(["session", "create", "--id", "chat"])
        let set = try await json(
            SessionState.self, ["state", "set", "--session", "chat", "--module", "planner", "step", #"{"n": 2}"#])
        #expect(set.value == .object(["n": .number(2)]))
        #expect(try await run(["state", "get", "--session", "chat", "--module", "planner", "step"]) == "{\"n\":2}\n")
        _ = try await run(["state", "delete", "--session", "chat", "--module", "planner", "step"])
        #expect(try await run(["state", "get", "--session", "chat", "--module", "planner", "step"]) == "null\n")
        let bad = await CLI.execute(["state", "set", "--session", "chat", "k", "{oops", "--db", db, "--user", "ivy"])
        #expect(bad.exitCode == 2)
        let noSession = await CLI.execute(["state", "set", "--session", "nope", "k", "1", "--db", db, "--user", "ivy"])
        #expect(noSession.exitCode == 3)
    }

    @Test func emotionsAreSetAndShown() async throws {
        _ = try await run(["init"])
        let id = try await remember("Ivy won the race")
        #expect(try await run(["emotion", "show", id]).contains("no emotional annotation"))
        let set = try await json(
            Emotion.self,
            [
                "emotion", "set", id, "--valence", "0.9", "--arousal", "0.8", "--emotion", "joy=0.9", "--emotion",
                "pride=0.6",
            ])
        #expect(set.primaryEmotion == "joy")
        #expect(set.discreteEmotions == ["joy": 0.9, "pride": 0.6])
        #expect(try await json(Emotion.self, ["emotion", "show", id]).valence == 0.9)
        let outOfRange = await CLI.execute(
            ["emotion", "set", id, "--valence", "3", "--arousal", "0.5", "--db", db, "--user", "ivy"])
        #expect(outOfRange.exitCode == 2)
        #expect(outOfRange.error.hasPrefix("error[invalid_argument]"))
    }

    @Test func feedbackMovesSalienceAndIsAudited() async throws {
        _ = try await run(["init"])
        let id = try await remember("Ivy's locker code is in the blue notebook")
        let before = try await json(Memory.self, ["memory", "show", id]).salience
        let feedback = try await json(Feedback.self, ["feedback", id, "--useful", "--query", "locker"])
        #expect(feedback.useful)
        #expect(try await json(Memory.self, ["memory", "show", id]).salience > before)
        _ = try await run(["feedback", id, "--not-useful"])
        #expect(abs(try await json(Memory.self, ["memory", "show", id]).salience - before) < 1e-9)
        let log = try await json([AuditEntry].self, ["audit", "--limit", "2"])
        #expect(log.map(\.action) == ["memory.feedback", "memory.feedback"])
        let older = try await json([AuditEntry].self, ["audit", "--before", "\(log[1].id)"])
        #expect(older.allSatisfy { $0.id < log[1].id })
        #expect(older.contains { $0.action == "memory.create" })
        #expect(try await run(["audit"]).contains("user.create"))
    }

    @Test func usersAreUpdated() async throws {
        _ = try await run(["init"])
        let user = try await json(
            User.self, ["user", "update", "--name", "Ivy Green", "--info", #"{"city": "Porto"}"#])
        #expect(user.name == "Ivy Green")
        #expect(user.info == .object(["city": .string("Porto")]))
        let array = await CLI.execute(["user", "update", "--info", "[1,2]", "--db", db, "--user", "ivy"])
        #expect(array.exitCode == 2)
        #expect(array.error.contains("JSON object"))
    }

    @Test func embedPrintsTheVectorWithoutADatabase() async throws {
        let text = try await CLI.run(["embed", "hello world", "--db", db])
        let numbers = text.split(separator: "\n").compactMap { Float($0) }
        #expect(numbers.count == 384)
        let report = try await CLI.json(EmbedCommand.Report.self, ["embed", "hello world", "--db", db])
        #expect(report.model == "hashing-v1-384")
        #expect(report.vector == (try await HashingEmbedder().embed("hello world")))
        #expect(zip(numbers, report.vector).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(!FileManager.default.fileExists(atPath: db), "embed needs no database and makes none")
        #expect(await CLI.execute(["embed", "  "]).exitCode == 2)
    }

    @Test func helpGroupsEveryOperation() async throws {
        let help = EngramCommand.helpMessage()
        for group in [
            "Long-term memory", "Conversations", "Users, agents and modules", "Inspection and upkeep", "Setup",
            "Serving",
        ] {
            #expect(help.contains(group.uppercased() + " SUBCOMMANDS:"), "help lacks the group \(group)")
        }
        for command in [
            "remember", "recall", "memory", "forget", "link", "unlink", "neighbours", "emotion", "feedback", "embed",
            "observe", "session", "message", "context", "facts", "state", "user", "agent", "module", "stats", "audit",
            "maintain",
            "reembed", "doctor", "export", "import", "backup", "restore", "init", "migrate", "index", "keys", "demo",
            "bench",
        ] {
            #expect(help.contains("  \(command) "), "help lacks \(command)")
        }
    }
}

/// What goes wrong when the database is not where, or not what, the command expects.
@Suite("database selection and errors")
struct DatabaseSelectionTests {
    let temporary: TemporaryFiles

    init() {
        temporary = TemporaryFiles()
    }

    @Test func aURLGivenAsDBSelectsPostgreSQLAndNeverBecomesAPath() async throws {
        let folder = try temporary.file("cwd")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(folder)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        #expect(
            try GlobalOptions.parse(["--db", "postgresql://u@127.0.0.1:1/db"]).location()
                == .postgres(url: "postgresql://u@127.0.0.1:1/db"))
        // Nothing listens on port 1: the PostgreSQL driver was chosen, and it says it cannot connect.
        let run = await CLI.execute(["stats", "--db", "postgresql://u@127.0.0.1:1/db"])
        #expect(run.exitCode == 1)
        #expect(run.error.hasPrefix("error[database_unavailable]"))
        let other = await CLI.execute(["stats", "--db", "mysql://u@127.0.0.1/db"])
        #expect(other.exitCode == 64)
        #expect(other.error.contains("postgresql://"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "no folder named after a URL")
    }

    @Test func readCommandsNeverCreateADatabase() async throws {
        let db = temporary.database()
        for command in [
            ["export"], ["doctor"], ["recall", "anything", "--no-reinforce"], ["stats"], ["user", "list"],
        ] {
            let run = await CLI.execute(command + ["--db", db])
            #expect(run.exitCode == 3, "\(command): \(run.error)")
            #expect(run.error.contains("database_not_found") || run.output.contains("database_not_found"))
        }
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: db).deletingLastPathComponent().path))
        #expect(await CLI.execute(["init", "--db", db]).exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: db), "init (like any write) creates the database")
    }

    @Test func doctorPrintsJSONWhenTheDatabaseCannotBeOpened() async throws {
        let foreign = try temporary.file("foreign.sqlite")
        try Data("not a database at all, just text that goes on for a while".utf8).write(
            to: URL(fileURLWithPath: foreign))
        for db in [foreign, temporary.database()] {
            let run = await CLI.execute(["doctor", "--json", "--db", db])
            #expect(run.exitCode != 0)
            let report = try Output.jsonDecoder().decode(DoctorCommand.Report.self, from: Data(run.output.utf8))
            #expect(report.health.status == "error")
            #expect(!report.health.message.isEmpty)
            #expect(report.health.details["code"] != nil)
        }
    }

    @Test func metadataMustBeAJSONObject() async throws {
        let db = temporary.database()
        _ = try await CLI.run(["init", "--db", db])
        let run = await CLI.execute(["remember", "Something", "--metadata", "[1,2]", "--db", db])
        #expect(run.exitCode == 2)
        #expect(run.error.hasPrefix("error[invalid_argument]: metadata must be a JSON object"))
        #expect(try await CLI.json(UserStatistics.self, ["stats", "--db", db]).memories == 0)
    }

    @Test func importIsScopedToTheUserUnlessAllUsers() async throws {
        let db = temporary.database()
        _ = try await CLI.run(["init", "--db", db, "--user", "alice"])
        _ = try await CLI.run(["init", "--db", db, "--user", "bob"])
        _ = try await CLI.run(["remember", "Alice plays chess", "--db", db, "--user", "alice"])
        _ = try await CLI.run(["remember", "Bob plays go", "--db", db, "--user", "bob"])
        let file = try temporary.file("both.jsonl")
        _ = try await CLI.run(["export", "--all-users", "--output", file, "--db", db])
        let target = temporary.database()
        _ = try await CLI.run(["init", "--db", target, "--user", "carol"])
        let scoped = await CLI.execute(["import", file, "--db", target, "--user", "carol"])
        #expect(scoped.exitCode == 2)
        #expect(scoped.error.contains("--all-users"))
        #expect(try await CLI.json([User].self, ["user", "list", "--db", target]).map(\.id) == ["carol"])
        let administrative = try await CLI.run(["import", file, "--all-users", "--db", target])
        #expect(administrative.contains("all users (administrative)"))
        #expect(
            try await CLI.json([User].self, ["user", "list", "--db", target]).map(\.id) == ["alice", "bob", "carol"])
        let duplicate = await CLI.execute(["import", file, "--all-users", "--db", target])
        #expect(duplicate.exitCode == 1)
        #expect(duplicate.error.hasPrefix("error[already_exists]"))
    }

    @Test func migrationsAreListedRevertedAndReappliedOnSQLite() async throws {
        let db = temporary.database()
        _ = try await CLI.run(["init", "--db", db])
        let status = try await CLI.json([MigrationStatus].self, ["migrate", "status", "--db", db])
        let versions = status.map(\.version)
        let last = try #require(versions.last)
        #expect(versions.starts(with: [1, 2, 4, 5]))
        #expect(status.allSatisfy { $0.applied && $0.checksumMatches })
        #expect(try await CLI.run(["migrate", "down", "--db", db]) == "reverted \(last)\n")
        #expect(
            try await CLI.json([MigrationStatus].self, ["migrate", "status", "--db", db]).map(\.applied)
                == versions.map { $0 != last })
        let outdated = await CLI.execute(["stats", "--db", db])
        #expect(outdated.error.hasPrefix("error[schema_outdated]"))
        #expect(try await CLI.run(["migrate", "up", "--db", db]) == "applied \(last)\n")
        #expect(try await CLI.run(["migrate", "up", "--db", db]) == "up to date\n")
    }

    @Test func migrateCreateWritesTheNextNumberedFileOfTheBackend() async throws {
        let folder = try temporary.file("migrations")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Migration.template(name: "first").write(
            toFile: folder + "/001_first.sql", atomically: true, encoding: .utf8)
        let db = temporary.database()
        let output = try await CLI.run(["migrate", "create", "add_topics", "--directory", folder, "--db", db])
        #expect(output == "created \(folder)/002_add_topics.sql\n")
        let created = try Migration(
            fileName: "002_add_topics.sql",
            text: String(contentsOfFile: folder + "/002_add_topics.sql", encoding: .utf8))
        #expect(created.version == 2)
        #expect(created.up.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let bad = await CLI.execute(["migrate", "create", "Add Topics", "--directory", folder])
        #expect(bad.exitCode == 64)
        #expect(!FileManager.default.fileExists(atPath: db), "creating a migration file opens no database")
    }
}
