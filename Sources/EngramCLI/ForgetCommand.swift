import ArgumentParser
import EngramCore

/// `engram forget ID`: soft-forgets (or with `--hard`, erases) a memory.
struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Forget a memory: close its validity (kept for history), or erase it with --hard.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The memory id.")
    var id: String

    @Flag(help: "Erase the memory, its embeddings, links and emotions instead of closing its validity.")
    var hard = false

    private struct Report: Codable {
        var id: String
        var mode: ForgetMode
    }

    mutating func run() async throws {
        let mode: ForgetMode = hard ? .hard : .soft
        try await global.withService(.write) { store in
            try await store.forget(userID: global.userID, id: id, mode: mode)
            if global.json {
                try Output.json(Report(id: id, mode: mode))
            } else {
                Output.line(
                    hard ? "erased \(id)" : "forgot \(id) (soft: kept for history; see recall --include-invalid)")
            }
        }
    }
}
