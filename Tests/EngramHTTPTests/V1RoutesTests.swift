import EngramCore
import EngramHTTP
import EngramSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The API's answers at its edges, as schemathesis found them: ids in the path, methods a path does not take,
/// values a body cannot hold.
@Suite struct V1RoutesTests {
    /// Runs `body` against the router of a server on a fresh SQLite file, keys not required.
    static func withServer(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "engram-http-tests-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let driver = try SQLiteDriver(path: directory.appendingPathComponent("engram.sqlite").path, access: .create)
        defer { try? driver.close() }
        var configuration = HTTPServerConfiguration()
        configuration.requiresAPIKeys = false
        let server = EngramServer(service: MemoryService(driver: driver), configuration: configuration)
        try await Application(router: server.router().router).test(.router, body)
    }

    /// The `code` of an error answer.
    static func code(_ response: TestResponse) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return try #require((object?["error"] as? [String: Any])?["code"] as? String)
    }

    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test func pathParametersArePercentDecoded() async throws {
        try await Self.withServer { client in
            try await client.execute(uri: "/v1/users", method: .post, body: Self.json(#"{"id": "a b/c"}"#)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/v1/users/a%20b%2Fc", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""id":"a b/c""#))
            }
        }
    }

    @Test func aServedPathAnswersAnotherMethodWith405AndAllow() async throws {
        try await Self.withServer { client in
            try await client.execute(uri: "/v1/users", method: .put) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, POST")
                let code = try Self.code(response)
                #expect(code == "route_not_found")
            }
            // The literal segment wins over `{memory}`, as in the router.
            try await client.execute(uri: "/v1/users/alice/memories/bulk", method: .get) {
                #expect($0.status == .methodNotAllowed)
                #expect($0.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/health", method: .delete) { #expect($0.headers[.allow] == "GET") }
            try await client.execute(uri: "/v1/nothing", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func bodyValuesTheModelCannotHoldAreRefusedAs422() async throws {
        try await Self.withServer { client in
            try await client.execute(uri: "/v1/users", method: .post, body: Self.json(#"{"id": "alice"}"#))
            let recall = #"{"query": "x", "createdAfter": "yesterday"}"#
            try await client.execute(uri: "/v1/users/alice/recall", method: .post, body: Self.json(recall)) {
                response in
                let code = try Self.code(response)
                #expect(response.status == .unprocessableContent && code == "invalid_argument")
                #expect(String(buffer: response.body).contains("'createdAfter'"))
            }
            for vector in ["[1e300]", "[1e-300]"] {
                let body = Self.json(#"{"content": "x", "embedding": \#(vector)}"#)
                try await client.execute(uri: "/v1/users/alice/memories", method: .post, body: body) { response in
                    let code = try Self.code(response)
                    #expect(response.status == .unprocessableContent && code == "invalid_vector")
                }
            }
            try await client.execute(uri: "/v1/users/alice/memories/bulk", method: .post, body: Self.json("0")) {
                #expect($0.status == .badRequest)
                #expect(String(buffer: $0.body).contains("The body has the wrong type"))
            }
            let fact = #"{"content": "x", "ttlSeconds": 1e300}"#
            try await client.execute(uri: "/v1/users/alice/facts", method: .post, body: Self.json(fact)) { response in
                let code = try Self.code(response)
                #expect(code == "invalid_argument")
            }
        }
    }

    @Test func aCursorBeyondAnyPositionIsInvalidArgument() async throws {
        try await Self.withServer { client in
            try await client.execute(uri: "/v1/users", method: .post, body: Self.json(#"{"id": "alice"}"#))
            // "c1:9223372036854775807", as the API would encode it: offset + limit overflowed and stopped the server.
            let cursor = "YzE6OTIyMzM3MjAzNjg1NDc3NTgwNw"
            try await client.execute(uri: "/v1/users/alice/sessions?cursor=\(cursor)", method: .get) { response in
                let code = try Self.code(response)
                #expect(response.status == .unprocessableContent && code == "invalid_argument")
            }
        }
    }

    @Test func emptyBatchesStillNameAUserThatMustBeValid() async throws {
        try await Self.withServer { client in
            let empty = Self.json(#"{"memories": []}"#)
            try await client.execute(uri: "/v1/users/nobody/memories/bulk", method: .post, body: empty) { response in
                let code = try Self.code(response)
                #expect(response.status == .notFound && code == "user_not_found")
            }
            let long = String(repeating: "x", count: 300)
            try await client.execute(uri: "/v1/users/\(long)/import", method: .post) { response in
                let code = try Self.code(response)
                #expect(response.status == .unprocessableContent && code == "invalid_identifier")
            }
        }
    }
}
