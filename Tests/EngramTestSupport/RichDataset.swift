import EngramCore
import Foundation
import Testing

/// How many rows of each kind ``buildRichDataset(_:userID:)`` wrote.
struct RichDatasetCounts {
    var agents = 0
    var modules = 0
    var sessions = 0
    var messages = 0
    var workingFacts = 0
    var memories = 0
    var links = 0
    var emotions = 0
    var sessionStates = 0
    var feedback = 0
    var memoryIDs: [String] = []
}

/// A user with rows in every table: agents (personas), modules, sessions, messages, facts, memories with entity, emotion,
/// links, tags and metadata, session state, feedback and (through all of it) audit entries.
@discardableResult
func buildRichDataset(_ h: Harness, userID: String) async throws -> RichDatasetCounts {
    var counts = RichDatasetCounts()
    let store = h.store
    _ = try await store.createUser(
        UserDraft(id: userID, name: "User \(userID)", role: .student, info: .object(["school": .string("North")])))
    _ = try await store.createAgent(
        AgentDraft(
            userID: userID, id: "tutor", name: "Tutor", description: "teaches", instructions: "Be kind.",
            persona: PersonaFields(
                template: "You teach. {modules}", mode: "reactive", loopFrequency: "1m",
                firstMessage: "Shall we start?", imagePath: "tutor.png")))
    _ = try await store.createAgent(AgentDraft(userID: userID, id: "grader", name: "Grader", isActive: false))
    counts.agents = 2
    _ = try await store.createModule(
        ModuleDraft(
            userID: userID, id: "hints", name: "hints", content: "Give a hint before the answer.",
            triggerPattern: "\\bhelp\\b", stagePriority: 10))
    _ = try await store.createModule(
        ModuleDraft(
            userID: userID, id: "grade", name: "grade", description: "scores answers", type: .advanced,
            script: "score(answer)", executionContext: .postResponse, requiresAIInference: true, isActive: false))
    counts.modules = 2
    h.clock.advance(by: 5)
    _ = try await store.createSession(
        SessionDraft(
            userID: userID, id: "lesson-1", agentID: "tutor", title: "Fractions",
            metadata: .object(["grade": .number(5)])))
    _ = try await store.createSession(SessionDraft(userID: userID, id: "lesson-2", title: nil))
    counts.sessions = 2
    var messageIDs: [String] = []
    for (index, text) in ["What is one half plus one quarter?", "It is three quarters.", "Can you show me why?"]
        .enumerated()
    {
        h.clock.advance(by: 7)
        let message = try await store.appendMessage(
            MessageDraft(
                userID: userID, sessionID: "lesson-1", role: index % 2 == 0 ? .user : .assistant, content: text,
                thinking: index == 1 ? "add with common denominator" : nil,
                metadata: .object(["i": .number(Double(index))]), inputTokens: 10 + index, outputTokens: index))
        messageIDs.append(message.id)
    }
    _ = try await store.appendMessage(
        MessageDraft(userID: userID, sessionID: "lesson-2", role: .system, content: "New lesson"))
    counts.messages = 4
    _ = try await store.addFact(
        WorkingFactDraft(
            userID: userID, sessionID: "lesson-1", agentID: "tutor", factType: .goal, content: "learn fractions",
            confidence: 0.9, sourceMessageIDs: [messageIDs[0]], ttl: 2 * hour))
    _ = try await store.addFact(
        WorkingFactDraft(userID: userID, factType: .preference, content: "likes visual examples"))
    counts.workingFacts = 2

    h.clock.advance(by: 60)
    let fractions = try await store.remember(
        MemoryDraft(
            userID: userID, content: "The student struggles with adding fractions", agentID: "tutor",
            sessionID: "lesson-1",
            contentJSON: .object(["topic": .string("fractions")]), summary: "fractions", sector: .episodic,
            contextType: .conversationFact, salience: 0.7, importance: 0.8, tags: ["math", "fractions"],
            keywords: ["fractions"], category: "learning", metadata: .object(["confidence": .number(0.75)]),
            sourceMessageIDs: messageIDs))
    h.clock.advance(by: 60)
    let entity = try await store.remember(
        MemoryDraft(
            userID: userID, content: "Student record in the school system", sector: .semantic,
            contextType: .domainEntity,
            tags: ["record"], entity: EntityReference(system: "sis", id: "\(userID)-1", type: "student"),
            entityData: .object(["grade": .number(5), "class": .string("5B")])))
    h.clock.advance(by: 60)
    let merged = try await store.remember(
        MemoryDraft(
            userID: userID, content: "Student moved to class 5C", sector: .semantic, contextType: .domainEntity,
            entity: EntityReference(system: "sis", id: "\(userID)-1"), entityData: .object(["class": .string("5C")])))
    #expect(merged.action == .merged)
    let method = try await store.remember(
        MemoryDraft(
            userID: userID, content: "Use pizza slices to explain fractions", sector: .procedural,
            contextType: .completedAction, salience: 0.6, parentID: fractions.memory.id))
    let feeling = try await store.remember(
        MemoryDraft(userID: userID, content: "The student felt proud after solving it", sector: .emotional))
    counts.memories = 4
    counts.memoryIDs = [fractions.memory.id, entity.memory.id, method.memory.id, feeling.memory.id]

    _ = try await store.link(
        LinkDraft(
            userID: userID, sourceID: fractions.memory.id, targetID: method.memory.id, type: .ledTo, weight: 0.8,
            metadata: .object(["note": .string("tried it")])))
    _ = try await store.link(
        LinkDraft(userID: userID, sourceID: method.memory.id, targetID: feeling.memory.id, type: .causal, weight: 0.6))
    _ = try await store.link(
        LinkDraft(
            userID: userID, sourceID: entity.memory.id, targetID: fractions.memory.id, type: .belongsTo, weight: 0.3))
    counts.links = 3
    _ = try await store.setEmotion(
        Emotion(
            memoryID: feeling.memory.id, userID: userID, valence: 0.8, arousal: 0.6, dominance: 0.4,
            discreteEmotions: ["pride": 0.9], primaryEmotion: "pride", confidence: 0.7, updatedAt: h.now))
    counts.emotions = 1
    _ = try await store.setState(
        SessionStateKey(userID: userID, sessionID: "lesson-1", agentID: "tutor", module: "curriculum", key: "unit"),
        value: .object(["unit": .number(3), "done": .array([.number(1), .number(2)])]))
    counts.sessionStates = 1
    _ = try await store.feedback(
        userID: userID, memoryID: method.memory.id, query: "how to explain fractions", useful: true)
    counts.feedback = 1
    h.clock.advance(by: 60)
    _ = try await store.recall(RecallQuery(userID: userID, text: "fractions", reinforce: true))
    // Written after the answer: done before the caller copies, restores or reopens the file.
    await store.flushReinforcements()
    return counts
}
