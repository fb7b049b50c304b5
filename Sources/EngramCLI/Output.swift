import Foundation
import Synchronization

/// Where the CLI writes: the process's standard streams, or an in-memory capture for tests.
public final class OutputSink: Sendable {
    private let isCapture: Bool
    private let captured = Mutex((out: "", err: ""))

    private init(capturing: Bool) {
        isCapture = capturing
    }

    /// Writes to the process's standard output and standard error.
    public static let standard = OutputSink(capturing: false)

    /// Creates a sink that keeps everything written in memory.
    public static func capture() -> OutputSink { OutputSink(capturing: true) }

    /// Everything written to standard output so far (captures only; empty for `standard`).
    public var standardOutput: String { captured.withLock { $0.out } }

    /// Everything written to standard error so far (captures only; empty for `standard`).
    public var standardError: String { captured.withLock { $0.err } }

    /// Writes `text` verbatim to standard output.
    public func write(_ text: String) {
        if isCapture {
            captured.withLock { $0.out += text }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// Writes `text` verbatim to standard error.
    public func writeError(_ text: String) {
        if isCapture {
            captured.withLock { $0.err += text }
        } else {
            FileHandle.standardError.write(Data(text.utf8))
        }
    }
}

/// The CLI's output: the current sink, JSON encoding and aligned text tables.
public enum Output {
    /// The sink every command writes to; bind another with `Output.$sink.withValue(_:operation:)`.
    @TaskLocal public static var sink: OutputSink = .standard

    /// Writes one line to standard output.
    static func line(_ text: String = "") {
        sink.write(text + "\n")
    }

    /// Writes one line to standard error.
    static func errorLine(_ text: String) {
        sink.writeError(text + "\n")
    }

    /// The encoder of `--json` output: sorted keys, ISO-8601 dates, pretty-printed.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The decoder matching ``jsonEncoder()``, for reading `--json` output back.
    static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// Writes `value` as one JSON document.
    static func json(_ value: some Encodable) throws {
        let data = try jsonEncoder().encode(value)
        line(String(decoding: data, as: UTF8.self))
    }

    /// Renders rows as columns aligned on the widest cell, separated by two spaces; the last column is not padded.
    static func table(_ headers: [String], _ rows: [[String]], indent: String = "") -> String {
        let columns = headers.count
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < columns {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func render(_ cells: [String]) -> String {
            var parts: [String] = []
            for index in 0..<columns {
                let cell = index < cells.count ? cells[index] : ""
                let isLast = index == columns - 1
                parts.append(isLast ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0))
            }
            let text = parts.joined(separator: "  ")
            return indent + String(text.reversed().drop(while: { $0 == " " }).reversed())
        }
        return ([render(headers)] + rows.map(render)).joined(separator: "\n")
    }

    /// Writes a table, or `empty` when there are no rows.
    static func printTable(_ headers: [String], _ rows: [[String]], empty: String, indent: String = "") {
        if rows.isEmpty {
            line(indent + empty)
        } else {
            line(table(headers, rows, indent: indent))
        }
    }

    /// Writes `label: value` pairs with the values aligned.
    static func printFields(_ fields: [(String, String)], indent: String = "") {
        let width = fields.map(\.0.count).max() ?? 0
        for (label, value) in fields {
            line(indent + (label + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0) + " " + value)
        }
    }

    /// A number with three decimals, such as `0.734`.
    static func score(_ value: Double) -> String {
        String(format: "%.3f", value)
    }

    /// A date as ISO-8601, or `-` when absent.
    static func date(_ value: Date?) -> String {
        value.map { $0.formatted(.iso8601) } ?? "-"
    }

    /// Text on one line, cut to `limit` characters with an ellipsis.
    static func truncate(_ text: String, to limit: Int = 60) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard flat.count > limit else { return flat }
        return String(flat.prefix(max(limit - 1, 0))) + "…"
    }

    /// A dictionary of counts as `key=value` pairs by key, or `-` when empty.
    static func counts(_ values: [String: Int]) -> String {
        values.isEmpty ? "-" : values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
