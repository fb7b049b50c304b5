import ArgumentParser
import EngramCore

/// `engram neighbours ID`: memories reachable along links.
struct NeighboursCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbours",
        abstract: "List the memories reachable from a memory along links, nearest first.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The memory id to start from.")
    var id: String

    @Option(help: "How many hops to follow.")
    var depth = 2

    @Option(name: .customLong("type"), help: "Only follow links of this type (repeatable).")
    var types: [String] = []

    private struct Entry: Codable {
        var depth: Int
        var link: Link
        var memory: Memory
    }

    mutating func run() async throws {
        let linkTypes = try ArgumentValues.set(types, as: LinkType.self)
        try await global.withService(.read) { store in
            let neighbours = try await store.neighbours(
                userID: global.userID, memoryID: id, depth: depth, types: linkTypes)
            if global.json {
                try Output.json(neighbours.map { Entry(depth: $0.depth, link: $0.link, memory: $0.memory) })
                return
            }
            let rows = neighbours.map { neighbour in
                [
                    "\(neighbour.depth)", neighbour.link.type.rawValue, Output.score(neighbour.link.weight),
                    neighbour.memory.id, Output.truncate(neighbour.memory.content),
                ]
            }
            Output.printTable(["DEPTH", "TYPE", "WEIGHT", "ID", "CONTENT"], rows, empty: "No linked memories.")
        }
    }
}
