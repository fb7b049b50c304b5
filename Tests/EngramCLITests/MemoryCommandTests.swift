import EngramCore
import Foundation
import Testing

@testable import EngramCLI

@Suite("remember, recall, forget")
struct MemoryCommandTests {
    let temporary: TemporaryFiles
    let db: String

    init() {
        temporary = TemporaryFiles()
        db = temporary.database()
    }

    private func initialise() async throws {
        _ = try await CLI.run(["init", "--db", db, "--user", "alice"])
    }

    @Test func rememberFileStoresEveryLineInBatches() async throws {
        try await initialise()
        let notes = try temporary.file("notes.txt")
        let lines = (1...7).map { "Note number \($0) about the garden" } + ["", "Note number 3 about the garden"]
        try lines.joined(separator: "\n").write(toFile: notes, atomically: true, encoding: .utf8)
        let report = try await CLI.json(
            RememberCommand.FileReport.self,
            ["remember", "--file", notes, "--batch", "3", "--tag", "garden", "--db", db, "--user", "alice"])
        #expect(report.memories == 8)
        #expect(report.batches == 3)
        #expect(report.actions == ["created": 7, "reinforced": 1])
        let recall = try await CLI.json(
            RecallCommand.Report.self, ["recall", "number 5", "-k", "1", "--db", db, "--user", "alice"])
        #expect(recall.results.first?.memory.content == "Note number 5 about the garden")
        #expect(recall.results.first?.memory.tags == ["garden"])

        let both = await CLI.execute(["remember", "text", "--file", notes, "--db", db, "--user", "alice"])
        #expect(both.exitCode != 0)
        #expect(both.error.contains("not both"))
        let missing = await CLI.execute(["remember", "--file", "/no/such/file", "--db", db, "--user", "alice"])
        #expect(missing.exitCode != 0)
        #expect(missing.error.contains("invalid_argument"))
    }

    /// A failing batch of a file ends the load: the batches before it stay, the error names its lines.
    @Test func rememberFileStopsAtAFailingBatch() async throws {
        try await initialise()
        let notes = try temporary.file("notes.txt")
        let lines = (1...3).map { "Seedling \($0) sprouted" } + [String(repeating: "x", count: 70_000)] + ["Late note"]
        try lines.joined(separator: "\n").write(toFile: notes, atomically: true, encoding: .utf8)
        let failed = await CLI.execute(["remember", "--file", notes, "--batch", "2", "--db", db, "--user", "alice"])
        #expect(failed.exitCode != 0)
        #expect(failed.error.contains("Lines 3–4 were not stored (2 before them were)"))
        let stats = try await CLI.json(UserStatistics.self, ["stats", "--db", db, "--user", "alice"])
        #expect(stats.memories == 2)
    }

    @Test func rememberThenRecallFindsIt() async throws {
        try await initialise()
        let remembered = try await CLI.json(
            RememberCommand.Report.self,
            [
                "remember", "The user is vegetarian and eats no meat.", "--db", db, "--user", "alice",
                "--sector", "semantic", "--tag", "diet", "--keyword", "vegetarian", "--salience", "0.9",
                "--metadata", #"{"source":"test"}"#,
            ])
        #expect(remembered.action == .created)
        #expect(remembered.memory.tags == ["diet"])
        #expect(remembered.memory.metadata == .object(["source": .string("test")]))
        _ = try await CLI.run(["remember", "The user lives in Lisbon.", "--db", db, "--user", "alice"])

        let recall = try await CLI.json(
            RecallCommand.Report.self, ["recall", "vegetarian", "-k", "5", "--db", db, "--user", "alice"])
        let first = try #require(recall.results.first)
        #expect(first.rank == 1)
        #expect(first.memory.id == remembered.id)
        #expect(first.score.composite > 0)
        #expect(!first.matchedBy.isEmpty)

        let table = try await CLI.run(["recall", "vegetarian", "--db", db, "--user", "alice"])
        #expect(table.contains(remembered.id))
        #expect(table.contains("SCORE"))
    }

    @Test func rememberingTheSameTextReinforces() async throws {
        try await initialise()
        let arguments = ["remember", "Miso is the user's dog.", "--db", db, "--user", "alice"]
        let first = try await CLI.json(RememberCommand.Report.self, arguments)
        let second = try await CLI.json(RememberCommand.Report.self, arguments)
        #expect(first.action == .created)
        #expect(second.action == .reinforced)
        #expect(second.id == first.id)
    }

    @Test func rememberingTheSameEntityMerges() async throws {
        try await initialise()
        let entity = ["--entity-system", "crm", "--entity-id", "42", "--db", db, "--user", "alice"]
        let first = try await CLI.json(
            RememberCommand.Report.self, ["remember", "Customer 42", "--entity-data", #"{"a":1}"#] + entity)
        let second = try await CLI.json(
            RememberCommand.Report.self, ["remember", "Customer 42, renamed", "--entity-data", #"{"b":2}"#] + entity)
        #expect(first.action == .created)
        #expect(second.action == .merged)
        #expect(second.memory.entityData == .object(["a": .number(1), "b": .number(2)]))
    }

    @Test func invalidEnumValueThrowsTheEngramErrorCode() async throws {
        try await initialise()
        await #expect {
            try await CLI.run(["remember", "x", "--sector", "sideways", "--db", db, "--user", "alice"])
        } throws: { error in
            (error as? EngramError)?.code == .invalidEnumValue
        }
        let run = await CLI.execute(["recall", "x", "--context-type", "nope", "--db", db, "--user", "alice"])
        #expect(run.exitCode == 2)
        #expect(run.error.hasPrefix("error[invalid_enum_value]: context type must be one of"))
        #expect(!run.error.contains("EngramError"))
        #expect(run.output.isEmpty)
    }

    @Test func invalidJSONIsAnInvalidArgument() async throws {
        try await initialise()
        let run = await CLI.execute(["remember", "x", "--metadata", "{nope", "--db", db, "--user", "alice"])
        #expect(run.exitCode == 2)
        #expect(run.error.hasPrefix("error[invalid_argument]:"))
    }

    @Test func notFoundErrorsExitWithThree() async throws {
        try await initialise()
        let run = await CLI.execute(["forget", "no-such-memory", "--db", db, "--user", "alice"])
        #expect(run.exitCode == 3)
        #expect(
            run.error
                == "error[memory_not_found]: No memory with this id exists for this user; check the id and the user.\n")
    }

    @Test func forgetHidesAMemoryFromRecall() async throws {
        try await initialise()
        let memory = try await CLI.json(
            RememberCommand.Report.self, ["remember", "Temporary plan: visit Porto", "--db", db, "--user", "alice"])
        _ = try await CLI.run(["forget", memory.id, "--db", db, "--user", "alice"])
        let recall = try await CLI.json(RecallCommand.Report.self, ["recall", "Porto", "--db", db, "--user", "alice"])
        #expect(!recall.results.contains { $0.memory.id == memory.id })
        let withInvalid = try await CLI.json(
            RecallCommand.Report.self, ["recall", "Porto", "--include-invalid", "--db", db, "--user", "alice"])
        #expect(withInvalid.results.contains { $0.memory.id == memory.id })
    }

    @Test func linkAndNeighbours() async throws {
        try await initialise()
        let a = try await CLI.json(
            RememberCommand.Report.self, ["remember", "Meeting decided on Rust", "--db", db, "--user", "alice"])
        let b = try await CLI.json(
            RememberCommand.Report.self, ["remember", "User is learning Rust", "--db", db, "--user", "alice"])
        let link = try await CLI.json(
            Link.self, ["link", a.id, b.id, "--type", "led_to", "--weight", "0.7", "--db", db, "--user", "alice"])
        #expect(link.type == .ledTo)
        let text = try await CLI.run(["neighbours", a.id, "--db", db, "--user", "alice"])
        #expect(text.contains(b.id))
        #expect(text.contains("led_to"))
        let removed = try await CLI.run(["unlink", a.id, b.id, "--db", db, "--user", "alice"])
        #expect(removed == "removed 1 link\n")
    }

    @Test func recallRejectsABadDate() async throws {
        let run = await CLI.execute(["recall", "x", "--after", "last tuesday", "--db", db])
        #expect(run.exitCode == 64)
        #expect(run.error.contains("ISO-8601"))
    }
}
