import ArgumentParser

/// `engram message`: the turns of a session (L1).
struct MessageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "message",
        abstract: "Append and list the messages of a session.",
        subcommands: [MessageAddCommand.self, MessageListCommand.self])
}
