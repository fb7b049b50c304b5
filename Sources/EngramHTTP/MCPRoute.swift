import EngramCore
import EngramMCP
import Foundation
import HTTPTypes
import Hummingbird
import MCP
import ServiceLifecycle

extension EngramServer {
    /// `/mcp`: MCP over streamable HTTP, behind the same keys as `/v1`. A user key acts as its user; an admin key
    /// names the user with `?user=ID`. The tools never take a user.
    func registerMCP(on table: RouteTable) {
        let endpoint = mcp
        for method in [HTTPRequest.Method.get, .post, .delete] {
            table.on(method, "mcp") { request, context in
                let userID = try Self.mcpUser(request, context)
                var request = request
                let body = try await request.collectBody(upTo: context.maxUploadSize)
                let response = await endpoint.handle(
                    MCP.HTTPRequest(
                        method: request.method.rawValue, headers: Self.headers(of: request),
                        body: body.readableBytes > 0 ? Data(buffer: body) : nil, path: request.uri.path),
                    userID: userID)
                return Self.response(response)
            }
        }
    }

    /// The user an MCP request acts for.
    static func mcpUser(_ request: Request, _ context: EngramRequestContext) throws -> String {
        let named = request.uri.queryParameters.get("user")
        switch try context.authenticated() {
        case .user(let own):
            guard named == nil || named == own else {
                throw EngramError(
                    .permissionDenied, "This API key acts for another user; drop ?user= or use that user's key.")
            }
            return own
        case .admin:
            guard let named else {
                throw EngramError(.invalidArgument, "An admin key names the user of its MCP session: /mcp?user=ID.")
            }
            return named
        }
    }

    /// The request's headers as the MCP SDK reads them, `Host` included.
    static func headers(of request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        for field in request.headers {
            headers[field.name.canonicalName] =
                headers[field.name.canonicalName].map { $0 + ", " + field.value }
                ?? field.value
        }
        if let authority = request.head.authority { headers["Host"] = authority }
        return headers
    }

    /// The SDK's answer as a Hummingbird response; a stream stays a stream (server-sent events).
    static func response(_ response: MCP.HTTPResponse) -> Response {
        var headers = HTTPFields()
        for (name, value) in response.headers {
            if let name = HTTPField.Name(name) { headers[name] = value }
        }
        let status = HTTPResponse.Status(code: response.statusCode)
        switch response {
        case .stream(let stream, _):
            return Response(
                status: status, headers: headers, body: ResponseBody(asyncSequence: stream.map { ByteBuffer(data: $0) })
            )
        default:
            return Response(
                status: status, headers: headers,
                body: response.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(data: $0)) } ?? ResponseBody())
        }
    }
}

/// Ends every MCP session when the server begins to shut down, so that open event streams let the HTTP server
/// drain. Put it after the application in the service group: groups shut down in reverse order.
public struct MCPSessionsService: Service {
    let endpoint: MCPHTTPEndpoint

    public init(_ endpoint: MCPHTTPEndpoint) {
        self.endpoint = endpoint
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await endpoint.shutdown()
    }
}
