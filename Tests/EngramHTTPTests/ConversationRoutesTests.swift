import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// Users, agents, sessions, messages, active context, module state and working facts over HTTP.
@Suite struct ConversationRoutesTests {
    @Test(arguments: Backend.allCases)
    func usersAndAgents(backend: Backend) async throws {
        let fixture = try await APIFixture(backend)
        try await fixture.test { api in
            let created = try await api.call(
                .post, "/v1/users", key: fixture.admin,
                body: #"{"id": "carol", "name": "Carol", "info": {"tz": "UTC"}}"#)
            #expect(created.status == .created)
            // Creating a user is idempotent: the same id again answers 200 and the user unchanged.
            let again = try await api.call(
                .post, "/v1/users", key: fixture.admin, body: #"{"id": "carol", "name": "Other"}"#)
            #expect(again.status == .ok)
            #expect(again.json["name"]?.string == "Carol")
            let users = try await api.call(.get, "/v1/users?limit=2", key: fixture.admin)
            #expect(users.json["items"]?.array?.count == 2)
            #expect(users.json["nextCursor"]?.string != nil)
            let renamed = try await api.call(
                .patch, "/v1/users/alice", key: fixture.alice, body: #"{"name": "Alice A."}"#)
            #expect(renamed.json["name"]?.string == "Alice A.")

            let agent = try await api.call(
                .post, "/v1/users/alice/agents", key: fixture.alice,
                body: #"{"name": "planner", "instructions": "Plan."}"#)
            #expect(agent.status == .created)
            let agentID = try #require(agent.json["id"]?.string)
            #expect(
                try await api.call(.get, "/v1/users/alice/agents", key: fixture.alice).json["items"]?.array?.count == 1)
            let updated = try await api.call(
                .patch, "/v1/users/alice/agents/\(agentID)", key: fixture.alice, body: #"{"isActive": false}"#)
            #expect(updated.json["isActive"] == .bool(false))
            #expect(try await api.call(.get, "/v1/users/alice/agents/\(agentID)", key: fixture.alice).status == .ok)
            #expect(try await api.call(.delete, "/v1/users/alice/agents/\(agentID)", key: fixture.alice).status == .ok)
            #expect(
                try await api.call(.get, "/v1/users/alice/agents/\(agentID)", key: fixture.alice).status == .notFound)
        }
    }

    @Test(arguments: Backend.allCases)
    func sessionsMessagesContextStateAndFacts(backend: Backend) async throws {
        let fixture = try await APIFixture(backend)
        try await fixture.test { api in
            let session = try await api.call(
                .post, "/v1/users/alice/sessions", key: fixture.alice, body: #"{"id": "s1", "title": "Trip"}"#)
            #expect(session.status == .created)
            for turn in 1...5 {
                let message = try await api.call(
                    .post, "/v1/users/alice/sessions/s1/messages", key: fixture.alice,
                    body: #"{"role": "\#(turn % 2 == 1 ? "user" : "assistant")", "content": "turn \#(turn)"}"#)
                #expect(message.status == .created)
            }
            var contents: [String] = []
            var cursor: String?
            repeat {
                let query = cursor.map { "&cursor=\($0)" } ?? ""
                let page = try await api.call(
                    .get, "/v1/users/alice/sessions/s1/messages?limit=2\(query)", key: fixture.alice)
                contents += page.json["items"]?.array?.compactMap { $0["content"]?.string } ?? []
                cursor = page.json["nextCursor"]?.string
            } while cursor != nil && contents.count < 10
            #expect(contents == ["turn 1", "turn 2", "turn 3", "turn 4", "turn 5"])
            // A replayed turn carries its own time; one earlier than the session's last message is refused.
            let earlier = try await api.call(
                .post, "/v1/users/alice/sessions/s1/messages", key: fixture.alice,
                body: #"{"role": "user", "content": "late", "createdAt": "2020-01-01T00:00:00Z"}"#)
            #expect(earlier.status == .conflict)
            #expect(earlier.errorCode == "message_out_of_order")
            _ = try await api.call(.post, "/v1/users/alice/sessions", key: fixture.alice, body: #"{"id": "replay"}"#)
            let replayed = try await api.call(
                .post, "/v1/users/alice/sessions/replay/messages", key: fixture.alice,
                body: #"{"role": "user", "content": "then", "createdAt": "2023-05-08T13:56:00Z"}"#)
            #expect(replayed.status == .created)
            #expect(replayed.json["createdAt"]?.string?.hasPrefix("2023-05-08T13:56:00") == true)
            _ = try await api.call(.delete, "/v1/users/alice/sessions/replay", key: fixture.alice)

            let context = try await api.call(.get, "/v1/users/alice/sessions/s1/context?turns=2", key: fixture.alice)
            #expect(context.json["messages"]?.array?.compactMap { $0["content"]?.string } == ["turn 4", "turn 5"])

            let renamed = try await api.call(
                .patch, "/v1/users/alice/sessions/s1", key: fixture.alice, body: #"{"title": "Lisbon trip"}"#)
            #expect(renamed.json["title"]?.string == "Lisbon trip")
            #expect(
                try await api.call(.get, "/v1/users/alice/sessions", key: fixture.alice).json["items"]?.array?.count
                    == 1)

            #expect(
                try await api.call(.get, "/v1/users/alice/sessions/s1/state/plan", key: fixture.alice).text == "null")
            let state = try await api.call(
                .put, "/v1/users/alice/sessions/s1/state/plan?module=planner", key: fixture.alice,
                body: #"{"value": {"step": 2}}"#)
            #expect(state.json["value"]?["step"]?.number == 2)
            let read = try await api.call(
                .get, "/v1/users/alice/sessions/s1/state/plan?module=planner", key: fixture.alice)
            #expect(read.json["value"]?["step"]?.number == 2)
            let deleted = try await api.call(
                .delete, "/v1/users/alice/sessions/s1/state/plan?module=planner", key: fixture.alice)
            #expect(deleted.json["deleted"] == .bool(true))

            let fact = try await api.call(
                .post, "/v1/users/alice/facts", key: fixture.alice,
                body: #"{"content": "The user prefers aisle seats", "sessionID": "s1", "factType": "preference"}"#)
            #expect(fact.status == .created)
            let factID = try #require(fact.json["id"]?.string)
            let facts = try await api.call(.get, "/v1/users/alice/facts?sessionID=s1", key: fixture.alice)
            #expect(facts.json["items"]?[0]?["id"]?.string == factID)
            #expect(try await api.call(.delete, "/v1/users/alice/facts/\(factID)", key: fixture.alice).status == .ok)
            #expect(
                try await api.call(.get, "/v1/users/alice/facts", key: fixture.alice).json["items"]?.array?.isEmpty
                    == true)

            #expect(try await api.call(.delete, "/v1/users/alice/sessions/s1", key: fixture.alice).status == .ok)
            let gone = try await api.call(.get, "/v1/users/alice/sessions/s1", key: fixture.alice)
            #expect(gone.errorCode == "session_not_found")
        }
    }
}
