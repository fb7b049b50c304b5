import EngramCore
import Foundation
import MCP

/// What a tool call answers: a short summary for the model to read, and the Engram records as JSON
/// (`structuredContent`, always an object) for programs.
struct ToolOutput: Sendable {
    var summary: String
    var structured: Value

    /// A summary and the records of `payload`, which must encode as a JSON object.
    init(_ summary: String, _ payload: some Encodable) throws {
        self.summary = summary
        self.structured = try Self.value(of: payload)
    }

    /// The `tools/call` result.
    var result: CallTool.Result {
        CallTool.Result(
            // Optional: a plain value would pick the SDK's throwing initializer that encodes any Codable.
            content: [.text(text: summary, annotations: nil, _meta: nil)], structuredContent: Optional(structured),
            isError: false)
    }

    /// An Engram error as a tool result the model can act on: `isError`, and `code: message` as text.
    static func failure(_ error: EngramError) -> CallTool.Result {
        CallTool.Result(
            content: [.text(text: "\(error.code.rawValue): \(error.message)", annotations: nil, _meta: nil)],
            structuredContent: Optional(
                ["error": ["code": .string(error.code.rawValue), "message": .string(error.message)]] as Value),
            isError: true)
    }

    /// `payload` as a JSON value: dates as ISO-8601 text, like the CLI's `--json`; strings shielded from the SDK's
    /// data URLs (``DataURLShield``).
    static func value(of payload: some Encodable) throws -> Value {
        Value(engram: DataURLShield.shield(try json(of: payload)))
    }

    /// `payload` as Engram's JSON value, dates as ISO-8601 text.
    static func json(of payload: some Encodable) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try JSONDecoder().decode(JSONValue.self, from: encoder.encode(payload))
    }
}

extension Value {
    /// The same JSON, as an MCP value; whole numbers become integers.
    init(engram json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = Int(exactly: number).map(Value.int) ?? .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map { Value(engram: $0) })
        case .object(let members): self = .object(members.mapValues { Value(engram: $0) })
        }
    }
}
