import ArgumentParser
import EngramCore
import Foundation

/// `engram embed TEXT`: the vector the configured embedder makes of a text.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print the vector the configured embedder makes of a text (what a memory with it is stored with).",
        discussion: """
            Needs no database: it runs the embedder --embedder chooses, as remember would. Text output is one number
            per line; --json prints the model and the vector. A memory drawn from a conversation turn with a turn
            before it is stored with the normalised sum of this vector and that of "previous turn, newline, text".
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The text to embed.")
    var text: String

    /// What `--json` prints.
    struct Report: Codable {
        var model: String
        var dimension: Int
        var vector: [Float]
    }

    mutating func run() async throws {
        let text = try InputValidator(configuration: EngramConfiguration()).content(self.text, field: "text")
        let embedders = try global.embedding.selection()
        let vector: [Float]
        do {
            vector = try await embedders.configured.embed(text)
            await embedders.shutdown()
        } catch {
            await embedders.shutdown()
            throw error
        }
        if global.json {
            return try Output.json(
                Report(model: embedders.configured.model, dimension: vector.count, vector: vector))
        }
        Output.line(vector.map { String(format: "%.7g", $0) }.joined(separator: "\n"))
    }
}
