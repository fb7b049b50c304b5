import ArgumentParser
import EngramCore

/// `engram user list`: every user of the database.
struct UserListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every user of the database, by id.")

    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try await global.withService(.read) { store in
            let users = try await store.users()
            if global.json {
                try Output.json(users)
                return
            }
            let rows = users.map { user in
                [
                    user.id, Output.truncate(user.name, to: 30), user.role.rawValue, "\(user.counters.memories)",
                    "\(user.counters.sessions)", Output.date(user.lastActivityAt),
                ]
            }
            Output.printTable(
                ["ID", "NAME", "ROLE", "MEMORIES", "SESSIONS", "LAST ACTIVITY"], rows, empty: "No users.")
        }
    }
}
