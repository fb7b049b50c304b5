import EngramCore
import Foundation
import Hummingbird

/// JSON as the API speaks it: the same keys as Engram's `Codable` models (and the CLI's `--json`), and dates in
/// ISO 8601 with milliseconds, as they are stored. Decoding also accepts dates without fractional seconds.
public enum WireJSON {
    /// The encoder of every response body.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Self.dateStyle))
        }
        return encoder
    }

    /// The decoder of every request body. A date that is not ISO 8601 is a value the rules refuse
    /// (`invalid_argument`), as it is in a query.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = Self.date(text) { return date }
            throw EngramError(
                .invalidArgument,
                "\(subject(decoder.codingPath)) must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z.")
        }
        return decoder
    }

    static let dateStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// An ISO 8601 date-time, with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: dateStyle)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }

    /// Encodes responses with ``WireJSON/encoder()``.
    public struct ResponseEncoder: Hummingbird.ResponseEncoder {
        public init() {}

        public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws
            -> Response
        {
            let data = try WireJSON.encoder().encode(value)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(data: data)))
        }
    }

    /// Decodes request bodies with ``WireJSON/decoder()``, refusing bodies over the server's limit.
    public struct RequestDecoder: Hummingbird.RequestDecoder {
        public init() {}

        public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext)
            async throws -> T
        {
            var request = request
            let buffer = try await request.collectBody(upTo: context.maxUploadSize)
            do {
                return try WireJSON.decoder().decode(T.self, from: Data(buffer: buffer))
            } catch let error as DecodingError {
                throw EngramError(.malformedRequest, WireJSON.describe(error))
            }
        }
    }

    /// A part of a body by its path, as a message's subject: `The field 'memories.[2].validFrom'`, or `The body`.
    static func subject(_ keys: [any CodingKey]) -> String {
        keys.isEmpty
            ? "The body"
            : "The field '" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "'"
    }

    /// What is wrong with a body, by field path; never the body's content.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "\(subject(context.codingPath + [key])) is required; see /openapi.json."
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(subject(context.codingPath)) has the wrong type; see /openapi.json."
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "The body is not valid JSON; send a JSON object with Content-Type: application/json."
                : "\(subject(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "The body does not match the operation's schema; see /openapi.json."
        }
    }
}

/// A value sent back as JSON with a status (200 unless given).
struct Reply<Value: Encodable & Sendable>: ResponseGenerator {
    var value: Value
    var status: HTTPResponse.Status = .ok

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try WireJSON.encoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
