import ArgumentParser
import EngramCore

/// `engram message list`: the messages of a session in order.
struct MessageListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List a session's messages in order.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The session id.")
    var session: String

    @Option(help: "Start after this sequence number.")
    var after = 0

    @Option(help: "The most messages to list.")
    var limit = 100

    mutating func run() async throws {
        try await global.withService(.read) { store in
            let messages = try await store.messages(
                userID: global.userID, sessionID: session, after: after, limit: limit)
            if global.json {
                try Output.json(messages)
            } else {
                MessageListCommand.printTable(messages)
            }
        }
    }

    /// Prints messages as a table of sequence, role, time, id and text.
    static func printTable(_ messages: [Message]) {
        let rows = messages.map { message in
            [
                "\(message.sequence)", message.role.rawValue, Output.date(message.createdAt), message.id,
                Output.truncate(message.content),
            ]
        }
        Output.printTable(["#", "ROLE", "CREATED", "ID", "CONTENT"], rows, empty: "No messages.")
    }
}
