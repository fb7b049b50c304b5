import ArgumentParser
import EngramCore
import Foundation

/// `engram import FILE`: writes the rows of a JSON Lines export, all or nothing.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a JSON Lines export, all or nothing; rows keep their ids, users and times.",
        discussion: """
            Every line is checked before anything is written, as a write would check it; a bad line is named and
            nothing is imported. The import is scoped to --user (default "default"): a row of another user refuses
            it. --all-users imports every user of the file, an administrative action. Memories without a vector
            of the embedding model are embedded.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The JSON Lines file, or - for standard input.", valueName: "file"))
    var file: String

    @Flag(name: .customLong("all-users"), help: "Import the rows of every user in the file (administrative).")
    var allUsers = false

    /// What `--json` prints.
    struct Report: Codable {
        var scope: String
        var imported: [String: Int]
        var embedded: Int
        var total: Int
    }

    func validate() throws {
        if allUsers, global.user != nil {
            throw ValidationError("Pass --user to import one user's rows, or --all-users, not both.")
        }
    }

    mutating func run() async throws {
        let records = try Self.parse(try ArgumentValues.text(of: file, what: "import file", notText: .malformedImport))
        let scope: ImportScope = allUsers ? .allUsers : .user(global.userID)
        let others = Set(records.map(\.userID)).subtracting([global.userID]).sorted()
        if !allUsers, let other = others.first {
            throw EngramError(
                .invalidArgument,
                "The file holds rows of user \(other)\(others.count > 1 ? " and others" : ""); pass --user \(other) to import one user's rows, or --all-users to import every user (administrative). Nothing was imported."
            )
        }
        try await global.withService(.write) { store in
            let report = try await store.importRecords(records, scope: scope)
            let scopeName = allUsers ? "all users (administrative)" : "user \(global.userID)"
            if global.json {
                return try Output.json(
                    Report(scope: scopeName, imported: report.imported, embedded: report.embedded, total: report.total))
            }
            let rows = report.imported.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] }
            Output.printTable(["TABLE", "ROWS"], rows, empty: "Nothing to import.")
            Output.line(
                "imported \(report.total) rows for \(scopeName)"
                    + (report.embedded > 0 ? "; embedded \(report.embedded) memories that came without a vector" : ""))
        }
    }

    /// Parses every non-empty line, numbering lines from 1; the first bad line throws `malformed_import`.
    static func parse(_ text: String) throws -> [ExportRecord] {
        var records: [ExportRecord] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy(\.isWhitespace) { continue }
            records.append(try ExportCodec.record(String(line), lineNumber: index + 1))
        }
        return records
    }
}
