import ArgumentParser
import EngramCore

/// `engram user update [ID]`: changes a user's name, role or info.
struct UserUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a user's display name, role or profile info.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The user id (default: --user).")
    var id: String?

    @Option(help: "The new display name.")
    var name: String?

    @Option(help: "user, admin, student, teacher or service.")
    var role: String?

    @Option(help: "New profile data, a JSON object (replaces the old).")
    var info: String?

    func validate() throws {
        if name == nil, role == nil, info == nil {
            throw ValidationError("Pass at least one of --name, --role, --info.")
        }
    }

    mutating func run() async throws {
        let patch = UserPatch(
            name: name, role: try role.map(UserRole.parse), info: try ArgumentValues.json(info, field: "--info"))
        let id = self.id ?? global.userID
        try await global.withService(.write) { store in
            let user = try await store.updateUser(id, patch)
            if global.json { return try Output.json(user) }
            UserCommand.print(user)
        }
    }
}
