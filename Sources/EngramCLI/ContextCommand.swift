import ArgumentParser
import EngramCore

/// `engram context`: the active context of a session.
struct ContextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Show a session's active context: its last turns younger than the TTL, oldest first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The session id.")
    var session: String

    @Option(help: "The most recent turns to include (default 20).")
    var turns: Int?

    @Option(name: .customLong("ttl-hours"), help: "Only turns younger than this many hours (default 24).")
    var ttlHours: Double?

    func validate() throws {
        if let turns, turns < 1 { throw ValidationError("--turns must be at least 1.") }
    }

    mutating func run() async throws {
        let ttl = try ArgumentValues.seconds(hours: ttlHours, option: "--ttl-hours")
        let window: ContextWindow? =
            turns == nil && ttl == nil
            ? nil
            : ContextWindow(turns: turns ?? ContextWindow.default.turns, ttl: ttl ?? ContextWindow.default.ttl)
        try await global.withService(.read) { store in
            let messages = try await store.activeContext(userID: global.userID, sessionID: session, window: window)
            if global.json {
                try Output.json(messages)
            } else {
                MessageListCommand.printTable(messages)
            }
        }
    }
}
