import EngramCore
import Foundation
import Hummingbird

/// The context of one request: Hummingbird's, plus who the request acts as once ``AuthMiddleware`` has checked
/// its key.
public struct EngramRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who the request acts as; `nil` until authenticated (and on the routes that need no key).
    public var principal: Principal?
    /// The largest request body read, in bytes; ``APIMiddleware`` sets the server's.
    public var maxUploadSize: Int
    /// The IP address of the connection's other end (`local` over a unix socket or when unknown): the client's, or
    /// a reverse proxy's (``HTTPServerConfiguration/trustedProxies``).
    public let peerAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress ?? "local"
        self.principal = nil
        self.maxUploadSize = HTTPServerConfiguration.defaultMaxBodyBytes
    }

    public var requestDecoder: WireJSON.RequestDecoder { .init() }
    public var responseEncoder: WireJSON.ResponseEncoder { .init() }

    /// The principal, or `unauthenticated`.
    func authenticated() throws -> Principal {
        guard let principal else {
            throw EngramError(.unauthenticated, "Send an API key: Authorization: Bearer engram_… (engram keys create).")
        }
        return principal
    }

    /// The path parameter `name`, percent-decoded: the router hands path segments over as they were sent.
    func parameter(_ name: String) throws -> String {
        guard let value = try parameters.require(name).removingPercentEncoding else {
            throw EngramError(.invalidIdentifier, "The \(name) id in the path is not valid percent-encoding.")
        }
        return value
    }

    /// The `{user}` of the path, once the principal may act on it: a user key names its own user only.
    func user() throws -> String {
        let principal = try authenticated()
        let user = try parameter("user")
        guard principal.mayAct(on: user) else {
            throw EngramError(
                .permissionDenied, "This API key acts for another user; use that user's key or an admin key.")
        }
        return user
    }

    /// Nothing, once the principal is the administrator.
    func requireAdmin() throws {
        guard try authenticated() == .admin else {
            throw EngramError(.permissionDenied, "Only an admin key may do this (engram keys create --admin).")
        }
    }
}
