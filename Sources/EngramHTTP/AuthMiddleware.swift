import EngramCore
import HTTPTypes
import Hummingbird

/// Finds who a request acts as from its API key (`Authorization: Bearer engram_…`, or `X-API-Key`), or refuses
/// it with 401 `unauthenticated`. With keys not required (loopback only), every request acts as the admin.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = EngramRequestContext
    let service: MemoryService
    let requiresAPIKeys: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if requiresAPIKeys {
            guard let secret = Self.secret(in: request.headers) else {
                throw EngramError(
                    .unauthenticated, "Send an API key: Authorization: Bearer engram_… (engram keys create).")
            }
            context.principal = try await service.authenticate(secret: secret)
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
