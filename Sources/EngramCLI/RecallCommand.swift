import ArgumentParser
import EngramCore
import Foundation

/// `engram recall QUERY`: ranked memories for a query, with why each ranked where it did.
struct RecallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall",
        abstract: "Find the memories that best match a query, with their score breakdowns.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "What to look for.")
    var query: String

    @Option(name: .short, help: "How many results to return.")
    var k = 10

    @Option(name: .customLong("sector"), help: "Only this sector (repeatable).")
    var sectors: [String] = []

    @Option(name: .customLong("context-type"), help: "Only this context type (repeatable).")
    var contextTypes: [String] = []

    @Option(name: .customLong("tag"), help: "Only memories with this tag (repeatable; all must match).")
    var tags: [String] = []

    @Option(
        help: ArgumentHelp("Only memories created at or after this ISO-8601 date or date-time.", valueName: "date"),
        transform: ArgumentValues.date)
    var after: Date?

    @Option(
        help: ArgumentHelp("Only memories created before this ISO-8601 date or date-time.", valueName: "date"),
        transform: ArgumentValues.date)
    var before: Date?

    @Option(help: "Only memories of this session.")
    var session: String?

    @Option(help: "Only memories of this agent.")
    var agent: String?

    @Option(help: "Recall as this agent: shared memories and its own private ones, no other agent's private ones.")
    var viewer: String?

    @Option(name: .customLong("min-score"), help: "Drop results whose composite score is below this, 0…1.")
    var minScore: Double?

    @Flag(name: .customLong("no-links"), help: "Do not follow links from the best matches.")
    var noLinks = false

    @Flag(name: .customLong("no-reinforce"), help: "Read only: do not count this recall as an access.")
    var noReinforce = false

    @Flag(name: .customLong("include-invalid"), help: "Include superseded and soft-forgotten memories.")
    var includeInvalid = false

    /// The `--json` document of a recall.
    struct Report: Codable {
        var query: String
        var results: [RankedResult]
    }

    mutating func run() async throws {
        let filters = RecallFilters(
            sectors: try ArgumentValues.set(sectors, as: Sector.self),
            contextTypes: try ArgumentValues.set(contextTypes, as: ContextType.self),
            tags: Set(tags), createdAfter: after, createdBefore: before, sessionID: session, agentID: agent,
            includeInvalid: includeInvalid, viewer: viewer)
        let request = RecallQuery(
            userID: global.userID, text: query, k: k, filters: filters, minScore: minScore,
            expandLinks: !noLinks, reinforce: !noReinforce)
        try await global.withService(noReinforce ? .read : .write) { store in
            let results = RankedResult.ranking(try await store.recall(request))
            if global.json {
                try Output.json(Report(query: query, results: results))
            } else {
                RankedResult.printTable(results)
            }
        }
    }
}

extension RankedResult {
    /// Prints results as a table: rank, composite score, its parts, sector, id and content.
    static func printTable(_ results: [RankedResult], contentWidth: Int = 60, showID: Bool = true, indent: String = "")
    {
        var headers = ["#", "SCORE", "SIM", "SAL", "REC", "LINK", "SECTOR"]
        if showID { headers.append("ID") }
        headers.append("CONTENT")
        let rows = results.map { result in
            var row = [
                "\(result.rank)", Output.score(result.score.composite), Output.score(result.score.similarity),
                Output.score(result.score.salience), Output.score(result.score.recency),
                Output.score(result.score.linkWeight), result.memory.sector.rawValue,
            ]
            if showID { row.append(result.memory.id) }
            row.append(Output.truncate(result.memory.content, to: contentWidth))
            return row
        }
        Output.printTable(headers, rows, empty: "No memories matched.", indent: indent)
    }
}
