import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// Personas (agents with persona fields) and their modules over HTTP.
@Suite struct ModuleRoutesTests {
    @Test(arguments: Backend.allCases)
    func personaFieldsTravelOnTheAgentRoutes(backend: Backend) async throws {
        let fixture = try await APIFixture(backend)
        try await fixture.test { api in
            let created = try await api.call(
                .post, "/v1/users/alice/agents", key: fixture.alice,
                body: #"""
                    {"id": "ava", "name": "Ava", "template": "You are Ava.", "mode": "autonomous",
                     "loopFrequency": "5m", "firstMessage": "Hi!", "imagePath": "ava.png"}
                    """#)
            #expect(created.status == .created)
            #expect(created.json["template"]?.string == "You are Ava.")
            #expect(created.json["loopFrequency"]?.string == "5m")
            let patched = try await api.call(
                .patch, "/v1/users/alice/agents/ava", key: fixture.alice,
                body: #"{"mode": "reactive", "imagePath": ""}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["mode"]?.string == "reactive")
            #expect(patched.json["imagePath"] == nil)
            #expect(patched.json["firstMessage"]?.string == "Hi!")
            let shown = try await api.call(.get, "/v1/users/alice/agents/ava", key: fixture.alice)
            #expect(shown.json == patched.json)
            let tooLong = try await api.call(
                .patch, "/v1/users/alice/agents/ava", key: fixture.alice,
                body: #"{"mode": "\#(String(repeating: "m", count: 51))"}"#)
            #expect(tooLong.status == .unprocessableContent)
        }
    }

    @Test(arguments: Backend.allCases)
    func modulesAreCreatedListedMatchedChangedAndDeleted(backend: Backend) async throws {
        let fixture = try await APIFixture(backend)
        try await fixture.test { api in
            let memory = try await api.call(
                .post, "/v1/users/alice/modules", key: fixture.alice,
                body:
                    #"{"id": "memory", "name": "memory", "content": "Recall first.", "triggerPattern": "remember", "stagePriority": 10}"#
            )
            #expect(memory.status == .created)
            #expect(memory.json["type"]?.string == "simple")
            #expect(memory.json["executionContext"]?.string == "immediate")
            let journal = try await api.call(
                .post, "/v1/users/alice/modules", key: fixture.alice,
                body: #"""
                    {"id": "journal", "name": "journal", "type": "advanced", "script": "log(turn)",
                     "triggerPattern": "\\b(remember|note)\\b", "executionContext": "post_response",
                     "requiresAIInference": true}
                    """#)
            #expect(journal.status == .created)
            #expect(journal.json["stagePriority"]?.number == 100)
            #expect(journal.json["requiresAIInference"] == .bool(true))

            let duplicate = try await api.call(
                .post, "/v1/users/alice/modules", key: fixture.alice, body: #"{"name": "memory", "content": "x"}"#)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "already_exists")
            let badRegex = try await api.call(
                .post, "/v1/users/alice/modules", key: fixture.alice,
                body: #"{"name": "bad", "content": "x", "triggerPattern": "(oops"}"#)
            #expect(badRegex.status == .unprocessableContent)
            #expect(badRegex.errorCode == "invalid_argument")
            let badContext = try await api.call(
                .post, "/v1/users/alice/modules", key: fixture.alice,
                body: #"{"name": "bad", "content": "x", "executionContext": "later"}"#)
            #expect(badContext.errorCode == "invalid_enum_value")

            let listed = try await api.call(.get, "/v1/users/alice/modules", key: fixture.alice)
            #expect(listed.json["items"]?.array?.compactMap { $0["id"]?.string } == ["memory", "journal"])
            let matched = try await api.call(
                .post, "/v1/users/alice/modules/match", key: fixture.alice,
                body: #"{"text": "Please REMEMBER this"}"#)
            #expect(matched.status == .ok)
            #expect(matched.json["modules"]?.array?.compactMap { $0["id"]?.string } == ["memory", "journal"])

            let paused = try await api.call(
                .patch, "/v1/users/alice/modules/memory", key: fixture.alice, body: #"{"isActive": false}"#)
            #expect(paused.json["isActive"] == .bool(false))
            let active = try await api.call(.get, "/v1/users/alice/modules", key: fixture.alice)
            #expect(active.json["items"]?.array?.compactMap { $0["id"]?.string } == ["journal"])
            let all = try await api.call(.get, "/v1/users/alice/modules?includeInactive=true", key: fixture.alice)
            #expect(all.json["items"]?.array?.count == 2)
            let rematched = try await api.call(
                .post, "/v1/users/alice/modules/match", key: fixture.alice, body: #"{"text": "remember"}"#)
            #expect(rematched.json["modules"]?.array?.compactMap { $0["id"]?.string } == ["journal"])

            // Another user's key sees nothing of alice's modules.
            let foreign = try await api.call(.get, "/v1/users/alice/modules/memory", key: fixture.bob)
            #expect(foreign.status == .forbidden)
            let bobs = try await api.call(.get, "/v1/users/bob/modules/memory", key: fixture.bob)
            #expect(bobs.status == .notFound)
            #expect(bobs.errorCode == "module_not_found")

            #expect(try await api.call(.delete, "/v1/users/alice/modules/memory", key: fixture.alice).status == .ok)
            let gone = try await api.call(.get, "/v1/users/alice/modules/memory", key: fixture.alice)
            #expect(gone.errorCode == "module_not_found")
        }
    }
}
