import ArgumentParser
import EngramCore

/// `engram reembed`: embeds every memory with the configured model, then switches recall to it.
struct ReembedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reembed",
        abstract: "Embed every memory with the configured model, then switch recall to it.",
        discussion: """
            Run it after changing the embedder (say, from hashing to MiniLM). Recall keeps ranking with the
            previous model's vectors until every memory has a vector of the new one, then switches: no downtime
            and no ranking that mixes models. Memories written meanwhile get vectors of both models. Safe to stop
            and run again; it resumes. Progress goes to standard error.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Memories embedded per batch (1…10000).")
    var batch = 64

    @Flag(help: "After switching, delete the vectors of every other model.")
    var prune = false

    mutating func run() async throws {
        let batchSize = batch
        let prune = prune
        try await global.withService(.write) { store in
            let before = try await store.embeddingStatus()
            if !global.json {
                Output.errorLine(
                    "reembed: \(before.missing) of \(before.memories) memories to embed with \(before.configured)")
            }
            let quiet = global.json
            let report = try await store.reembed(batchSize: batchSize, prune: prune) { progress in
                guard !quiet, progress.embedded > 0 else { return }
                let percent = Double(progress.embedded) / Double(max(progress.total, 1)) * 100
                Output.errorLine(
                    "reembed: \(progress.embedded)/\(progress.total) (\(String(format: "%.1f", percent))%)")
            }
            if global.json {
                try Output.json(report)
            } else {
                Output.line(
                    "embedded \(report.embedded) memories; recall ranks with \(report.active)"
                        + (report.switched ? "" : " (not switched: memories still lack vectors)")
                        + (report.pruned > 0 ? "; pruned \(report.pruned) vectors of other models" : ""))
            }
        }
    }
}
