import ArgumentParser

/// `engram facts`: working facts (L2); lists them unless a subcommand is given.
struct FactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facts",
        abstract: "List working facts (the default), or add one.",
        subcommands: [FactsListCommand.self, FactsAddCommand.self],
        defaultSubcommand: FactsListCommand.self)
}
