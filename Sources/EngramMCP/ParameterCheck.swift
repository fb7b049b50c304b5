import Foundation
import MCP

/// Requests whose parameters are not what their method takes, answered with -32602 (invalid params) before the SDK
/// sees them: the SDK decodes a handler's parameters itself and answers a failure with -32603 (internal error),
/// which reports a client's mistake as the server's.
enum ParameterCheck {
    /// For each method Engram's servers answer: the answer to a request of it whose parameters do not decode.
    private static let rejections: [String: @Sendable (Data, ID) -> Data?] = [
        Initialize.name: rejection(Initialize.self), ListTools.name: rejection(ListTools.self),
        CallTool.name: rejection(CallTool.self), ListResources.name: rejection(ListResources.self),
        ReadResource.name: rejection(ReadResource.self),
    ]

    private static func rejection<M: MCP.Method>(_: M.Type) -> @Sendable (Data, ID) -> Data? {
        { data, id in
            guard (try? JSONDecoder().decode(Request<M>.self, from: data)) == nil else { return nil }
            let error = MCPError.invalidParams(
                "The params of \(M.name) are not what it takes; see the MCP specification, and tools/list for each tool's arguments."
            )
            return try? JSONEncoder().encode(M.response(id: id, error: error))
        }
    }

    /// The fields every request has.
    private struct Envelope: Decodable {
        var id: ID
        var method: String
    }

    /// The answer to `data` when it is a request of one of those methods whose parameters do not decode; else `nil`
    /// (other messages, batches included, go to the SDK as they are).
    static func rejection(of data: Data) -> Data? {
        guard let request = try? JSONDecoder().decode(Envelope.self, from: data),
            let rejection = rejections[request.method]
        else { return nil }
        return rejection(data, request.id)
    }
}
