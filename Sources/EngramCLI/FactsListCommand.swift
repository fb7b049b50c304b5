import ArgumentParser
import EngramCore

/// `engram facts list`: the user's working facts, newest first.
struct FactsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the user's unexpired working facts, newest first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only facts of this session.")
    var session: String?

    @Flag(help: "Include expired facts.")
    var all = false

    mutating func run() async throws {
        try await global.withService(.read) { store in
            let facts = try await store.facts(userID: global.userID, sessionID: session, includeExpired: all)
            if global.json {
                try Output.json(facts)
                return
            }
            let rows = facts.map { fact in
                [
                    fact.factType.rawValue, Output.score(fact.confidence), Output.date(fact.expiresAt), fact.id,
                    Output.truncate(fact.content),
                ]
            }
            Output.printTable(["TYPE", "CONF", "EXPIRES", "ID", "CONTENT"], rows, empty: "No working facts.")
        }
    }
}
