import EngramCore
import Foundation
import HTTPTypes
import Testing

@testable import EngramHTTP
@testable import EngramTestSupport

/// Every `/v1` route refuses a request without a key or with a wrong one, refuses a user key on another user's
/// path, and refuses a user key on the admin's routes.
@Suite struct AuthorizationTests {
    /// The routes only an admin key may call.
    static let adminRoutes: Set<String> = [
        "get /v1/users", "post /v1/users", "get /v1/keys", "post /v1/keys",
        "delete /v1/keys/{key}", "post /v1/import",
    ]

    /// A concrete path for a route: `{user}` becomes `user`, every other parameter `x`.
    static func path(_ route: RouteSignature, user: String) -> String {
        route.path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment == "{user}" ? user : segment.hasPrefix("{") ? "x" : String(segment)
        }.joined(separator: "/")
    }

    static func method(_ route: RouteSignature) -> HTTPRequest.Method {
        HTTPRequest.Method(route.method.uppercased())!
    }

    @Test func everyV1RouteNeedsAValidKey() async throws {
        let fixture = try await APIFixture(.sqlite)
        let routes = fixture.server.router().routes.filter { $0.path.hasPrefix("/v1/") }
        #expect(routes.count > 40)
        try await fixture.test { api in
            for route in routes {
                let path = Self.path(route, user: "alice")
                let bare = try await api.call(Self.method(route), path, key: nil, body: "{}")
                #expect(bare.status == .unauthorized, "\(route) without a key")
                #expect(bare.errorCode == "unauthenticated", "\(route) without a key")
                #expect(bare.headers[.wwwAuthenticate] != nil)
                let wrong = try await api.call(Self.method(route), path, key: "engram_not-a-real-key", body: "{}")
                #expect(wrong.status == .unauthorized, "\(route) with a wrong key")
                #expect(wrong.errorCode == "unauthenticated", "\(route) with a wrong key")
            }
        }
    }

    @Test func aUserKeyNeverReachesAnotherUser() async throws {
        let fixture = try await APIFixture(.sqlite)
        let memory = try await fixture.service.remember(MemoryDraft(userID: "alice", content: "alice's secret plan"))
        let routes = fixture.server.router().routes.filter { $0.path.hasPrefix("/v1/users/{user}") }
        try await fixture.test { api in
            for route in routes {
                let path = Self.path(route, user: "alice").replacingOccurrences(of: "/x", with: "/\(memory.memory.id)")
                let reply = try await api.call(Self.method(route), path, key: fixture.bob, body: "{}")
                #expect(reply.status == .forbidden, "\(route) with bob's key on alice")
                #expect(reply.errorCode == "permission_denied", "\(route) with bob's key on alice")
                #expect(!reply.text.contains("secret plan"))
            }
        }
        // Nothing bob's key tried changed alice's memory.
        let after = try await fixture.service.memory(userID: "alice", id: memory.memory.id)
        #expect(after.content == "alice's secret plan")
        #expect(after.validTo == nil)
        #expect(try await fixture.service.user("alice").id == "alice")
    }

    @Test func aUserKeyCannotUseTheAdminRoutes() async throws {
        let fixture = try await APIFixture(.sqlite)
        let routes = fixture.server.router().routes.filter { Self.adminRoutes.contains($0.description) }
        #expect(routes.count == Self.adminRoutes.count)
        try await fixture.test { api in
            for route in routes {
                let reply = try await api.call(
                    Self.method(route), Self.path(route, user: "alice"), key: fixture.alice,
                    body: #"{"id": "mallory", "name": "k"}"#)
                #expect(reply.status == .forbidden, "\(route) with alice's key")
                #expect(reply.errorCode == "permission_denied")
            }
        }
        #expect(try await fixture.service.users().map(\.id) == ["alice", "bob"])
    }

    @Test func aRevokedKeyStopsWorking() async throws {
        let fixture = try await APIFixture(.sqlite)
        try await fixture.test { api in
            #expect(try await api.call(.get, "/v1/users/alice", key: fixture.alice).status == .ok)
            let keys = try await api.call(.get, "/v1/keys?user=alice", key: fixture.admin)
            let id = try #require(keys.json["items"]?[0]?["id"]?.string)
            #expect(try await api.call(.delete, "/v1/keys/\(id)", key: fixture.admin).status == .ok)
            let refused = try await api.call(.get, "/v1/users/alice", key: fixture.alice)
            #expect(refused.status == .unauthorized)
        }
    }

    @Test func theXAPIKeyHeaderWorksLikeBearer() async throws {
        let fixture = try await APIFixture(.sqlite)
        try await fixture.test { api in
            let response = try await api.client.executeRequest(
                uri: "/v1/users/alice", method: .get, headers: [AuthMiddleware.apiKeyHeader: fixture.alice], body: nil)
            #expect(response.status == .ok)
        }
    }

    /// After `authenticationFailureBurst` failed authentications, a client is refused with 429 `rate_limited` and
    /// a `Retry-After`, before its key is looked at: a valid key too, until a token is back (one per second; none
    /// comes back within this test, whose refill rate is one per 10,000 s).
    @Test func aClientThatKeepsFailingAuthenticationIsRateLimited() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.authenticationFailureBurst = 3
        configuration.authenticationFailuresPerSecond = 0.0001
        let fixture = try await APIFixture(.sqlite, configuration: configuration)
        try await fixture.test { api in
            // Valid keys take no token.
            for _ in 0..<5 { #expect(try await api.call(.get, "/v1/users/alice", key: fixture.alice).status == .ok) }
            for key in [nil, "engram_not-a-real-key", fixture.alice + "x"] {
                let refused = try await api.call(.get, "/v1/users/alice", key: key)
                #expect(refused.status == .unauthorized)
                #expect(refused.errorCode == "unauthenticated")
            }
            for key in ["engram_not-a-real-key", fixture.alice] {
                let limited = try await api.call(.get, "/v1/users/alice", key: key)
                #expect(limited.status == .tooManyRequests)
                #expect(limited.errorCode == "rate_limited")
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            }
        }
    }

    /// Behind a trusted proxy, each client `X-Forwarded-For` names has a limit of its own; from any other peer the
    /// header changes nothing. (A live server: the peer is 127.0.0.1.)
    @Test func behindATrustedProxyEachClientHasItsOwnLimit() async throws {
        for trusted in [true, false] {
            var configuration = HTTPServerConfiguration()
            configuration.authenticationFailureBurst = 2
            configuration.authenticationFailuresPerSecond = 0.0001
            configuration.trustedProxies = trusted ? ["127.0.0.1"] : []
            let fixture = try await APIFixture(.sqlite, configuration: configuration)
            // Three from one client (the third over its limit), that client again with an address of its own
            // choosing written before, then another client: its own limit only behind a trusted proxy.
            let cases: [(String, HTTPResponse.Status)] = [
                ("203.0.113.7", .unauthorized), ("203.0.113.7", .unauthorized), ("203.0.113.7", .tooManyRequests),
                ("198.51.100.9, 203.0.113.7", .tooManyRequests),
                ("198.51.100.9", trusted ? .unauthorized : .tooManyRequests),
            ]
            try await fixture.test(.live) { api in
                for (client, expected) in cases {
                    let headers: HTTPFields = [ClientAddress.forwardedFor: client]
                    let reply = try await api.call(.get, "/v1/users/alice", key: "engram_wrong", headers: headers)
                    #expect(reply.status == expected, "X-Forwarded-For: \(client), proxy trusted: \(trusted)")
                }
            }
        }
    }

    @Test func withoutKeysEveryRequestIsTheAdmins() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.requiresAPIKeys = false
        let fixture = try await APIFixture(.sqlite, configuration: configuration)
        try await fixture.test { api in
            let users = try await api.call(.get, "/v1/users", key: nil)
            #expect(users.status == .ok)
        }
    }
}
