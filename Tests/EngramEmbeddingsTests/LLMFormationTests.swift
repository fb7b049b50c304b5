import EngramCore
import Foundation
import Testing

@testable import EngramEmbeddings
@testable import EngramTestSupport

/// `observe` with the LLM extractor, on SQLite.
@Suite struct LLMFormationTests {
    @Test func observeStoresTheFactsTheModelExtracted() async throws {
        try await withServer { server in
            server.enqueue(.chat(OpenAIChatExtractorTests.answer))
            let observation = try await withClient(server) { client in
                let extractor = FallbackExtractor(
                    primary: OpenAIChatExtractor(client: client), fallback: HeuristicExtractor())
                let clock = ManualClock()
                let store = try makeStore(.sqlite, clock: clock, configuration: .init(), extractor: extractor)
                let h = Harness(store: store, clock: clock)
                try await h.user("alice")
                try await h.session("alice", id: "s1")
                return try await store.observe(
                    ObservationDraft(
                        userID: "alice", sessionID: "s1", speaker: "Caroline",
                        content: OpenAIChatExtractorTests.turn.text))
            }
            #expect(server.requests.count == 1)
            #expect(observation.extraction == .complete)
            #expect(
                observation.facts.map(\.content) == [
                    "Caroline went to an LGBTQ support group in New York City on 2023-05-07.",
                    "Anna is Caroline's sister.",
                ])
            #expect(observation.facts.first?.entityKeys == ["caroline", "new york city"])
            #expect(observation.facts.first?.parts?.predicate == "went_to")
            let entityNames = observation.entities.compactMap { $0.entity?.id }
            #expect(entityNames.contains("new york city"))
        }
    }
}
