import EngramCore
import EngramHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import EngramTestSupport

/// A server over a fresh store of one backend, with three API keys: an admin's, alice's and bob's (both users
/// exist).
struct APIFixture: Sendable {
    let harness: Harness
    let server: EngramServer
    let admin: String
    let alice: String
    let bob: String

    /// The server's settings in tests: failed authentications are not limited, since several tests send bad keys to
    /// every route on purpose (``AuthorizationTests/aClientThatKeepsFailingAuthenticationIsRateLimited()`` tests
    /// the limit).
    static let configuration = {
        var configuration = HTTPServerConfiguration()
        configuration.authenticationFailureBurst = .max
        return configuration
    }()

    init(_ backend: Backend, configuration: HTTPServerConfiguration = APIFixture.configuration) async throws {
        harness = try Harness(backend)
        let service = harness.store
        _ = try await service.createUser(UserDraft(id: "alice"))
        _ = try await service.createUser(UserDraft(id: "bob"))
        admin = try await service.createAPIKey(userID: nil, name: "admin").secret
        alice = try await service.createAPIKey(userID: "alice", name: "alice's agent").secret
        bob = try await service.createAPIKey(userID: "bob", name: "bob's agent").secret
        server = EngramServer(service: service, configuration: configuration)
    }

    var service: MemoryService { harness.store }

    /// Runs `body` with a client of the router (`.router`, no socket) or of a real server on a free port (`.live`).
    func test<T: Sendable>(_ setup: TestingSetup = .router, _ body: @Sendable (APIClient) async throws -> T)
        async throws -> T
    {
        let app = Application(
            router: server.router().router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
        return try await app.test(setup) { client in try await body(APIClient(client: client)) }
    }
}

/// Sends JSON requests and reads JSON answers.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    /// One request; `body` is sent as it is (JSON unless `contentType` says otherwise).
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ path: String, key: String?, body: String? = nil,
        contentType: String = "application/json", headers: HTTPFields = [:]
    ) async throws -> APIReply {
        var headers = headers
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil { headers[.contentType] = contentType }
        let response = try await client.executeRequest(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return APIReply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }
}

/// An answer: status, headers and body.
struct APIReply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    /// The body as JSON (`null` when it is not JSON).
    var json: JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }

    /// The stable error code of an error body.
    var errorCode: String? { json["error"]?["code"]?.string }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}
