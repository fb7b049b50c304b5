import ArgumentParser
import EngramCore

/// `engram unlink SOURCE TARGET`: removes links between two memories.
struct UnlinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlink",
        abstract: "Remove the links from one memory to another (of one type, or all types).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The source memory id.")
    var source: String

    @Argument(help: "The target memory id.")
    var target: String

    @Option(help: "Only remove links of this type.")
    var type: String?

    private struct Report: Codable {
        var removed: Int
    }

    mutating func run() async throws {
        let linkType = try type.map { try LinkType.parse($0) }
        try await global.withService(.write) { store in
            let removed = try await store.unlink(
                userID: global.userID, sourceID: source, targetID: target, type: linkType)
            if global.json {
                try Output.json(Report(removed: removed))
            } else {
                Output.line("removed \(removed) link\(removed == 1 ? "" : "s")")
            }
        }
    }
}
