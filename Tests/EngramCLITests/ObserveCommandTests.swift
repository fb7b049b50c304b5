import EngramCore
import Foundation
import Testing

@testable import EngramCLI

/// `engram observe`, `facts confirm` and `maintain` as a user types them: a turn forms facts, a confirmed fact is
/// promoted, bad input changes nothing, and the optional LLM settings are checked before anything is written.
@Suite("observe, facts confirm, consolidation")
struct ObserveCommandTests {
    let temporary: TemporaryFiles
    let db: String

    init() {
        temporary = TemporaryFiles()
        db = temporary.database()
    }

    private func arguments(_ arguments: [String]) -> [String] {
        arguments + ["--db", db, "--user", "ivy"]
    }

    private func observe(_ text: String, at: String, _ more: [String] = []) async throws -> Observation {
        try await CLI.json(
            Observation.self,
            arguments(["observe", text, "--session", "chat", "--speaker", "Ivy", "--at", at] + more))
    }

    @Test func aTurnFormsFactsThatAConfirmationPromotes() async throws {
        _ = try await CLI.run(arguments(["init"]))
        let observation = try await observe(
            "I moved to Lisbon yesterday.", at: "2024-03-10T09:00:00Z", ["--create-session"])
        #expect(observation.memory.tags.contains("turn"))
        #expect(observation.memory.sourceMessageIDs == [observation.message.id])
        let fact = try #require(observation.facts.first { $0.content.contains("Lisbon") })
        #expect(fact.content.hasPrefix("Ivy"), "the pronoun resolves to the speaker: \(fact.content)")
        #expect(fact.occurredAt == ISO8601DateFormatter().date(from: "2024-03-09T00:00:00Z"))

        let confirmed = try await CLI.json(WorkingFact.self, arguments(["facts", "confirm", fact.id]))
        #expect(confirmed.confirmed)
        let report = try await CLI.json(MaintenanceReport.self, arguments(["maintain", "--no-decay"]))
        #expect(report.consolidation.promotedFacts >= 1)
        let facts = try await CLI.json([WorkingFact].self, arguments(["facts", "--session", "chat"]))
        let promoted = try #require(facts.first { $0.id == fact.id }?.promotedMemoryID)
        let memory = try await CLI.json(Memory.self, arguments(["memory", "show", promoted]))
        #expect(memory.sourceMessageIDs == [observation.message.id])
    }

    @Test func badTurnsAreRefusedAndChangeNothing() async throws {
        _ = try await CLI.run(arguments(["init"]))
        _ = try await observe("I like tea.", at: "2024-03-10T09:00:00Z", ["--create-session"])
        let unknown = await CLI.execute(arguments(["observe", "Hello", "--session", "nowhere"]))
        #expect(unknown.error.hasPrefix("error[session_not_found]"), "\(unknown.error)")
        let late = await CLI.execute(
            arguments(["observe", "Earlier", "--session", "chat", "--at", "2024-03-01T09:00:00Z"]))
        #expect(late.error.hasPrefix("error[message_out_of_order]"), "\(late.error)")
        let messages = try await CLI.json([Message].self, arguments(["message", "list", "--session", "chat"]))
        #expect(messages.map(\.content) == ["I like tea."])
    }

    @Test func llmSettingsAreCheckedBeforeAnythingIsWritten() async throws {
        let noModel = await CLI.execute(
            arguments([
                "observe", "Hi", "--session", "chat", "--create-session", "--llm-base-url", "http://127.0.0.1:9/v1",
            ]))
        #expect(noModel.exitCode != 0)
        #expect(noModel.error.contains("--llm-model"), "\(noModel.error)")
        let badURL = await CLI.execute(
            arguments([
                "observe", "Hi", "--session", "chat", "--create-session", "--llm-base-url", "ftp://example",
                "--llm-model", "m",
            ]))
        #expect(badURL.error.hasPrefix("error[invalid_argument]"), "\(badURL.error)")
        #expect(badURL.error.contains("LLM base URL"), "\(badURL.error)")
        #expect(!FileManager.default.fileExists(atPath: db), "nothing was written")
    }
}
