import EngramCore
import HTTPTypes
import Hummingbird

/// Finds who a request acts as from its API key (`Authorization: Bearer engram_…`, or `X-API-Key`), or refuses
/// it with 401 `unauthenticated`; a client whose authentications keep failing is refused with 429 `rate_limited`
/// for a while (``FailedAuthentications``), counted by its address (``ClientAddress``). With keys not required
/// (loopback only), every request acts as the admin.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = EngramRequestContext
    let service: MemoryService
    let requiresAPIKeys: Bool
    let failures: FailedAuthentications
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if requiresAPIKeys {
            let client = ClientAddress.resolve(
                peer: context.peerAddress, headers: request.headers, trustedProxies: trustedProxies)
            if let wait = failures.retryAfter(client) {
                let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
                throw APIError(
                    EngramError(
                        .rateLimited,
                        "Too many requests from this address failed authentication; wait \(seconds) s (Retry-After), then send a valid API key."
                    ), headers: [.retryAfter: "\(seconds)"])
            }
            do {
                guard let secret = Self.secret(in: request.headers) else {
                    throw EngramError(
                        .unauthenticated, "Send an API key: Authorization: Bearer engram_… (engram keys create).")
                }
                context.principal = try await service.authenticate(secret: secret)
            } catch let error as EngramError where error.code == .unauthenticated {
                failures.fail(client)
                throw error
            }
        } else {
            context.principal = .admin
        }
        return try await next(request, context)
    }

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    /// The secret of the `Authorization: Bearer` header, else of `X-API-Key`.
    static func secret(in headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
            return nil
        }
        return headers[Self.apiKeyHeader]
    }
}
