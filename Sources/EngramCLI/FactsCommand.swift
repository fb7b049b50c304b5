import ArgumentParser
import EngramCore

/// `engram facts`: working facts (L2); lists them unless a subcommand is given.
struct FactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facts",
        abstract: "List working facts (the default), add one, confirm one, or delete one.",
        subcommands: [FactsListCommand.self, FactsAddCommand.self, Confirm.self, Delete.self],
        defaultSubcommand: FactsListCommand.self)

    /// `engram facts confirm ID`.
    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Confirm a working fact: the next consolidation (engram maintain) promotes it to long-term memory.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The fact id.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.write) { store in
                let fact = try await store.confirmFact(userID: global.userID, id: id)
                if global.json { return try Output.json(fact) }
                Output.line("confirmed fact \(fact.id)")
            }
        }
    }

    /// `engram facts delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete one working fact.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The fact id.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.write) { store in
                try await store.deleteFact(userID: global.userID, id: id)
                if global.json { return try Output.json(["deleted": id]) }
                Output.line("deleted fact \(id)")
            }
        }
    }
}
