import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// Long-term memory over HTTP: remember, bulk, read, update, forget, list by pages, recall, links, emotions,
/// feedback.
@Suite struct MemoryRoutesTests {
    @Test(arguments: Backend.allCases)
    func rememberRecallUpdateForget(backend: Backend) async throws {
        let fixture = try await APIFixture(backend)
        try await fixture.test { api in
            let created = try await api.call(
                .post, "/v1/users/alice/memories", key: fixture.alice,
                body: #"{"content": "Alice drinks green tea every morning", "tags": ["habit"], "sector": "episodic"}"#)
            #expect(created.status == .created)
            #expect(created.json["action"]?.string == "created")
            let id = try #require(created.json["memory"]?["id"]?.string)
            #expect(created.json["memory"]?["userID"]?.string == "alice")

            let again = try await api.call(
                .post, "/v1/users/alice/memories", key: fixture.alice,
                body: #"{"content": "Alice drinks green tea every morning"}"#)
            #expect(again.status == .ok)
            #expect(again.json["action"]?.string == "reinforced")

            let recall = try await api.call(
                .post, "/v1/users/alice/recall", key: fixture.alice,
                body: #"{"query": "what does alice drink", "k": 3, "sectors": ["episodic"]}"#)
            #expect(recall.status == .ok)
            #expect(recall.json["results"]?[0]?["memory"]?["id"]?.string == id)
            #expect(recall.json["results"]?[0]?["score"]?["composite"]?.number != nil)
            #expect(recall.json["results"]?[0]?["matchedBy"]?.array?.isEmpty == false)

            let bobs = try await api.call(
                .post, "/v1/users/bob/recall", key: fixture.bob, body: #"{"query": "green tea"}"#)
            #expect(bobs.json["results"]?.array?.isEmpty == true)

            let patched = try await api.call(
                .patch, "/v1/users/alice/memories/\(id)", key: fixture.alice, body: #"{"importance": 0.9}"#)
            #expect(patched.json["importance"]?.number == 0.9)
            #expect(
                try await api.call(.get, "/v1/users/alice/memories/\(id)", key: fixture.alice).json["importance"]?
                    .number == 0.9)
            #expect(try await api.call(.get, "/v1/users/bob/memories/\(id)", key: fixture.bob).status == .notFound)

            let forgot = try await api.call(.delete, "/v1/users/alice/memories/\(id)?mode=hard", key: fixture.alice)
            #expect(forgot.json["mode"]?.string == "hard")
            let gone = try await api.call(.get, "/v1/users/alice/memories/\(id)", key: fixture.alice)
            #expect(gone.status == .notFound)
            #expect(gone.errorCode == "memory_not_found")
        }
    }

    @Test func bulkCreateAndPagesVisitEveryMemoryOnce() async throws {
        let fixture = try await APIFixture(.sqlite)
        try await fixture.test { api in
            let items = (0..<7).map { #"{"content": "fact number \#($0)", "tags": ["bulk"]}"# }
            let bulk = try await api.call(
                .post, "/v1/users/alice/memories/bulk", key: fixture.alice,
                body: #"{"memories": [\#(items.joined(separator: ","))]}"#)
            #expect(bulk.status == .ok)
            #expect(bulk.json["outcomes"]?.array?.count == 7)

            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = cursor.map { "&cursor=\($0)" } ?? ""
                let page = try await api.call(
                    .get, "/v1/users/alice/memories?limit=3&tag=bulk\(query)", key: fixture.alice)
                #expect(page.status == .ok)
                seen += page.json["items"]?.array?.compactMap { $0["id"]?.string } ?? []
                cursor = page.json["nextCursor"]?.string
                #expect(page.json["nextCursor"] != nil)
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen.count == 7)
            #expect(Set(seen).count == 7)

            let bad = try await api.call(.get, "/v1/users/alice/memories?cursor=bogus", key: fixture.alice)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorCode == "invalid_argument")
            let limit = try await api.call(.get, "/v1/users/alice/memories?limit=0", key: fixture.alice)
            #expect(limit.errorCode == "invalid_argument")
        }
    }

    @Test func bulkCreateIsOneTransaction() async throws {
        let fixture = try await APIFixture(.sqlite)
        try await fixture.test { api in
            let reply = try await api.call(
                .post, "/v1/users/alice/memories/bulk", key: fixture.alice,
                body: #"{"memories": [{"content": "fine"}, {"content": "bad", "salience": 7}]}"#)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.errorCode == "invalid_argument")
        }
        #expect(try await fixture.service.memories(userID: "alice", filters: .init(), limit: 10, offset: 0).isEmpty)
    }

    @Test func linksNeighboursEmotionsAndFeedback() async throws {
        let fixture = try await APIFixture(.sqlite)
        let first = try await fixture.service.remember(MemoryDraft(userID: "alice", content: "Alice moved to Lisbon"))
        let second = try await fixture.service.remember(
            MemoryDraft(userID: "alice", content: "Alice learns Portuguese"))
        let a = first.memory.id
        let b = second.memory.id
        try await fixture.test { api in
            let link = try await api.call(
                .post, "/v1/users/alice/links", key: fixture.alice,
                body: #"{"sourceID": "\#(a)", "targetID": "\#(b)", "type": "causal", "weight": 0.8}"#)
            #expect(link.status == .created)
            #expect(link.json["type"]?.string == "causal")
            let neighbours = try await api.call(
                .get, "/v1/users/alice/memories/\(a)/neighbours?depth=1&type=causal", key: fixture.alice)
            #expect(neighbours.json["items"]?[0]?["memory"]?["id"]?.string == b)
            #expect(neighbours.json["items"]?[0]?["depth"]?.number == 1)
            let unlinked = try await api.call(
                .delete, "/v1/users/alice/links?sourceID=\(a)&targetID=\(b)", key: fixture.alice)
            #expect(unlinked.json["removed"]?.number == 1)

            #expect(
                try await api.call(.get, "/v1/users/alice/memories/\(a)/emotion", key: fixture.alice).text == "null")
            let emotion = try await api.call(
                .put, "/v1/users/alice/memories/\(a)/emotion", key: fixture.alice,
                body: #"{"valence": 0.6, "arousal": 0.4, "dominance": 0.5, "primaryEmotion": "joy"}"#)
            #expect(emotion.status == .ok)
            let read = try await api.call(.get, "/v1/users/alice/memories/\(a)/emotion", key: fixture.alice)
            #expect(read.json["primaryEmotion"]?.string == "joy")

            let feedback = try await api.call(
                .post, "/v1/users/alice/memories/\(a)/feedback", key: fixture.alice,
                body: #"{"useful": true, "query": "where does alice live"}"#)
            #expect(feedback.status == .created)
            #expect(feedback.json["useful"] == .bool(true))
        }
    }
}
