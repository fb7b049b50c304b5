import ArgumentParser
import EngramCore

/// `engram feedback MEMORY-ID --useful|--not-useful`: whether a recalled memory helped.
struct FeedbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract:
            "Record whether a recalled memory was useful: a useful one gains 0.05 salience, a useless one loses it.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The memory id.")
    var memory: String

    @Flag(exclusivity: .exclusive, help: "Whether the memory helped.")
    var verdict: Verdict

    @Option(help: "The query it was recalled for.")
    var query: String?

    enum Verdict: String, EnumerableFlag {
        case useful
        case notUseful
    }

    mutating func run() async throws {
        let useful = verdict == .useful
        try await global.withService(.write) { store in
            let feedback = try await store.feedback(
                userID: global.userID, memoryID: memory, query: query, useful: useful)
            if global.json { return try Output.json(feedback) }
            Output.line("recorded: \(memory) was \(useful ? "useful" : "not useful")")
        }
    }
}
