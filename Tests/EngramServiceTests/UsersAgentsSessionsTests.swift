import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

@Suite struct UserTests {
    @Test(arguments: Backend.allCases)
    func createAndReadUser(backend: Backend) async throws {
        let h = try Harness(backend)
        let created = try await h.store.createUser(
            UserDraft(id: "alice", name: "Alice", role: .teacher, info: .object(["lang": .string("en")])))
        #expect(created.id == "alice")
        #expect(created.name == "Alice")
        #expect(created.role == .teacher)
        #expect(created.info == .object(["lang": .string("en")]))
        #expect(created.createdAt == h.now)
        #expect(created.counters == UserCounters())
        let read = try await h.store.user("alice")
        #expect(read == created)
    }

    @Test(arguments: Backend.allCases)
    func createUserIsIdempotent(backend: Backend) async throws {
        let h = try Harness(backend)
        let first = try await h.store.createUser(UserDraft(id: "alice", name: "Alice", role: .admin))
        h.clock.advance(by: 60)
        let second = try await h.store.createUser(UserDraft(id: "alice", name: "Someone Else", role: .student))
        #expect(second == first)
        #expect(try await h.store.user("alice") == first)
        #expect(try await h.store.users().count == 1)
    }

    @Test(arguments: Backend.allCases)
    func usersAreListedById(backend: Backend) async throws {
        let h = try Harness(backend)
        for id in ["carol", "alice", "bob"] { try await h.user(id) }
        #expect(try await h.store.users().map(\.id) == ["alice", "bob", "carol"])
    }

    @Test(arguments: Backend.allCases)
    func updateUserChangesOnlyPatchedFields(backend: Backend) async throws {
        let h = try Harness(backend)
        let original = try await h.store.createUser(UserDraft(id: "alice", name: "Alice", role: .user))
        h.clock.advance(by: 120)
        let renamed = try await h.store.updateUser("alice", UserPatch(name: "Alice B."))
        #expect(renamed.name == "Alice B.")
        #expect(renamed.role == .user)
        #expect(renamed.createdAt == original.createdAt)
        #expect(renamed.updatedAt == h.now)
        let promoted = try await h.store.updateUser("alice", UserPatch(role: .admin, info: .object(["x": .number(1)])))
        #expect(promoted.name == "Alice B.")
        #expect(promoted.role == .admin)
        #expect(promoted.info == .object(["x": .number(1)]))
        #expect(try await h.store.user("alice") == promoted)
    }

    @Test(arguments: Backend.allCases)
    func unknownAndInvalidUsers(backend: Backend) async throws {
        let h = try Harness(backend)
        await expectEngramError(.userNotFound) { try await h.store.user("nobody") }
        await expectEngramError(.userNotFound) { try await h.store.updateUser("nobody", UserPatch(name: "x")) }
        await expectEngramError(.userNotFound) { try await h.store.eraseUser("nobody") }
        await expectEngramError(.invalidIdentifier) { try await h.store.createUser(UserDraft(id: "  ")) }
        await expectEngramError(.invalidIdentifier) { try await h.store.createUser(UserDraft(id: "a\u{1}b")) }
        #expect(try await h.store.users().isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func countersFollowRows(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let session = try await h.session()
        try await h.message("alice", session.id, "one")
        try await h.message("alice", session.id, "two")
        try await h.message("alice", session.id, "three")
        let a = try await h.remember("alice", "Alice plays the cello")
        let b = try await h.remember("alice", "Alice lives in Lisbon")
        _ = try await h.store.link(LinkDraft(userID: "alice", sourceID: a.id, targetID: b.id))
        let user = try await h.store.user("alice")
        #expect(user.counters == UserCounters(memories: 2, links: 1, sessions: 1, messages: 3))
        #expect(user.lastActivityAt == h.now)
    }
}

@Suite struct AgentTests {
    @Test(arguments: Backend.allCases)
    func createReadListUpdateAgents(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let planner = try await h.store.createAgent(
            AgentDraft(userID: "alice", id: "planner", name: "Planner", description: "plans", instructions: "Be brief.")
        )
        #expect(planner.id == "planner")
        #expect(planner.userID == "alice")
        #expect(planner.name == "Planner")
        #expect(planner.description == "plans")
        #expect(planner.instructions == "Be brief.")
        #expect(planner.isActive)
        #expect(planner.createdAt == h.now)
        let critic = try await h.store.createAgent(AgentDraft(userID: "alice", name: "Critic"))
        #expect(!critic.id.isEmpty)
        #expect(try await h.store.agent(userID: "alice", id: "planner") == planner)
        #expect(try await h.store.agents(userID: "alice").map(\.name) == ["Critic", "Planner"])

        h.clock.advance(by: 30)
        let updated = try await h.store.updateAgent(
            userID: "alice", id: "planner", AgentPatch(name: "Zed Planner", isActive: false))
        #expect(updated.name == "Zed Planner")
        #expect(!updated.isActive)
        #expect(updated.description == "plans")
        #expect(updated.updatedAt == h.now)
        #expect(try await h.store.agent(userID: "alice", id: "planner") == updated)
        #expect(try await h.store.agents(userID: "alice").map(\.name) == ["Critic", "Zed Planner"])
    }

    @Test(arguments: Backend.allCases)
    func deleteAgentKeepsItsSessionsAndMemories(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let agent = try await h.store.createAgent(AgentDraft(userID: "alice", id: "helper", name: "Helper"))
        let session = try await h.session(agentID: agent.id)
        #expect(session.agentID == "helper")
        let memory = try await h.remember("alice", "The helper found a bug", agentID: agent.id)
        #expect(memory.agentID == "helper")
        let fact = try await h.store.addFact(
            WorkingFactDraft(userID: "alice", sessionID: session.id, agentID: agent.id, content: "It is in parse()"))
        #expect(fact.agentID == "helper")

        try await h.store.deleteAgent(userID: "alice", id: "helper")
        await expectEngramError(.agentNotFound) { try await h.store.agent(userID: "alice", id: "helper") }
        #expect(try await h.store.agents(userID: "alice").isEmpty)
        let keptSession = try await h.store.session(userID: "alice", id: session.id)
        #expect(keptSession.agentID == nil)
        let keptMemory = try await h.store.memory(userID: "alice", id: memory.id)
        #expect(keptMemory.agentID == nil)
        #expect(keptMemory.content == "The helper found a bug")
        let keptFacts = try await h.store.facts(userID: "alice", sessionID: session.id, includeExpired: true)
        #expect(keptFacts.map(\.id) == [fact.id])
        #expect(keptFacts.map(\.agentID) == [nil])
        await expectEngramError(.agentNotFound) { try await h.store.deleteAgent(userID: "alice", id: "helper") }
    }

    @Test(arguments: Backend.allCases)
    func agentErrors(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        await expectEngramError(.userNotFound) {
            try await h.store.createAgent(AgentDraft(userID: "nobody", name: "X"))
        }
        await expectEngramError(.emptyContent) {
            try await h.store.createAgent(AgentDraft(userID: "alice", name: "  "))
        }
        await expectEngramError(.agentNotFound) { try await h.store.agent(userID: "alice", id: "missing") }
        await expectEngramError(.agentNotFound) {
            try await h.store.updateAgent(userID: "alice", id: "missing", AgentPatch(name: "x"))
        }
        _ = try await h.store.createAgent(AgentDraft(userID: "alice", id: "dup", name: "First"))
        await expectEngramError(.alreadyExists) {
            try await h.store.createAgent(AgentDraft(userID: "alice", id: "dup", name: "Second"))
        }
        #expect(try await h.store.agent(userID: "alice", id: "dup").name == "First")
        await expectEngramError(.agentNotFound) {
            try await h.store.createSession(SessionDraft(userID: "alice", agentID: "missing"))
        }
        #expect(try await h.store.sessions(userID: "alice", limit: 10).isEmpty)
    }
}

@Suite struct SessionTests {
    @Test(arguments: Backend.allCases)
    func createReadRenameSession(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        let session = try await h.store.createSession(
            SessionDraft(userID: "alice", id: "s1", title: "Trip", metadata: .object(["k": .string("v")])))
        #expect(session.id == "s1")
        #expect(session.userID == "alice")
        #expect(session.title == "Trip")
        #expect(session.messageCount == 0)
        #expect(session.metadata == .object(["k": .string("v")]))
        #expect(session.createdAt == h.now)
        #expect(try await h.store.session(userID: "alice", id: "s1") == session)

        h.clock.advance(by: 10)
        let renamed = try await h.store.renameSession(userID: "alice", id: "s1", title: "Trip to Porto")
        #expect(renamed.title == "Trip to Porto")
        #expect(try await h.store.session(userID: "alice", id: "s1").title == "Trip to Porto")
        let untitled = try await h.store.renameSession(userID: "alice", id: "s1", title: nil)
        #expect(untitled.title == nil)
        let generated = try await h.session()
        #expect(!generated.id.isEmpty)
        #expect(generated.id != "s1")
    }

    @Test(arguments: Backend.allCases)
    func sessionsAreMostRecentlyUpdatedFirstAndLimited(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        h.clock.advance(by: 10)
        try await h.session(id: "s2")
        h.clock.advance(by: 10)
        try await h.session(id: "s3")
        #expect(try await h.store.sessions(userID: "alice", limit: 10).map(\.id) == ["s3", "s2", "s1"])
        h.clock.advance(by: 10)
        try await h.message("alice", "s1", "hello again")
        let sessions = try await h.store.sessions(userID: "alice", limit: 10)
        #expect(sessions.map(\.id) == ["s1", "s3", "s2"])
        #expect(sessions.first?.lastUpdatedAt == h.now)
        #expect(sessions.first?.messageCount == 1)
        #expect(try await h.store.sessions(userID: "alice", limit: 2).map(\.id) == ["s1", "s3"])
    }

    @Test(arguments: Backend.allCases)
    func deleteSessionRemovesMessagesFactsAndStateButKeepsMemories(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        try await h.session(id: "s2")
        let message = try await h.message("alice", "s1", "I adopted a dog named Rex")
        try await h.message("alice", "s2", "unrelated chat")
        _ = try await h.store.addFact(WorkingFactDraft(userID: "alice", sessionID: "s1", content: "has a dog"))
        let otherFact = try await h.store.addFact(WorkingFactDraft(userID: "alice", sessionID: "s2", content: "other"))
        _ = try await h.store.setState(SessionStateKey(userID: "alice", sessionID: "s1", key: "k"), value: .number(1))
        let memory = try await h.remember(
            "alice", "Alice has a dog named Rex", sessionID: "s1", sourceMessageIDs: [message.id])

        try await h.store.deleteSession(userID: "alice", id: "s1")
        await expectEngramError(.sessionNotFound) { try await h.store.session(userID: "alice", id: "s1") }
        await expectEngramError(.sessionNotFound) {
            try await h.store.messages(userID: "alice", sessionID: "s1", after: 0, limit: 100)
        }
        let facts = try await h.store.facts(userID: "alice", sessionID: nil, includeExpired: true)
        #expect(facts.map(\.id) == [otherFact.id])
        // The state is gone with the session: reading it gives nothing or session_not_found.
        do {
            let state = try await h.store.state(SessionStateKey(userID: "alice", sessionID: "s1", key: "k"))
            #expect(state == nil)
        } catch let error as EngramError {
            #expect(error.code == .sessionNotFound)
        }
        #expect(!(try await h.exportLines()).contains { $0.contains("\"table\":\"session_state\"") })
        let kept = try await h.store.memory(userID: "alice", id: memory.id)
        #expect(kept.content == "Alice has a dog named Rex")
        let stats = try await h.stats()
        #expect(stats.sessions == 1)
        #expect(stats.messages == 1)
        #expect(stats.memories == 1)
        #expect(try await h.store.user("alice").counters.sessions == 1)
        #expect(try await h.store.user("alice").counters.messages == 1)
        #expect(try await h.store.sessions(userID: "alice", limit: 10).map(\.id) == ["s2"])
        await expectEngramError(.sessionNotFound) { try await h.store.deleteSession(userID: "alice", id: "s1") }
    }

    @Test(arguments: Backend.allCases)
    func sessionErrors(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        await expectEngramError(.userNotFound) { try await h.store.createSession(SessionDraft(userID: "nobody")) }
        await expectEngramError(.sessionNotFound) { try await h.store.session(userID: "alice", id: "missing") }
        await expectEngramError(.sessionNotFound) {
            try await h.store.renameSession(userID: "alice", id: "missing", title: "x")
        }
        try await h.session(id: "s1")
        await expectEngramError(.alreadyExists) {
            try await h.store.createSession(SessionDraft(userID: "alice", id: "s1"))
        }
        #expect(try await h.store.sessions(userID: "alice", limit: 10).count == 1)
    }

    @Test(arguments: Backend.allCases)
    func storeReportsItsEmbedderAndHealth(backend: Backend) async throws {
        let h = try Harness(backend)
        #expect(h.store.embedder.model == "hashing-v1-384")
        #expect(h.store.embedder.dimension == 384)
        let health = await h.store.health()
        #expect(health.status == "ok")
        #expect(health.backend == backend.healthName)
        #expect(health.schemaVersion >= 1)
        #expect(health.pendingMigrations.isEmpty)
        #expect(health.embeddingModel == "hashing-v1-384")
        #expect(!health.version.isEmpty)
    }
}
