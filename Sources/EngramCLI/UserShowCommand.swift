import ArgumentParser
import EngramCore

/// `engram user show [ID]`: one user and its counters.
struct UserShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a user and its row counts.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The user id (default: --user).")
    var id: String?

    mutating func run() async throws {
        try await global.withService(.read) { store in
            let user = try await store.user(id ?? global.userID)
            if global.json {
                try Output.json(user)
            } else {
                UserCommand.print(user)
            }
        }
    }
}
