import ArgumentParser
import EngramCore

/// `engram facts add TEXT`: adds a working fact that expires.
struct FactsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a working fact that expires after its TTL (7 days by default).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The fact.")
    var text: String

    @Option(help: "fact, preference, entity, event, goal, instruction, relationship or other.")
    var type = FactType.fact.rawValue

    @Option(help: "How sure the fact is, 0…1.")
    var confidence = 0.8

    @Option(help: "The session it belongs to.")
    var session: String?

    @Option(help: "The agent it belongs to.")
    var agent: String?

    @Option(name: .customLong("source-message"), help: "The id of a message it was drawn from (repeatable).")
    var sourceMessages: [String] = []

    @Option(name: .customLong("ttl-hours"), help: "Hours until it expires.")
    var ttlHours: Double?

    mutating func run() async throws {
        let draft = WorkingFactDraft(
            userID: global.userID, sessionID: session, agentID: agent, factType: try FactType.parse(type),
            content: text, confidence: confidence, sourceMessageIDs: sourceMessages,
            ttl: try ArgumentValues.seconds(hours: ttlHours, option: "--ttl-hours"))
        try await global.withService(.write) { store in
            let fact = try await store.addFact(draft)
            if global.json {
                try Output.json(fact)
            } else {
                Output.line("added \(fact.id) (expires \(Output.date(fact.expiresAt)))")
            }
        }
    }
}
