import ArgumentParser
import EngramCore

/// `engram session list`: the user's sessions, most recently updated first.
struct SessionListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the user's sessions, most recently updated first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The most sessions to list.")
    var limit = 50

    mutating func run() async throws {
        try await global.withService(.read) { store in
            let sessions = try await store.sessions(userID: global.userID, limit: limit)
            if global.json {
                try Output.json(sessions)
                return
            }
            let rows = sessions.map { session in
                [
                    session.id, Output.truncate(session.title ?? "-", to: 40), session.agentID ?? "-",
                    "\(session.messageCount)", Output.date(session.lastUpdatedAt),
                ]
            }
            Output.printTable(["ID", "TITLE", "AGENT", "MESSAGES", "UPDATED"], rows, empty: "No sessions.")
        }
    }
}
