import ArgumentParser
import EngramCore

/// `engram link SOURCE TARGET`: links two memories.
struct LinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Link two memories; linking the same pair and type again updates the weight.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The source memory id.")
    var source: String

    @Argument(help: "The target memory id.")
    var target: String

    @Option(help: "relates_to, led_to, depends_on, produces, belongs_to, semantic, temporal, causal or analogical.")
    var type = LinkType.relatesTo.rawValue

    @Option(help: "The link's weight, 0…1.")
    var weight = 1.0

    mutating func run() async throws {
        let draft = LinkDraft(
            userID: global.userID, sourceID: source, targetID: target, type: try LinkType.parse(type), weight: weight)
        try await global.withService(.write) { store in
            let link = try await store.link(draft)
            if global.json {
                try Output.json(link)
            } else {
                Output.line(
                    "linked \(link.sourceID) -[\(link.type.rawValue) \(Output.score(link.weight))]-> \(link.targetID)")
            }
        }
    }
}
