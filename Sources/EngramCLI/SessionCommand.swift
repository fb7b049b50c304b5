import ArgumentParser

/// `engram session`: create and list sessions.
struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Create and list sessions (chats).",
        subcommands: [SessionCreateCommand.self, SessionListCommand.self])
}
