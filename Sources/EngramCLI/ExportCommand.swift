import ArgumentParser
import EngramCore
import Foundation

/// `engram export`: every row of every table of a user (or all users) as JSON Lines.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every row of every table of the user (or of all users) as JSON Lines.",
        discussion: """
            The lines go to standard output unless --output is given; `engram import` reads them back exactly.
            With --output, a summary is printed instead (as JSON with --json).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(
        name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(name: .customLong("all-users"), help: "Export every user, not only --user.")
    var allUsers = false

    private struct Report: Codable {
        var file: String
        var users: [String]
        var records: Int
    }

    mutating func run() async throws {
        try await global.withService(.read) { store in
            let userIDs = allUsers ? try await store.users().map(\.id) : [global.userID]
            var lines: [String] = []
            for userID in userIDs {
                for record in try await store.export(userID: userID) {
                    lines.append(try ExportCodec.line(record))
                }
            }
            let text = lines.map { $0 + "\n" }.joined()
            guard let output else {
                Output.sink.write(text)
                return
            }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw EngramError(
                    .invalidArgument, "Cannot write the export file; check that its directory exists and is writable.")
            }
            if global.json {
                try Output.json(Report(file: output, users: userIDs, records: lines.count))
            } else {
                Output.line(
                    "exported \(lines.count) records of \(userIDs.count) user\(userIDs.count == 1 ? "" : "s") to \(output)"
                )
            }
        }
    }
}
