import Foundation

/// A JSON value: what Engram stores in its `info`, `metadata`, `content_json` and state columns.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// An empty object, the default for metadata columns.
    public static let emptyObject = JSONValue.object([:])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The object's members, or `nil` when this is not an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Parses JSON text, throwing `invalid_argument` naming `field` when it is not valid JSON.
    public static func parse(_ text: String, field: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw EngramError(
                .invalidArgument, "\(field) is not valid JSON; pass a JSON value such as {\"key\": \"value\"}.")
        }
    }

    /// Compact JSON text with sorted keys, so equal values always serialise identically: what `JSONEncoder`
    /// writes with `.sortedKeys` and `.withoutEscapingSlashes`, written directly for the common values (a test
    /// holds the two equal) and by `JSONEncoder` when a number has a fraction or a string a rare control character.
    public var jsonText: String { directText ?? encodedText }

    /// `jsonText` written directly, or `nil` for a value left to `JSONEncoder` (see `appendCompact`).
    var directText: String? {
        var bytes: [UInt8] = []
        return appendCompact(to: &bytes) ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// `jsonText` as `JSONEncoder` writes it.
    var encodedText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps to a JSON value.
        let data = (try? encoder.encode(self)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Appends this value's UTF-8 as `encodedText` would write it; false, leaving `bytes` partly written, for a
    /// value it leaves to `JSONEncoder`: a number that is not a whole number within ±2^53 (or is -0), or a string
    /// with a control character other than tab, line feed and carriage return.
    private func appendCompact(to bytes: inout [UInt8]) -> Bool {
        switch self {
        case .null: bytes += "null".utf8
        case .bool(let value): bytes += (value ? "true" : "false").utf8
        case .number(let value):
            guard value.rounded() == value, abs(value) <= 9_007_199_254_740_992, value != 0 || value.sign == .plus
            else { return false }
            bytes += String(Int64(value)).utf8
        case .string(let value): return Self.appendString(value, to: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                guard value.appendCompact(to: &bytes) else { return false }
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            // JSONEncoder's `.sortedKeys` orders keys by their UTF-8 bytes.
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                guard Self.appendString(member.key, to: &bytes) else { return false }
                bytes.append(UInt8(ascii: ":"))
                guard member.value.appendCompact(to: &bytes) else { return false }
            }
            bytes.append(UInt8(ascii: "}"))
        }
        return true
    }

    /// Appends a quoted string with `"` and `\\` escaped, and tab, line feed and carriage return as `\t`, `\n`
    /// and `\r`; false for any other control character.
    private static func appendString(_ value: String, to bytes: inout [UInt8]) -> Bool {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20: return false
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return true
    }

    /// Merges `other` into this object: keys of `other` win; non-objects are replaced by `other`.
    public func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(var mine) = self, case .object(let theirs) = other else { return other }
        for (key, value) in theirs { mine[key] = value }
        return .object(mine)
    }
}

extension JSONValue {
    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A member of an object; setting one on a value that is not an object makes it an object, `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            var members = objectValue ?? [:]
            members[key] = newValue
            self = .object(members)
        }
    }
}
