import ArgumentParser
import EngramCore

/// `engram stats`: what the user's memory holds.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show counts and averages of the user's memory.")

    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try await global.withService(.read) { store in
            let statistics = try await store.statistics(userID: global.userID)
            if global.json {
                try Output.json(statistics)
            } else {
                Self.print(statistics)
            }
        }
    }

    /// Prints statistics as aligned fields.
    static func print(_ statistics: UserStatistics, indent: String = "") {
        Output.printFields(
            [
                ("user", statistics.userID),
                ("memories", "\(statistics.memories) (\(statistics.validMemories) valid)"),
                ("by sector", Output.counts(statistics.memoriesBySector)),
                ("by context type", Output.counts(statistics.memoriesByContextType)),
                ("entities", "\(statistics.entities)"),
                ("embeddings", "\(statistics.embeddings)"),
                ("links", "\(statistics.links)"),
                ("links by type", Output.counts(statistics.linksByType)),
                ("sessions", "\(statistics.sessions)"),
                ("messages", "\(statistics.messages)"),
                ("working facts", "\(statistics.activeWorkingFacts) active"),
                ("emotions", "\(statistics.emotions)"),
                ("feedback", "\(statistics.feedback)"),
                ("average salience", Output.score(statistics.averageSalience)),
                ("average strength", Output.score(statistics.averageStrength)),
                ("oldest memory", Output.date(statistics.oldestMemoryAt)),
                ("newest memory", Output.date(statistics.newestMemoryAt)),
                ("last activity", Output.date(statistics.lastActivityAt)),
            ], indent: indent)
    }
}
