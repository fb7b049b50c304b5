import HTTPTypes
import Hummingbird

/// Answers a request for a path the API serves, with a method that path does not take, with 405 and an `Allow`
/// header naming the methods it does take (Hummingbird's router answers 404 for those). Added after every route, so
/// that it runs only where the router found nothing.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = EngramRequestContext

    /// A route path split into segments (`{…}` matches any one segment), and the `Allow` value of its methods.
    let templates: [(segments: [Substring], allow: String)]

    init(routes: [RouteSignature]) {
        templates = Dictionary(grouping: routes, by: \.path).map { path, routes in
            (path.split(separator: "/"), routes.map { $0.method.uppercased() }.sorted().joined(separator: ", "))
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let segments = request.uri.path.split(separator: "/")
        // The most specific template, as the router would pick it: a literal segment before a parameter.
        let matching = templates.filter { Self.matches($0.segments, segments) }
        guard
            let template = matching.max(by: {
                Self.specificity($0.segments).lexicographicallyPrecedes(Self.specificity($1.segments))
            })
        else {
            return try await next(request, context)
        }
        throw HTTPError(.methodNotAllowed, headers: [.allow: template.allow])
    }

    static func isParameter(_ segment: Substring) -> Bool {
        segment.hasPrefix("{") && segment.hasSuffix("}")
    }

    static func matches(_ template: [Substring], _ segments: [Substring]) -> Bool {
        template.count == segments.count
            && zip(template, segments).allSatisfy { isParameter($0) || $0 == $1 }
    }

    /// Literal segments weigh more the earlier they come.
    static func specificity(_ template: [Substring]) -> [Int] {
        template.map { isParameter($0) ? 0 : 1 }
    }
}
