import ArgumentParser
import EngramCore

/// `engram user`: create, show, list and erase users.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Create, show, update, list and erase users.",
        subcommands: [
            UserCreateCommand.self, UserShowCommand.self, UserUpdateCommand.self, UserListCommand.self,
            UserEraseCommand.self,
        ])

    /// Prints one user as aligned fields.
    static func print(_ user: User) {
        Output.printFields([
            ("id", user.id),
            ("name", user.name),
            ("role", user.role.rawValue),
            ("info", user.info.jsonText),
            ("memories", "\(user.counters.memories)"),
            ("links", "\(user.counters.links)"),
            ("sessions", "\(user.counters.sessions)"),
            ("messages", "\(user.counters.messages)"),
            ("created", Output.date(user.createdAt)),
            ("last activity", Output.date(user.lastActivityAt)),
        ])
    }
}
