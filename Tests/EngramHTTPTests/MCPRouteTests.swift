import EngramCore
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import EngramTestSupport

/// `/mcp` behind the API keys: a session belongs to the key's user, and no other key can use it.
@Suite struct MCPRouteTests {
    static let initialize = #"""
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
         "capabilities": {}, "clientInfo": {"name": "engram-tests", "version": "1"}}}
        """#

    func post(_ api: APIClient, key: String?, session: String? = nil, query: String = "", body: String) async throws
        -> APIReply
    {
        var headers: HTTPFields = [.contentType: "application/json", .accept: "application/json, text/event-stream"]
        if let key { headers[.authorization] = "Bearer \(key)" }
        if let session { headers[HTTPField.Name("Mcp-Session-Id")!] = session }
        let response = try await api.client.executeRequest(
            uri: "/mcp\(query)", method: .post, headers: headers, body: ByteBuffer(string: body))
        return APIReply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    @Test func aSessionBelongsToItsKeysUser() async throws {
        let fixture = try await APIFixture(.sqlite)
        try await fixture.test(.live) { api in
            #expect(try await post(api, key: nil, body: Self.initialize).status == .unauthorized)
            let started = try await post(api, key: fixture.alice, body: Self.initialize)
            #expect(started.status == .ok)
            let session = try #require(started.headers[HTTPField.Name("Mcp-Session-Id")!])
            let list = #"{"jsonrpc": "2.0", "id": 2, "method": "tools/list"}"#
            let stolen = try await post(api, key: fixture.bob, session: session, body: list)
            #expect(stolen.status == .notFound)
            let other = try await post(api, key: fixture.bob, query: "?user=alice", body: Self.initialize)
            #expect(other.status == .forbidden)
            let admin = try await post(api, key: fixture.admin, body: Self.initialize)
            #expect(admin.errorCode == "invalid_argument")
            #expect(try await post(api, key: fixture.admin, query: "?user=bob", body: Self.initialize).status == .ok)
        }
    }
}
