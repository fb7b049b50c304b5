import ArgumentParser
import EngramCore
import Foundation

/// Turns option strings into domain values, with errors that say what to pass instead.
enum ArgumentValues {
    /// Parses an ISO-8601 date (`2025-01-31`, midnight UTC) or date-time (`2025-01-31T09:30:00Z`).
    @Sendable static func date(_ text: String) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let attempts: [ISO8601DateFormatter.Options] = [
            [.withInternetDateTime, .withFractionalSeconds],
            [.withInternetDateTime],
            [.withFullDate],
        ]
        for options in attempts {
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return date }
        }
        throw ValidationError(
            "'\(text)' is not an ISO-8601 date; pass a date such as 2025-01-31"
                + " or a date-time such as 2025-01-31T09:30:00Z.")
    }

    /// Parses every value of a repeatable enum option, throwing `invalid_enum_value` on the first bad one.
    static func set<Value: EngramEnum>(_ raw: [String], as _: Value.Type) throws -> Set<Value> {
        Set(try raw.map { try Value.parse($0) })
    }

    /// Parses optional JSON text, throwing `invalid_argument` naming `field` when it is not JSON.
    static func json(_ text: String?, field: String) throws -> JSONValue? {
        guard let text else { return nil }
        return try JSONValue.parse(text, field: field)
    }

    /// Seconds in `hours`, rejecting values that are not positive.
    static func seconds(hours: Double?, option: String) throws -> TimeInterval? {
        guard let hours else { return nil }
        guard hours.isFinite, hours > 0 else { throw ValidationError("\(option) must be a positive number of hours.") }
        return hours * 3600
    }

    /// Seconds in `days`, rejecting values that are not positive.
    static func seconds(days: Double?, option: String) throws -> TimeInterval? {
        guard let days else { return nil }
        guard days.isFinite, days > 0 else { throw ValidationError("\(option) must be a positive number of days.") }
        return days * 86_400
    }

    /// The UTF-8 text of the file at `path` (`-`: standard input); text that is not UTF-8 throws `notText`.
    static func text(of path: String, what: String, notText: EngramError.Code = .invalidArgument) throws -> String {
        let data =
            path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
        guard let data else {
            throw EngramError(.invalidArgument, "Cannot read the \(what); check the path and its permissions.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EngramError(notText, "The \(what) is not UTF-8 text; convert it to UTF-8. Nothing was written.")
        }
        return text
    }

    /// The lines of the file at `path` (`-`: standard input), without line ends.
    static func lines(of path: String) throws -> [String] {
        try text(of: path, what: "file").split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
    }
}
