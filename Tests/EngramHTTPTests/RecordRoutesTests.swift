import EngramCore
import Foundation
import Testing

@testable import EngramHTTP
@testable import EngramTestSupport

/// Statistics, the audit log, maintenance, export and import, erasure; and the operational routes.
@Suite struct RecordRoutesTests {
    @Test func statsAuditAndMaintenance() async throws {
        let fixture = try await APIFixture(.sqlite)
        for index in 0..<4 {
            _ = try await fixture.service.remember(MemoryDraft(userID: "alice", content: "memory \(index)"))
        }
        try await fixture.test { api in
            let stats = try await api.call(.get, "/v1/users/alice/stats", key: fixture.alice)
            #expect(stats.json["memories"]?.number == 4)
            var lines: [Double] = []
            var cursor: String?
            repeat {
                let query = cursor.map { "&cursor=\($0)" } ?? ""
                let page = try await api.call(.get, "/v1/users/alice/audit?limit=3\(query)", key: fixture.alice)
                lines += page.json["items"]?.array?.compactMap { $0["id"]?.number } ?? []
                cursor = page.json["nextCursor"]?.string
            } while cursor != nil && lines.count < 50
            #expect(lines.count >= 4)
            #expect(lines == lines.sorted(by: >))
            #expect(Set(lines).count == lines.count)

            let empty = try await api.call(.post, "/v1/users/alice/maintenance", key: fixture.alice)
            #expect(empty.status == .ok)
            #expect(empty.json["decayed"]?.number != nil)
            let custom = try await api.call(
                .post, "/v1/users/alice/maintenance", key: fixture.alice, body: #"{"removeOrphans": false}"#)
            #expect(custom.status == .ok)
        }
    }

    @Test(arguments: Backend.allCases)
    func exportImportAndErase(backend: Backend) async throws {
        let source = try await APIFixture(backend)
        _ = try await source.service.createUser(UserDraft(id: "dora"))
        _ = try await source.service.remember(MemoryDraft(userID: "dora", content: "Dora keeps bees"))
        let export = try await source.test { api in
            let reply = try await api.call(.get, "/v1/users/dora/export", key: source.admin)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "application/x-ndjson")
            return reply.text
        }
        #expect(export.split(separator: "\n").count >= 3)
        #expect(export.contains("Dora keeps bees"))

        let target = try await APIFixture(backend)
        try await target.test { api in
            // A user's key imports only that user's rows; dora's file needs the admin's import.
            let refused = try await api.call(
                .post, "/v1/users/bob/import", key: target.bob, body: export, contentType: "application/x-ndjson")
            #expect(refused.status == .unprocessableContent)
            let imported = try await api.call(
                .post, "/v1/import", key: target.admin, body: export, contentType: "application/x-ndjson")
            #expect(imported.status == .ok)
            #expect(imported.json["imported"]?["memories"]?.number == 1)
            let malformed = try await api.call(
                .post, "/v1/import", key: target.admin, body: "{not json\n", contentType: "application/x-ndjson")
            #expect(malformed.errorCode == "malformed_import")

            let erase = try await api.call(.delete, "/v1/users/bob", key: target.admin)
            #expect(erase.json["userID"]?.string == "bob")
            #expect(erase.json["deleted"]?["api_keys"]?.number == 1)
            #expect(try await api.call(.get, "/v1/users/bob", key: target.bob).status == .unauthorized)
        }
        let memories = try await target.service.memories(userID: "dora", filters: .init(), limit: 10, offset: 0)
        #expect(memories.map(\.content) == ["Dora keeps bees"])
        await #expect(throws: EngramError.self) { try await target.service.user("bob") }
    }

    @Test func healthReadyMetricsAndDocument() async throws {
        let fixture = try await APIFixture(.sqlite)
        try await fixture.test { api in
            let health = try await api.call(.get, "/health", key: nil)
            #expect(health.status == .ok)
            #expect(health.json["status"]?.string == "ok")
            #expect(health.json["backend"]?.string == "sqlite")
            let starting = try await api.call(.get, "/ready", key: nil)
            #expect(starting.status == .serviceUnavailable)
            fixture.server.readiness.markPrepared()
            #expect(try await api.call(.get, "/ready", key: nil).status == .ok)
            let metrics = try await api.call(.get, "/metrics", key: nil)
            #expect(metrics.status == .ok)
            let document = try await api.call(.get, "/openapi.json", key: nil)
            #expect(document.json["openapi"]?.string?.hasPrefix("3.1") == true)
        }
    }

    @Test func errorsHaveOneShapeAndTheRightStatus() async throws {
        var configuration = HTTPServerConfiguration()
        configuration.maxBodyBytes = 2048
        let fixture = try await APIFixture(.sqlite, configuration: configuration)
        try await fixture.test { api in
            let cases: [(APIReply, Int, String)] = [
                (
                    try await api.call(.post, "/v1/users/alice/memories", key: fixture.alice, body: "{"), 400,
                    "malformed_request"
                ),
                (
                    try await api.call(.post, "/v1/users/alice/memories", key: fixture.alice, body: "{}"), 400,
                    "malformed_request"
                ),
                (
                    try await api.call(.post, "/v1/users/alice/memories", key: fixture.alice, body: #"{"content": 5}"#),
                    400, "malformed_request"
                ),
                (
                    try await api.call(
                        .post, "/v1/users/alice/memories", key: fixture.alice, body: #"{"content": " "}"#), 422,
                    "empty_content"
                ),
                (
                    try await api.call(
                        .post, "/v1/users/alice/memories", key: fixture.alice,
                        body: #"{"content": "x", "sector": "nope"}"#), 422, "invalid_enum_value"
                ),
                (
                    try await api.call(
                        .post, "/v1/users/alice/memories", key: fixture.alice, body: String(repeating: "x", count: 4096)
                    ), 413, "request_too_large"
                ),
                (
                    try await api.call(.get, "/v1/users/alice/memories/missing", key: fixture.alice), 404,
                    "memory_not_found"
                ),
                (try await api.call(.get, "/v1/nowhere", key: fixture.alice), 404, "route_not_found"),
                (
                    try await api.call(.post, "/v1/users/alice/sessions", key: fixture.alice, body: #"{"id": "s"}"#),
                    201, ""
                ),
                (
                    try await api.call(.post, "/v1/users/alice/sessions", key: fixture.alice, body: #"{"id": "s"}"#),
                    409, "already_exists"
                ),
                (try await api.call(.get, "/v1/users/ghost", key: fixture.admin), 404, "user_not_found"),
            ]
            for (reply, status, code) in cases where status >= 400 {
                #expect(reply.status.code == status, "\(code): \(reply.text)")
                #expect(reply.errorCode == code, "\(reply.text)")
                #expect(reply.json["error"]?["message"]?.string?.isEmpty == false)
                #expect(reply.headers[.contentType] == "application/json")
            }
        }
        #expect(try await fixture.service.memories(userID: "alice", filters: .init(), limit: 10, offset: 0).isEmpty)
    }

    @Test func aRealSocketServesTheSameAPI() async throws {
        let fixture = try await APIFixture(.sqlite)
        try await fixture.test(.live) { api in
            let created = try await api.call(
                .post, "/v1/users/alice/memories", key: fixture.alice, body: #"{"content": "Alice sails on Sundays"}"#)
            #expect(created.status == .created)
            let recall = try await api.call(
                .post, "/v1/users/alice/recall", key: fixture.alice, body: #"{"query": "sailing"}"#)
            #expect(recall.json["results"]?[0]?["memory"]?["content"]?.string == "Alice sails on Sundays")
            let denied = try await api.call(
                .post, "/v1/users/alice/recall", key: fixture.bob, body: #"{"query": "sailing"}"#)
            #expect(denied.status == .forbidden)
            #expect(!denied.text.contains("Sundays"))
            let wrong = try await api.call(.get, "/v1/users/alice", key: "engram_wrong")
            #expect(wrong.status == .unauthorized)
        }
    }
}
