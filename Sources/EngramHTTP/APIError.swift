import EngramCore
import Foundation
import Hummingbird

/// The one error a client of the HTTP API sees: `{"error": {"code": …, "message": …}}` with a status that follows
/// from the stable code. Every error a route throws becomes one of these in ``ErrorMiddleware``.
public struct APIError: HTTPResponseError, Sendable {
    /// The error as Engram reports it.
    public let error: EngramError
    /// The HTTP status the code maps to.
    public let status: HTTPResponse.Status
    /// Headers the answer carries besides its own, such as `Allow` on a 405.
    public let headers: HTTPFields

    /// The error of `error`'s code, with its status.
    public init(_ error: EngramError, status: HTTPResponse.Status? = nil, headers: HTTPFields = [:]) {
        self.error = error
        self.status = status ?? Self.status(for: error.code)
        self.headers = headers
    }

    /// The status of each stable code: 400 for a request that is not JSON of the right shape, 422 for values the
    /// rules refuse, 404 for what does not exist for this user, 409 for a conflict, 429 for too many failed
    /// authentications, 503 for what a retry may fix, 507 for a full disk.
    public static func status(for code: EngramError.Code) -> HTTPResponse.Status {
        switch code {
        case .malformedRequest: .badRequest
        case .unauthenticated: .unauthorized
        case .permissionDenied: .forbidden
        case .userNotFound, .agentNotFound, .sessionNotFound, .memoryNotFound, .messageNotFound, .factNotFound,
            .linkNotFound, .moduleNotFound, .keyNotFound, .routeNotFound:
            .notFound
        case .alreadyExists, .messageOutOfOrder: .conflict
        case .requestTooLarge: .contentTooLarge
        case .emptyContent, .contentTooLarge, .invalidArgument, .invalidEnumValue, .invalidVector, .invalidIdentifier,
            .malformedImport:
            .unprocessableContent
        case .databaseUnavailable, .schemaOutdated, .schemaTooNew, .databaseReadOnly: .serviceUnavailable
        case .rateLimited: .tooManyRequests
        case .diskFull: .init(code: 507, reasonPhrase: "Insufficient Storage")
        default: .internalServerError
        }
    }

    /// The JSON body.
    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try WireJSON.encoder().encode(Body(error: .init(code: error.code.rawValue, message: error.message)))
        var headers = self.headers
        headers[.contentType] = "application/json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"engram\"" }
        if status == .serviceUnavailable { headers[.retryAfter] = "1" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
