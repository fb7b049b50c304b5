import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

@Suite struct MessageTests {
    @Test(arguments: Backend.allCases)
    func appendNumbersMessagesPerSessionFromOne(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        try await h.session(id: "s2")
        let a1 = try await h.message("alice", "s1", "first in s1")
        let a2 = try await h.message("alice", "s1", "second in s1", role: .assistant)
        let b1 = try await h.message("alice", "s2", "first in s2")
        let a3 = try await h.message("alice", "s1", "third in s1", role: .tool)
        let sequences: [Int] = [a1.sequence, a2.sequence, a3.sequence]
        #expect(sequences == [1, 2, 3])
        #expect(b1.sequence == 1)
        #expect(Set([a1.id, a2.id, a3.id, b1.id]).count == 4)
        #expect(a2.role == .assistant)
        #expect(a1.sessionID == "s1")
        #expect(a1.userID == "alice")
        #expect(a1.createdAt == h.now)
        #expect(try await h.store.session(userID: "alice", id: "s1").messageCount == 3)
        #expect(try await h.store.session(userID: "alice", id: "s2").messageCount == 1)
    }

    @Test(arguments: Backend.allCases)
    func messageFieldsRoundTrip(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        let message = try await h.store.appendMessage(
            MessageDraft(
                userID: "alice", sessionID: "s1", role: .assistant, content: "Answer with \"quotes\" and ünïcode",
                thinking: "reasoning", metadata: .object(["model": .string("x")]), inputTokens: 10, outputTokens: 20))
        let read = try await h.store.messages(userID: "alice", sessionID: "s1", after: 0, limit: 10)
        #expect(read == [message])
        #expect(message.thinking == "reasoning")
        #expect(message.metadata == .object(["model": .string("x")]))
        #expect(message.inputTokens == 10)
        #expect(message.outputTokens == 20)
        #expect(message.content == "Answer with \"quotes\" and ünïcode")
    }

    @Test(arguments: Backend.allCases)
    func messagesPageInOrder(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        for index in 1...6 { try await h.message("alice", "s1", "message \(index)") }
        let all = try await h.store.messages(userID: "alice", sessionID: "s1", after: 0, limit: 100)
        #expect(all.map(\.sequence) == [1, 2, 3, 4, 5, 6])
        #expect(all.map(\.content) == (1...6).map { "message \($0)" })
        let page = try await h.store.messages(userID: "alice", sessionID: "s1", after: 2, limit: 2)
        #expect(page.map(\.sequence) == [3, 4])
        #expect(try await h.store.messages(userID: "alice", sessionID: "s1", after: 6, limit: 10).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func appendErrorsChangeNothing(backend: Backend) async throws {
        var configuration = EngramConfiguration()
        configuration.maxContentBytes = 1024
        let h = try Harness(backend, configuration: configuration)
        try await h.user()
        try await h.session(id: "s1")
        try await h.message("alice", "s1", "ok")
        let before = try await h.snapshot()
        await expectEngramError(.sessionNotFound) { try await h.message("alice", "missing", "hello") }
        await expectEngramError(.userNotFound) { try await h.message("nobody", "s1", "hello") }
        await expectEngramError(.emptyContent) { try await h.message("alice", "s1", "  \n ") }
        await expectEngramError(.contentTooLarge) {
            try await h.message("alice", "s1", String(repeating: "x", count: 1025))
        }
        #expect(try await h.snapshot() == before)
        let next = try await h.message("alice", "s1", "still numbered")
        #expect(next.sequence == 2)
    }
}

@Suite struct ActiveContextTests {
    @Test(arguments: Backend.allCases)
    func defaultWindowIsTheLastTwentyInOrder(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        for index in 1...25 {
            try await h.message("alice", "s1", "turn \(index)")
            h.clock.advance(by: 30)
        }
        let context = try await h.store.activeContext(userID: "alice", sessionID: "s1", window: nil)
        #expect(context.map(\.sequence) == Array(6...25))
        #expect(context.map(\.content) == (6...25).map { "turn \($0)" })
        let explicitDefault = try await h.store.activeContext(userID: "alice", sessionID: "s1", window: .default)
        #expect(explicitDefault == context)
    }

    @Test(arguments: Backend.allCases)
    func messagesOlderThanTheTTLLeaveTheContext(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        for index in 1...25 { try await h.message("alice", "s1", "turn \(index)") }
        h.clock.advance(by: 25 * hour)
        #expect(try await h.store.activeContext(userID: "alice", sessionID: "s1", window: nil).isEmpty)
        // The messages themselves are still there.
        #expect(try await h.store.messages(userID: "alice", sessionID: "s1", after: 0, limit: 100).count == 25)
        try await h.message("alice", "s1", "fresh")
        let context = try await h.store.activeContext(userID: "alice", sessionID: "s1", window: nil)
        #expect(context.map(\.content) == ["fresh"])
        #expect(context.first?.sequence == 26)
    }

    @Test(arguments: Backend.allCases)
    func customWindowRespectsTurnsAndTTL(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        for index in 1...3 { try await h.message("alice", "s1", "old \(index)") }
        h.clock.advance(by: 2 * hour)
        for index in 1...4 {
            try await h.message("alice", "s1", "new \(index)")
            h.clock.advance(by: 60)
        }
        let lastFive = try await h.store.activeContext(
            userID: "alice", sessionID: "s1", window: ContextWindow(turns: 5, ttl: 24 * hour))
        #expect(lastFive.map(\.content) == ["old 3", "new 1", "new 2", "new 3", "new 4"])
        let recent = try await h.store.activeContext(
            userID: "alice", sessionID: "s1", window: ContextWindow(turns: 5, ttl: hour))
        #expect(recent.map(\.content) == ["new 1", "new 2", "new 3", "new 4"])
        let lastTwo = try await h.store.activeContext(
            userID: "alice", sessionID: "s1", window: ContextWindow(turns: 2, ttl: hour))
        #expect(lastTwo.map(\.content) == ["new 3", "new 4"])
    }

    @Test(arguments: Backend.allCases)
    func configuredDefaultWindowIsUsed(backend: Backend) async throws {
        var configuration = EngramConfiguration()
        configuration.contextWindow = ContextWindow(turns: 3, ttl: hour)
        let h = try Harness(backend, configuration: configuration)
        try await h.user()
        try await h.session(id: "s1")
        for index in 1...5 { try await h.message("alice", "s1", "turn \(index)") }
        let context = try await h.store.activeContext(userID: "alice", sessionID: "s1", window: nil)
        #expect(context.map(\.sequence) == [3, 4, 5])
        h.clock.advance(by: 2 * hour)
        #expect(try await h.store.activeContext(userID: "alice", sessionID: "s1", window: nil).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func activeContextErrors(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user()
        try await h.session(id: "s1")
        await expectEngramError(.sessionNotFound) {
            try await h.store.activeContext(userID: "alice", sessionID: "missing", window: nil)
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.activeContext(
                userID: "alice", sessionID: "s1", window: ContextWindow(turns: 0, ttl: hour))
        }
        await expectEngramError(.invalidArgument) {
            try await h.store.activeContext(userID: "alice", sessionID: "s1", window: ContextWindow(turns: 5, ttl: 0))
        }
    }
}
