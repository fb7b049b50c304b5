import EngramCore
import Foundation
import Testing

@testable import EngramCLI

/// `engram agent` with persona fields, and `engram module`.
@Suite("agent persona options, module")
struct ModuleCommandTests {
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

    @Test func agentsTakePersonaFields() async throws {
        _ = try await run(["init"])
        let created = try await json(
            Agent.self,
            [
                "agent", "create", "Ava", "--id", "ava", "--template", "You are Ava.", "--mode", "autonomous",
                "--loop-frequency", "5m", "--first-message", "Hello!", "--image-path", "ava.png",
            ])
        #expect(created.template == "You are Ava.")
        #expect(created.loopFrequency == "5m")
        let updated = try await json(Agent.self, ["agent", "update", "ava", "--mode", "reactive", "--image-path", ""])
        #expect(updated.mode == "reactive")
        #expect(updated.imagePath == nil)
        #expect(updated.firstMessage == "Hello!")
        let shown = try await run(["agent", "show", "ava"])
        #expect(shown.contains("first message"))
        #expect(shown.contains("Hello!"))
        let nothing = await CLI.execute(["agent", "update", "ava", "--db", db, "--user", "ivy"])
        #expect(nothing.exitCode == 64)
        #expect(nothing.error.contains("--template"))
    }

    @Test func modulesAreAddedListedMatchedUpdatedAndDeleted() async throws {
        _ = try await run(["init"])
        #expect(
            try await run([
                "module", "add", "memory", "--id", "memory", "--content", "Recall first.", "--trigger-pattern",
                "remember", "--stage-priority", "10",
            ]) == "created module memory\n")
        let journal = try await json(
            Module.self,
            [
                "module", "add", "journal", "--type", "advanced", "--script", "log(turn)", "--trigger-pattern",
                "remember|note", "--execution-context", "post_response", "--requires-ai-inference", "true",
            ])
        #expect(journal.type == .advanced)
        #expect(journal.executionContext == .postResponse)
        #expect(journal.requiresAIInference)
        #expect(journal.stagePriority == 100)
        _ = try await run(["module", "add", "aside", "--content", "Be brief.", "--inactive"])

        #expect(try await json([Module].self, ["module", "list"]).map(\.name) == ["memory", "journal"])
        #expect(try await json([Module].self, ["module", "list", "--all"]).count == 3)
        let table = try await run(["module", "list"])
        #expect(table.contains("post_response"))
        #expect(
            try await json([Module].self, ["module", "match", "Remember to note it"]).map(\.name) == [
                "memory", "journal",
            ])
        #expect(try await run(["module", "match", "nothing here"]).contains("No module matches."))

        let updated = try await json(
            Module.self, ["module", "update", "memory", "--trigger-pattern", "", "--active", "false"])
        #expect(updated.triggerPattern == nil)
        #expect(!updated.isActive)
        #expect(try await run(["module", "show", "memory"]).contains("Recall first."))

        let duplicate = await CLI.execute(["module", "add", "journal", "--content", "x", "--db", db, "--user", "ivy"])
        #expect(duplicate.exitCode == 1)
        #expect(duplicate.error.hasPrefix("error[already_exists]"))
        let badRegex = await CLI.execute([
            "module", "add", "bad", "--content", "x", "--trigger-pattern", "(oops", "--db", db, "--user", "ivy",
        ])
        #expect(badRegex.exitCode == 2)
        #expect(badRegex.error.hasPrefix("error[invalid_argument]"))
        let badType = await CLI.execute(["module", "add", "bad", "--type", "macro", "--db", db, "--user", "ivy"])
        #expect(badType.error.hasPrefix("error[invalid_enum_value]"))

        #expect(try await run(["module", "delete", "memory"]) == "deleted module memory\n")
        let missing = await CLI.execute(["module", "show", "memory", "--db", db, "--user", "ivy"])
        #expect(missing.exitCode == 3)
        #expect(missing.error.hasPrefix("error[module_not_found]"))
    }
}
