import Hummingbird

/// A route as the OpenAPI document names it: a method and a path with `{parameter}`s.
public struct RouteSignature: Hashable, Sendable, CustomStringConvertible {
    public var method: String
    public var path: String

    public init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    public var description: String { "\(method) \(path)" }
}

/// Registers routes on a router group and keeps their signatures, so that a test can hold the router's routes
/// against `openapi.json`.
final class RouteTable {
    let group: RouterGroup<EngramRequestContext>
    let prefix: String
    private(set) var signatures: [RouteSignature] = []

    init(_ group: RouterGroup<EngramRequestContext>, prefix: String) {
        self.group = group
        self.prefix = prefix
    }

    /// Adds `path` (relative, with `{parameter}`s) for `method`.
    func on(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @Sendable @escaping (Request, EngramRequestContext) async throws -> some ResponseGenerator
    ) {
        let routerPath = path.split(separator: "/").map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : segment
        }.joined(separator: "/")
        group.on(RouterPath(routerPath), method: method, use: handler)
        signatures.append(RouteSignature(method: method.rawValue.lowercased(), path: prefix + "/" + path))
    }
}
