import ArgumentParser
import EngramCore

/// `engram user erase [ID] --yes`: deletes a user and every row that belongs to it.
struct UserEraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a user and every row that belongs to it, and print the erasure receipt.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The user id (default: --user).")
    var id: String?

    @Flag(help: "Confirm the erasure; nothing is deleted without it.")
    var yes = false

    func validate() throws {
        guard yes else {
            throw ValidationError(
                "Erasing deletes every memory, session and message of the user; pass --yes to confirm.")
        }
    }

    mutating func run() async throws {
        try await global.withService(.write) { store in
            let receipt = try await store.eraseUser(id ?? global.userID)
            if global.json {
                try Output.json(receipt)
                return
            }
            Output.line("erased user \(receipt.userID) at \(Output.date(receipt.erasedAt))")
            let rows = receipt.deleted.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] }
            Output.printTable(["TABLE", "ROWS"], rows, empty: "No rows deleted.")
            Output.line("total \(receipt.total) rows")
        }
    }
}
