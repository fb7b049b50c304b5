import EngramCore
import Hummingbird
import Logging

/// Sets the body limit, and turns every error a route throws into an ``APIError``: Engram's codes keep theirs,
/// Hummingbird's HTTP errors get a code of their status, and anything else is logged (without request content)
/// and answered as a 500 `storage_failure` that says nothing about internals.
struct APIMiddleware: RouterMiddleware {
    typealias Context = EngramRequestContext
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.maxUploadSize = maxBodyBytes
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as EngramError {
            throw APIError(error)
        } catch let error as HTTPError {
            throw APIError(Self.engramError(status: error.status), status: error.status, headers: error.headers)
        } catch let error as any HTTPResponseError {
            throw APIError(Self.engramError(status: error.status), status: error.status)
        } catch {
            context.logger.error(
                "request failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            throw APIError(
                EngramError(
                    .storageFailure,
                    "The server failed to complete the request; nothing was changed. Retry, and see the server log if it persists."
                ))
        }
    }

    /// The code of an HTTP error Hummingbird raised before a route ran.
    static func engramError(status: HTTPResponse.Status) -> EngramError {
        switch status {
        case .notFound:
            EngramError(.routeNotFound, "No such route; the API is under /v1 and described at /openapi.json.")
        case .methodNotAllowed:
            EngramError(.routeNotFound, "This route does not take this method; see /openapi.json.")
        case .contentTooLarge:
            EngramError(
                .requestTooLarge,
                "The request body is over the server's limit; send less per request (bulk routes take batches).")
        default:
            EngramError(.malformedRequest, "The request is malformed (HTTP \(status.code)); see /openapi.json.")
        }
    }
}
