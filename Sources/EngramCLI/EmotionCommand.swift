import ArgumentParser
import EngramCore

/// `engram emotion`: the emotional annotation of a memory (seed 001).
struct EmotionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emotion",
        abstract: "Set or show the emotional annotation of a memory: valence, arousal, dominance, discrete emotions.",
        subcommands: [Set.self, Show.self],
        defaultSubcommand: Show.self)

    /// `engram emotion set MEMORY-ID`.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set (replace) the emotional annotation of a memory.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The memory id.")
        var memory: String

        @Option(help: "How pleasant, −1…1.")
        var valence: Double

        @Option(help: "How intense, 0…1.")
        var arousal: Double

        @Option(help: "How much in control, −1…1.")
        var dominance = 0.0

        @Option(name: .customLong("emotion"), help: "A discrete emotion as name=score, such as joy=0.8 (repeatable).")
        var emotions: [String] = []

        @Option(help: "The primary emotion (default: the highest-scored one).")
        var primary: String?

        @Option(help: "How sure the annotation is, 0…1.")
        var confidence = 1.0

        mutating func run() async throws {
            var discrete: [String: Double] = [:]
            for entry in emotions {
                let parts = entry.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let score = Double(parts[1]) else {
                    throw ValidationError("--emotion takes name=score, such as joy=0.8; got '\(entry)'.")
                }
                discrete[String(parts[0])] = score
            }
            let emotion = Emotion(
                memoryID: memory, userID: global.userID, valence: valence, arousal: arousal, dominance: dominance,
                discreteEmotions: discrete,
                primaryEmotion: primary ?? discrete.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key,
                confidence: confidence, updatedAt: .now)
            try await global.withService(.write) { store in
                let stored = try await store.setEmotion(emotion)
                if global.json { return try Output.json(stored) }
                EmotionCommand.print(stored)
            }
        }
    }

    /// `engram emotion show MEMORY-ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the emotional annotation of a memory (null with --json when it has none).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The memory id.")
        var memory: String

        mutating func run() async throws {
            try await global.withService(.read) { store in
                let emotion = try await store.emotion(userID: global.userID, memoryID: memory)
                if global.json { return try Output.json(emotion) }
                guard let emotion else {
                    return Output.line("no emotional annotation; set one with engram emotion set")
                }
                EmotionCommand.print(emotion)
            }
        }
    }

    static func print(_ emotion: Emotion) {
        Output.printFields([
            ("memory", emotion.memoryID), ("valence", Output.score(emotion.valence)),
            ("arousal", Output.score(emotion.arousal)), ("dominance", Output.score(emotion.dominance)),
            ("primary", emotion.primaryEmotion ?? ""),
            (
                "emotions",
                emotion.discreteEmotions.sorted { $0.key < $1.key }.map { "\($0.key)=\(Output.score($0.value))" }
                    .joined(separator: ", ")
            ),
            ("confidence", Output.score(emotion.confidence)), ("updated", Output.date(emotion.updatedAt)),
        ])
    }
}
