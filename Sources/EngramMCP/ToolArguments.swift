import EngramCore
import Foundation
import MCP

/// The arguments of one tool call, read by name as the type its schema promises.
///
/// A missing required argument, a value of the wrong type or an argument the tool does not take throws
/// `invalid_argument` naming the argument (never its value); a value outside an enumeration throws
/// `invalid_enum_value` listing the allowed values. A `null` counts as absent: models often send one for an optional
/// argument they do not use.
struct ToolArguments: Sendable {
    private let values: [String: Value]

    /// The arguments of a call to a tool taking `accepted`; any other argument is refused.
    init(_ values: [String: Value]?, accepted: Set<String>) throws {
        let values = (values ?? [:]).filter { !$0.value.isNull }
        if let unknown = values.keys.filter({ !accepted.contains($0) }).sorted().first {
            let names = accepted.sorted().joined(separator: ", ")
            throw EngramError(
                .invalidArgument,
                "This tool takes no argument '\(unknown)'; it takes: \(names.isEmpty ? "none" : names).")
        }
        self.values = values
    }

    /// A required string.
    func string(_ name: String) throws -> String {
        guard let value = try optionalString(name) else { throw missing(name) }
        return value
    }

    /// An optional string.
    func optionalString(_ name: String) throws -> String? {
        guard let value = values[name] else { return nil }
        guard case .string(let string) = value else { throw wrongType(name, "a string") }
        return DataURLShield.unshield(string)
    }

    /// A number, or `value` when absent.
    func double(_ name: String, default value: Double) throws -> Double {
        try optionalDouble(name) ?? value
    }

    /// An optional number.
    func optionalDouble(_ name: String) throws -> Double? {
        guard let value = values[name] else { return nil }
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: throw wrongType(name, "a number")
        }
    }

    /// A whole number, or `value` when absent. A number with no fractional part (`5.0`) counts as whole.
    func int(_ name: String, default value: Int) throws -> Int {
        guard let given = values[name] else { return value }
        switch given {
        case .int(let number): return number
        case .double(let number):
            guard let whole = Int(exactly: number) else { throw wrongType(name, "a whole number") }
            return whole
        default: throw wrongType(name, "a whole number")
        }
    }

    /// A boolean, or `value` when absent.
    func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let given = values[name] else { return value }
        guard case .bool(let flag) = given else { throw wrongType(name, "true or false") }
        return flag
    }

    /// A list of strings; empty when absent.
    func strings(_ name: String) throws -> [String] {
        guard let value = values[name] else { return [] }
        guard case .array(let items) = value else { throw wrongType(name, "a list of strings") }
        return try items.map { item in
            guard case .string(let string) = item else { throw wrongType(name, "a list of strings") }
            return DataURLShield.unshield(string)
        }
    }

    /// A value of `E`, or `value` when absent.
    func enumeration<E: EngramEnum>(_ name: String, default value: E) throws -> E {
        try optionalString(name).map(E.parse) ?? value
    }

    /// An optional value of `E`.
    func optionalEnumeration<E: EngramEnum>(_ name: String, as _: E.Type) throws -> E? {
        try optionalString(name).map(E.parse)
    }

    /// A set of values of `E`; empty (any) when absent.
    func enumerations<E: EngramEnum>(_ name: String, as _: E.Type) throws -> Set<E> {
        Set(try strings(name).map(E.parse))
    }

    /// An optional JSON object.
    func object(_ name: String) throws -> JSONValue? {
        guard let value = values[name] else { return nil }
        guard case .object = value else { throw wrongType(name, "a JSON object") }
        // Through JSON text: Engram's own value type, with no reinterpretation of strings.
        return DataURLShield.unshield(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value)))
    }

    private func missing(_ name: String) -> EngramError {
        EngramError(.invalidArgument, "\(name) is required; pass it.")
    }

    private func wrongType(_ name: String, _ expected: String) -> EngramError {
        EngramError(.invalidArgument, "\(name) must be \(expected).")
    }
}
