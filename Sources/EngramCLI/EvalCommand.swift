import ArgumentParser

/// `engram eval`: retrieval quality on public benchmarks.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure retrieval quality on a benchmark.",
        subcommands: [EvalLocomoCommand.self])
}
