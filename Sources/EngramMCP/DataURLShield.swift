import EngramCore
import Foundation
import MCP

/// Keeps strings that begin with `data:` the text they are, in tool arguments and in tool results.
///
/// The MCP SDK (0.12.1) decodes every JSON string that parses as a data URL (`data:[type][;base64],…`, which
/// includes plain text such as "data: backups run nightly, at 2am") into binary data: it would refuse or rewrite such
/// a memory on the way in, and rewrite it as base64 on the way out (the server re-decodes every result). So a string
/// that begins with `data:` or with the marker crosses the SDK with the marker in front, which no data URL has:
/// ``ServingTransport`` shields the arguments of incoming `tools/call`s and ``ToolArguments`` takes the marker off;
/// ``ToolOutput`` shields the structured results and ``ServingTransport`` takes it off outgoing messages. Messages
/// with no such string pass byte for byte.
enum DataURLShield {
    /// A private-use character: the marker in front of a shielded string.
    static let marker: Unicode.Scalar = "\u{F8FF}"

    /// `message` (one JSON-RPC message or a batch) with the argument strings of its tool calls shielded.
    static func shieldArguments(in message: Data) -> Data {
        rewrite(message) { json in
            switch json {
            case .array(let batch): .array(batch.map(shieldCall))
            default: shieldCall(json)
            }
        }
    }

    /// `message` with every shielded string as it was.
    static func unshieldStrings(in message: Data) -> Data {
        // Most messages hold no marker (its UTF-8 bytes): they are not parsed.
        guard message.range(of: Data(String(marker).utf8)) != nil else { return message }
        return rewrite(message, unshield)
    }

    /// Every string of `json` that begins with `data:` or the marker, shielded.
    static func shield(_ json: JSONValue) -> JSONValue {
        switch json {
        case .string(let string) where string.hasPrefix("data:") || string.unicodeScalars.first == marker:
            .string(String(marker) + string)
        case .array(let items): .array(items.map(shield))
        case .object(let members): .object(members.mapValues(shield))
        case .null, .bool, .number, .string: json
        }
    }

    /// The string as it was before ``shield(_:)``.
    static func unshield(_ string: String) -> String {
        string.unicodeScalars.first == marker ? String(string.unicodeScalars.dropFirst()) : string
    }

    /// The JSON as it was before ``shield(_:)``.
    static func unshield(_ json: JSONValue) -> JSONValue {
        switch json {
        case .string(let string): .string(unshield(string))
        case .array(let items): .array(items.map(unshield))
        case .object(let members): .object(members.mapValues(unshield))
        case .null, .bool, .number: json
        }
    }

    /// A `tools/call` request with its arguments shielded; any other message as it is.
    private static func shieldCall(_ message: JSONValue) -> JSONValue {
        guard case .object(var members) = message, members["method"] == .string(CallTool.name),
            case .object(var parameters)? = members["params"], let arguments = parameters["arguments"]
        else { return message }
        parameters["arguments"] = shield(arguments)
        members["params"] = .object(parameters)
        return .object(members)
    }

    /// `message` rewritten by `change`, or the same bytes when nothing changed (or it is not JSON).
    private static func rewrite(_ message: Data, _ change: (JSONValue) -> JSONValue) -> Data {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: message) else { return message }
        let changed = change(json)
        guard changed != json, let data = try? JSONEncoder().encode(changed) else { return message }
        return data
    }
}
