import EngramCore
import Foundation
import Testing

/// One sample of every record kind, with every optional filled and dates in whole seconds.
enum SampleRecords {
    static let t0 = referenceDate
    static let t1 = referenceDate.addingTimeInterval(90)

    static let all: [ExportRecord] = [
        .user(
            User(
                id: "alice", name: "Alice", role: .teacher, info: .object(["lang": .string("en")]), createdAt: t0,
                updatedAt: t1, lastActivityAt: t1,
                counters: UserCounters(memories: 2, links: 1, sessions: 1, messages: 3))),
        .agent(
            Agent(
                id: "a1", userID: "alice", name: "Planner", description: "plans", instructions: "Be brief.",
                persona: PersonaFields(
                    template: "You plan. {modules}", mode: "autonomous", loopFrequency: "5m",
                    firstMessage: "Where to?", imagePath: "images/planner.png"),
                isActive: false, createdAt: t0, updatedAt: t1)),
        .module(
            Module(
                id: "mod1", userID: "alice", name: "weather", description: "checks the weather",
                content: "Mention the forecast.", type: .advanced, triggerPattern: "\\b(rain|sun)\\b",
                script: "print(forecast())", executionContext: .postResponse, requiresAIInference: true,
                stagePriority: 20, isActive: false, createdAt: t0, updatedAt: t1)),
        .session(
            Session(
                id: "s1", userID: "alice", agentID: "a1", title: "Trip", messageCount: 3,
                metadata: .object(["k": .array([.number(1), .bool(true), .null])]), createdAt: t0, lastUpdatedAt: t1)),
        .message(
            Message(
                id: "msg1", userID: "alice", sessionID: "s1", sequence: 1, role: .assistant,
                content: "Hi \"there\"\n/ok",
                thinking: "hmm", metadata: .emptyObject, inputTokens: 12, outputTokens: 34, createdAt: t0)),
        .workingFact(
            WorkingFact(
                id: "f1", userID: "alice", sessionID: "s1", agentID: "a1", factType: .preference,
                content: "likes tea", confidence: 0.75, sourceMessageIDs: ["msg1"], createdAt: t0, updatedAt: t1,
                expiresAt: t1.addingTimeInterval(3600))),
        .memory(
            Memory(
                id: "m1", userID: "alice", agentID: "a1", sessionID: "s1", content: "Alice likes green tea",
                contentJSON: .object(["drink": .string("tea")]), summary: "tea", sector: .semantic,
                contextType: .domainEntity, salience: 0.7, importance: 0.6, strength: 0.9, decayRate: 0.004,
                accessCount: 3, lastAccessedAt: t1, lastReinforcedAt: t1, createdAt: t0, updatedAt: t1, validFrom: t0,
                validTo: t1, tags: ["drinks", "prefs"], keywords: ["tea"], category: "food",
                metadata: .object(["source": .string("chat")]),
                entity: EntityReference(system: "crm", id: "42", type: "person"),
                entityData: .object(["tier": .string("gold")]), entityUpdateCount: 2, parentID: "m0", isAtomic: false,
                sourceMessageIDs: ["msg1"], contentHash: ContentHash.of("Alice likes green tea"))),
        .embedding(
            StoredEmbedding(
                memoryID: "m1", userID: "alice", sector: .semantic, model: "hashing-v1-4", dimension: 4,
                vector: [0.5, -0.5, 0.25, 0.625], createdAt: t0)),
        .link(
            Link(
                id: "l1", userID: "alice", sourceID: "m1", targetID: "m2", type: .dependsOn, weight: 0.35,
                origin: .auto, traversalCount: 4, metadata: .object(["why": .string("x")]), createdAt: t0)),
        .emotion(
            Emotion(
                memoryID: "m1", userID: "alice", valence: -0.25, arousal: 0.5, dominance: 0.125,
                discreteEmotions: ["joy": 0.5, "fear": 0.25], primaryEmotion: "joy", confidence: 0.875, updatedAt: t1)),
        .sessionState(
            SessionState(
                userID: "alice", sessionID: "s1", agentID: "a1", module: "planner", key: "step",
                value: .object(["n": .number(3)]), createdAt: t0, updatedAt: t1)),
        .feedback(Feedback(id: "fb1", userID: "alice", memoryID: "m1", query: "tea?", useful: true, createdAt: t1)),
        .audit(
            AuditEntry(
                id: 17, userID: "alice", actor: "engram", action: "memory.create", targetType: "memory", targetID: "m1",
                beforeDigest: nil, afterDigest: String(repeating: "ab", count: 32), createdAt: t1)),
    ]

    /// The sample of `table`.
    static func record(of table: String) -> ExportRecord {
        all.first { $0.table == table }!
    }
}

@Suite struct ExportCodecTests {
    @Test(arguments: SampleRecords.all)
    func everyRecordKindRoundTrips(record: ExportRecord) throws {
        let line = try ExportCodec.line(record)
        #expect(!line.contains("\n"))
        #expect(line.contains("\"table\":\"\(record.table)\""))
        let decoded = try ExportCodec.record(line, lineNumber: 1)
        #expect(decoded == record)
        #expect(try ExportCodec.line(decoded) == line)
        #expect(record.userID == "alice")
    }

    @Test func everyTableHasItsOwnName() {
        let tables = SampleRecords.all.map(\.table)
        #expect(
            tables == [
                "users", "agents", "modules", "sessions", "messages", "working_facts", "memories", "embeddings",
                "links",
                "emotions",
                "session_state", "feedback", "audit_log",
            ])
    }

    @Test func datesAreIntegerMillisecondsAndKeysSorted() throws {
        let line = try ExportCodec.line(SampleRecords.record(of: "feedback"))
        #expect(line.contains("\"createdAt\":\(Int(referenceDate.timeIntervalSince1970 * 1000 + 90_000))"))
        #expect(line.hasPrefix("{\"row\":"))
    }

    @Test(arguments: [
        "not json at all", "", "[1,2,3]", "{\"row\":{}}", "{\"table\":\"bogus\",\"row\":{}}",
        "{\"table\":\"users\",\"row\":{\"id\":1}}", "{\"table\":\"memories\"}",
    ])
    func malformedLinesNameTheLine(line: String) {
        let error = expectEngramError(.malformedImport) { try ExportCodec.record(line, lineNumber: 7) }
        #expect(error?.message.contains("Line 7") == true)
    }

    @Test func aRowOfTheWrongTableIsMalformed() throws {
        let memoryLine = try ExportCodec.line(SampleRecords.record(of: "memories"))
        let relabelled = memoryLine.replacingOccurrences(of: "\"table\":\"memories\"", with: "\"table\":\"links\"")
        let error = expectEngramError(.malformedImport) { try ExportCodec.record(relabelled, lineNumber: 12) }
        #expect(error?.message.contains("Line 12") == true)
    }
}

extension ExportRecord: CustomTestStringConvertible {
    public var testDescription: String { table }
}
