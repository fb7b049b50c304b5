import ArgumentParser
import EngramCore

/// `engram audit`: the user's audit trail, newest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract:
            "Read the user's audit trail, newest first: who did what to which row and why, with digests, never content.",
        discussion: "Page back with --before, passing the smallest line number of the previous page.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "At most this many lines (1…100000).")
    var limit = 50

    @Option(help: "Only lines numbered below this one.")
    var before: Int64?

    mutating func run() async throws {
        let (limit, before) = (self.limit, self.before)
        try await global.withService(.read) { store in
            let entries = try await store.auditLog(userID: global.userID, before: before, limit: limit)
            if global.json { return try Output.json(entries) }
            Output.printTable(
                ["#", "WHEN", "ACTOR", "ACTION", "TARGET", "REASON"],
                entries.map {
                    [
                        "\($0.id)", Output.date($0.createdAt), $0.actor, $0.action, "\($0.targetType) \($0.targetID)",
                        $0.reason ?? "",
                    ]
                }, empty: "No audit lines.")
        }
    }
}
