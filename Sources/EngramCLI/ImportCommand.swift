import ArgumentParser
import EngramCore
import Foundation

/// `engram import FILE`: writes the rows of a JSON Lines export, all or nothing.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a JSON Lines export, all or nothing; rows keep their ids, users and times.",
        discussion: "Every line is checked before anything is written; a bad line is named and nothing is imported.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The JSON Lines file, or - for standard input.", valueName: "file"))
    var file: String

    mutating func run() async throws {
        let records = try Self.parse(try ArgumentValues.text(of: file, what: "import file", notText: .malformedImport))
        try await global.withStore { store in
            let report = records.isEmpty ? ImportReport(imported: [:]) : try await store.importRecords(records)
            if global.json {
                try Output.json(report)
                return
            }
            let rows = report.imported.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] }
            Output.printTable(["TABLE", "ROWS"], rows, empty: "Nothing to import.")
            Output.line("imported \(report.total) rows")
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
