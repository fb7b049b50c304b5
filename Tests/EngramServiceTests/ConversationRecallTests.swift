import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// Conversation-aware recall, on both drivers: stemming in the full-text engines, a turn indexed with its
/// neighbouring turns and its day (re-indexed as later turns arrive), and the speaker boost.
@Suite struct ConversationRecallTests {
    /// Each turn appended as a message and remembered as a memory drawn from it, as an agent writes a chat.
    @discardableResult
    private func turn(
        _ h: Harness, _ sessionID: String, _ speaker: String, _ text: String, at date: Date? = nil
    ) async throws -> Memory {
        let message = try await h.store.appendMessage(
            MessageDraft(
                userID: "alice", sessionID: sessionID, role: .user, content: "\(speaker): \(text)",
                metadata: .object(["speaker": .string(speaker)]), createdAt: date))
        return try await h.store.remember(
            MemoryDraft(
                userID: "alice", content: "\(speaker): \(text)", sessionID: sessionID, sector: .episodic,
                metadata: .object(["speaker": .string(speaker)]), sourceMessageIDs: [message.id])
        ).memory
    }

    private func textMatches(_ h: Harness, _ query: String) async throws -> [String] {
        try await h.peek("alice", query, k: 20).filter { $0.matchedBy.contains("text") }.map(\.memory.id)
    }

    /// The vector `memoryID` is stored with (the harness's one model).
    private func storedVector(_ h: Harness, _ memoryID: String) async throws -> [Float]? {
        try await h.store.export(userID: "alice").compactMap { record -> [Float]? in
            if case .embedding(let row) = record, row.memoryID == memoryID { return row.vector }
            return nil
        }.first
    }

    /// Alice's user and session "chat", with a question and its answer as its first two turns.
    private func paintingTurns(_ h: Harness) async throws -> (question: Memory, answer: Memory) {
        try await h.user()
        try await h.session("alice", id: "chat")
        let question = try await turn(h, "chat", "Melanie", "What did you paint last weekend?")
        return (question, try await turn(h, "chat", "Caroline", "A sunset over the lake."))
    }

    /// The vector of a memory with `content` drawn from the turn after `preceding`.
    private func turnVector(_ content: String, after preceding: String) -> [Float] {
        let embedder = HashingEmbedder()
        return MemoryService.turnVector(
            own: embedder.vector(content), inContext: embedder.vector("\(preceding)\n\(content)"))
    }

    @Test(arguments: Backend.allCases)
    func aTurnsVectorEmbedsTheTurnBeforeIt(backend: Backend) async throws {
        let h = try Harness(backend)
        let embedder = HashingEmbedder()
        let (question, answer) = try await paintingTurns(h)
        let loose = try await h.remember("alice", "A sunset over the sea.")
        #expect(
            try await storedVector(h, answer.id)
                == turnVector("Caroline: A sunset over the lake.", after: "Melanie: What did you paint last weekend?"))
        // The first turn of a session, and a memory drawn from no turn, embed their own words.
        #expect(try await storedVector(h, question.id) == embedder.vector(question.content))
        #expect(try await storedVector(h, loose.id) == embedder.vector(loose.content))
        // New content is embedded after the same turn.
        _ = try await h.store.updateMemory(
            userID: "alice", id: answer.id, MemoryPatch(content: "Caroline: A sunrise over the lake."))
        #expect(
            try await storedVector(h, answer.id)
                == turnVector("Caroline: A sunrise over the lake.", after: "Melanie: What did you paint last weekend?"))
    }

    @Test(arguments: Backend.allCases)
    func anImportWithoutVectorsEmbedsATurnAfterTheImportedTurnBeforeIt(backend: Backend) async throws {
        let source = try Harness(backend)
        let answer = try await paintingTurns(source).answer
        let original = try #require(try await storedVector(source, answer.id))
        let records = try await source.store.export(userID: "alice").filter {
            if case .embedding = $0 { false } else { true }
        }
        let target = try Harness(backend)
        target.clock.set(source.now)
        _ = try await target.store.importRecords(records, scope: .allUsers)
        #expect(try await storedVector(target, answer.id) == original)
        #expect(original != HashingEmbedder().vector(answer.content))
    }

    @Test(arguments: Backend.allCases)
    func anObservedTurnsVectorEmbedsTheTurnBeforeIt(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session("alice", id: "chat")
        let embedder = HashingEmbedder()
        h.clock.advance(by: 60)
        let first = try await h.store.observe(
            ObservationDraft(userID: "alice", sessionID: "chat", speaker: "Bob", content: "Where are you flying?"))
        h.clock.advance(by: 60)
        let second = try await h.store.observe(
            ObservationDraft(userID: "alice", sessionID: "chat", speaker: "Alice", content: "To Lisbon on Friday."))
        let firstMemory = first.memory
        let secondMemory = second.memory
        #expect(try await storedVector(h, firstMemory.id) == embedder.vector(firstMemory.content))
        #expect(
            try await storedVector(h, secondMemory.id)
                == turnVector(secondMemory.content, after: "Where are you flying?"))
    }

    @Test(arguments: Backend.allCases)
    func stemmingMatchesInflectedForms(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let target = try await h.remember("alice", "Caroline went running with her dogs every morning")
        try await h.remember("alice", "The library opens at nine")
        #expect(try await textMatches(h, "does she run with a dog?") == [target.id])
        #expect(try await textMatches(h, "runs").contains(target.id))
        #expect(try await textMatches(h, "library opening").contains(target.id) == false)
    }

    @Test(arguments: Backend.allCases)
    func aNeighbouringTurnsWordsFindATurn(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session("alice", id: "chat")
        try await h.session("alice", id: "other")
        let adopted = try await turn(h, "chat", "Caroline", "I adopted a puppy from the shelter last week.")
        try await turn(h, "chat", "Melanie", "That's wonderful! What did you call her?")
        let named = try await turn(h, "chat", "Caroline", "Her name is Biscuit.")
        let elsewhere = try await turn(h, "other", "Melanie", "My car needs new tyres.")
        // "puppy" is two turns before "Her name is Biscuit": within its context, not its words.
        let puppy = try await textMatches(h, "puppy")
        #expect(puppy.contains(named.id))
        #expect(!puppy.contains(elsewhere.id))
        // A later turn re-indexes the turns before it.
        #expect(try await textMatches(h, "retriever").isEmpty)
        try await turn(h, "chat", "Melanie", "Biscuit sounds like a golden retriever name.")
        #expect(try await textMatches(h, "retriever").contains(named.id))
        // Three turns away is outside the context.
        #expect(try await textMatches(h, "retriever").contains(adopted.id) == false)
        #expect(try await textMatches(h, "tyres") == [elsewhere.id])
    }

    @Test(arguments: Backend.allCases)
    func anImportedConversationIsIndexedAgain(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session("alice", id: "chat")
        try await turn(h, "chat", "Caroline", "I adopted a puppy from the shelter last week.")
        try await turn(h, "chat", "Melanie", "What did you call her?")
        let named = try await turn(h, "chat", "Caroline", "Her name is Biscuit.")
        let copy = try Harness(backend)
        _ = try await copy.store.importRecords(try await h.store.export(userID: "alice"), scope: .user("alice"))
        #expect(try await textMatches(copy, "puppy").contains(named.id))
    }

    @Test(arguments: Backend.allCases)
    func aTurnIsFoundByItsDay(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session("alice", id: "chat")
        let date = try #require(ISO8601DateFormatter().date(from: "2023-05-08T13:56:00Z"))
        let said = try await turn(h, "chat", "Caroline", "I went to a support group today.", at: date)
        #expect(try await textMatches(h, "what happened on 8 May 2023").contains(said.id))
        let late = await #expect(throws: EngramError.self) {
            try await turn(h, "chat", "Caroline", "Earlier?", at: date.addingTimeInterval(-60))
        }
        #expect(late?.code == .messageOutOfOrder)
    }

    @Test(arguments: Backend.allCases)
    func theSpeakerBoostAppliesOnlyWhenTheQueryNamesTheSpeaker(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session("alice", id: "chat")
        let caroline = try await turn(h, "chat", "Caroline", "painting sunsets calms me down")
        let melanie = try await turn(h, "chat", "Melanie", "painting sunsets is my favourite hobby")
        let boost = EngramConfiguration().recall.speakerBoost
        let named = try await h.peek("alice", "what does Melanie say about painting sunsets")
        #expect(named.first { $0.memory.id == melanie.id }?.score.boost == boost)
        #expect(named.first { $0.memory.id == caroline.id }?.score.boost == 0)
        let unnamed = try await h.peek("alice", "painting sunsets")
        #expect(unnamed.count == 2)
        #expect(unnamed.allSatisfy { $0.score.boost == 0 })
        for result in named + unnamed {
            let s = result.score
            let share = EngramConfiguration().recall.vectorShare
            #expect(abs(s.similarity - min(1, share * s.vectorNormalised + (1 - share) * s.text + s.boost)) < 1e-9)
        }
    }
}
