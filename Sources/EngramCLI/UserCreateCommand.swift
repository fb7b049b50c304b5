import ArgumentParser
import EngramCore

/// `engram user create [ID]`: creates a user, or shows the existing one (idempotent).
struct UserCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a user; when the id is taken, the existing user is left unchanged.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The user id (default: --user).")
    var id: String?

    @Option(help: "The display name.")
    var name: String?

    @Option(help: "user, admin, student, teacher or service.")
    var role = UserRole.user.rawValue

    @Option(help: "Profile data as a JSON object.")
    var info: String?

    mutating func run() async throws {
        let draft = UserDraft(
            id: id ?? global.userID, name: name, role: try UserRole.parse(role),
            info: try ArgumentValues.json(info, field: "--info") ?? .emptyObject)
        try await global.withService(.write) { store in
            let user = try await store.createUser(draft)
            if global.json {
                try Output.json(user)
            } else {
                UserCommand.print(user)
            }
        }
    }
}
