import EngramCore
import Foundation
import PostgresNIO
import Synchronization
import Testing

@testable import EngramPostgres

/// The driver's transactions on the real server: retries after conflicts, read snapshots, and the locks that let
/// concurrent writers of one user number their rows in turn.
@Suite(.enabled(if: serverAvailable, "needs ENGRAM_TEST_DATABASE_URL (scripts/test.sh starts the server)"))
struct PostgresDriverTests {
    /// Raises SQLSTATE `state` inside the transaction, as the server does on a conflict.
    private func raise(_ state: String, in tx: any StorageTransaction) async throws {
        let tx = try #require(tx as? PostgresTransaction)
        try await tx.execute(
            PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '\(state)'; END $$"))
    }

    @Test(arguments: ["40001", "40P01"])
    func aConflictRunsTheWholeTransactionAgain(state: String) async throws {
        try await withIsolatedService { store, driver in
            _ = try await store.createUser(UserDraft(id: "alice"))
            let attempts = Mutex(0)
            let users = try await driver.write(.user("alice")) { tx -> Int in
                let attempt = attempts.withLock { count in
                    count += 1
                    return count
                }
                try await tx.insertAgent(
                    Agent(
                        id: "a\(attempt)", userID: "alice", name: "Agent", description: nil, instructions: nil,
                        isActive: true, createdAt: Date(), updatedAt: Date()))
                if attempt < 3 { try await self.raise(state, in: tx) }
                return try await tx.agents(userID: "alice").count
            }
            #expect(attempts.withLock { $0 } == 3)
            // The failed attempts left nothing behind.
            #expect(users == 1)
            #expect(try await store.agents(userID: "alice").map(\.id) == ["a3"])
        }
    }

    @Test func aConflictThatPersistsIsReportedAfterFiveAttempts() async throws {
        try await withIsolatedService { _, driver in
            let attempts = Mutex(0)
            let error = await expectEngramError(.storageFailure) {
                try await driver.write(.store) { tx in
                    attempts.withLock { $0 += 1 }
                    try await self.raise("40001", in: tx)
                }
            }
            #expect(error?.message.contains("retry") == true, "\(String(describing: error))")
            #expect(attempts.withLock { $0 } == PostgresDriver.maxAttempts)
        }
    }

    @Test func otherErrorsAreNotRetried() async throws {
        try await withIsolatedService { store, driver in
            _ = try await store.createUser(UserDraft(id: "alice"))
            let attempts = Mutex(0)
            await expectEngramError(.alreadyExists) {
                try await driver.write(.user("alice")) { tx in
                    attempts.withLock { $0 += 1 }
                    let agent = Agent(
                        id: "twice", userID: "alice", name: "Twice", description: nil, instructions: nil,
                        isActive: true, createdAt: Date(), updatedAt: Date())
                    try await tx.insertAgent(agent)
                    try await tx.insertAgent(agent)
                }
            }
            #expect(attempts.withLock { $0 } == 1)
        }
    }

    @Test func aBodyThatSwallowsAFailedStatementDoesNotCommit() async throws {
        try await withIsolatedService { store, driver in
            _ = try await store.createUser(UserDraft(id: "alice"))
            await expectEngramError(.storageFailure) {
                try await driver.write(.user("alice")) { tx in
                    try await tx.touchUser("alice", at: Date(timeIntervalSince1970: 4_000_000_000))
                    let agent = Agent(
                        id: "twice", userID: "alice", name: "Twice", description: nil, instructions: nil,
                        isActive: true, createdAt: Date(), updatedAt: Date())
                    try await tx.insertAgent(agent)
                    _ = try? await tx.insertAgent(agent)
                }
            }
            #expect(try await store.user("alice").lastActivityAt < Date(timeIntervalSince1970: 4_000_000_000))
        }
    }

    @Test func aReadSeesOneSnapshotAndWritesNothing() async throws {
        try await withIsolatedService { store, driver in
            _ = try await store.createUser(UserDraft(id: "alice"))
            let (before, after) = try await driver.read(.store) { tx in
                let before = try await tx.users().map(\.id)
                // Another transaction commits a user meanwhile (tests may nest; the service never does).
                _ = try await store.createUser(UserDraft(id: "bob"))
                return (before, try await tx.users().map(\.id))
            }
            #expect(before == ["alice"])
            #expect(after == ["alice"])
            #expect(try await store.users().map(\.id) == ["alice", "bob"])
            await expectEngramError(.storageFailure) {
                try await driver.read(.user("alice")) { tx in try await tx.touchUser("alice", at: Date()) }
            }
        }
    }

    @Test func aUserScopeSeesOnlyThatUsersRows() async throws {
        try await withIsolatedService { store, driver in
            for user in ["alice", "bob"] { _ = try await store.createUser(UserDraft(id: user)) }
            let seen = try await driver.read(.user("alice")) { tx in
                (try await tx.users().map(\.id), try await tx.user("bob", forUpdate: false) == nil)
            }
            #expect(seen.0 == ["alice"])
            #expect(seen.1)
        }
    }

    /// Concurrent writes of one user each append audit lines numbered after the last one: none collides.
    @Test func concurrentWritersOfOneUserNumberTheirAuditLinesInTurn() async throws {
        try await withIsolatedService { store, _ in
            _ = try await store.createUser(UserDraft(id: "alice"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        _ = try await store.createAgent(AgentDraft(userID: "alice", id: "agent\(index)", name: "A"))
                    }
                }
                try await group.waitForAll()
            }
            let lines = try await store.auditLog(userID: "alice", limit: 100)
            #expect(lines.map(\.id).sorted() == Array(1...13))
        }
    }

    /// Concurrent appends to one session each get their own sequence number.
    @Test func concurrentAppendsToOneSessionGetTheirOwnSequence() async throws {
        try await withIsolatedService { store, _ in
            _ = try await store.createUser(UserDraft(id: "alice"))
            _ = try await store.createSession(SessionDraft(userID: "alice", id: "chat"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        _ = try await store.appendMessage(
                            MessageDraft(userID: "alice", sessionID: "chat", role: .user, content: "m\(index)"))
                    }
                }
                try await group.waitForAll()
            }
            let messages = try await store.messages(userID: "alice", sessionID: "chat", after: 0, limit: 100)
            #expect(messages.map(\.sequence) == Array(1...12))
            #expect(try await store.session(userID: "alice", id: "chat").messageCount == 12)
        }
    }

    /// Concurrent remembers of one content end in one memory, reinforced by the others.
    @Test func concurrentRemembersOfOneContentEndInOneMemory() async throws {
        try await withIsolatedService { store, _ in
            _ = try await store.createUser(UserDraft(id: "alice"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { _ = try await store.remember(MemoryDraft(userID: "alice", content: "Tea at four")) }
                }
                try await group.waitForAll()
            }
            let memories = try await store.memories(userID: "alice", filters: .init(), limit: 10, offset: 0)
            #expect(memories.count == 1)
            #expect(try await store.user("alice").counters.memories == 1)
        }
    }

    /// 120 concurrent recalls of one user, reinforcing overlapping results (every memory mentions tea): all
    /// succeed, and each memory's access count grows by the number of recalls that returned it. Each recall writes
    /// its access counts in one transaction that locks the rows in id order, so two recalls never wait on each
    /// other's rows in opposite orders (which PostgreSQL breaks with `deadlock detected`, 40P01).
    @Test func concurrentRecallsOfOneUserCountEveryAccess() async throws {
        var configuration = try isolatedConfiguration()
        configuration.poolSize = 8
        // 240 transactions queue for 8 connections: waiting for one is no failure here, however slow the machine.
        configuration.connectTimeout = .seconds(60)
        try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
            let store = service(driver)
            try await store.migrateUp()
            _ = try await store.createUser(UserDraft(id: "alice"))
            let topics = ["green", "black", "jasmine", "mint", "oolong", "chai", "earl", "matcha"]
            _ = try await store.rememberAll(
                (0..<40).map { index in
                    MemoryDraft(
                        userID: "alice",
                        content:
                            "Tea note \(index): \(topics[index % 8]) with \(topics[(index + 3) % 8]) at \(index) o'clock"
                    )
                })
            let before = try await accessCounts(store)

            let outcomes = await withTaskGroup(of: Result<[String], any Error>.self) { group in
                for index in 0..<120 {
                    group.addTask {
                        let query = RecallQuery(userID: "alice", text: "tea \(topics[index % 8])", k: 10)
                        do {
                            return .success(try await store.recall(query).map(\.memory.id))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let failures = outcomes.compactMap { outcome -> String? in
                guard case .failure(let error) = outcome else { return nil }
                return "\(error)"
            }
            #expect(failures.count == 0, "\(failures.count) of 120 recalls failed, first: \(failures.first ?? "")")

            var returned: [String: Int] = [:]
            for case .success(let ids) in outcomes {
                for id in ids { returned[id, default: 0] += 1 }
            }
            #expect(returned.values.contains { $0 > 1 }, "the recalls' results should overlap")
            let after = try await accessCounts(store)
            for (id, count) in after {
                #expect(count - (before[id] ?? 0) == returned[id] ?? 0, "memory \(id)")
            }
            try await dropSchema(driver)
        }
    }

    /// A write that began before the user's erasure holds the user: the erasure waits for it, and then erases what
    /// it wrote too. (Without the hold, the erasure committed first and the write failed on a foreign key with
    /// `invalid_argument`, a client mistake it was not.)
    @Test func anErasureWaitsForAWriteOfItsUserThatBeganFirst() async throws {
        try await withIsolatedService { store, driver in
            _ = try await store.createUser(UserDraft(id: "alice"))
            let (began, beganSignal) = AsyncStream.makeStream(of: Int.self)
            let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
            let write = Task {
                try await driver.write(.user("alice")) { tx in
                    beganSignal.yield(try await #require(tx as? PostgresTransaction).integer("SELECT pg_backend_pid()"))
                    for await _ in release { break }
                    try await tx.insertSession(
                        Session(
                            id: "late", userID: "alice", agentID: nil, title: nil, messageCount: 0,
                            metadata: .emptyObject, createdAt: Date(), lastUpdatedAt: Date()))
                }
            }
            var writer = 0
            for await pid in began {
                writer = pid
                break
            }
            let erasure = Task { try await store.eraseUser("alice") }
            // Until a session waits for the write's locks (or, without the hold, the erasure has already ended).
            var waited = false
            for _ in 0..<600 where !waited {
                let blocked = try await driver.transaction(.store) { connection in
                    try await connection.query(
                        "SELECT count(*)::int FROM pg_stat_activity WHERE \(writer) = ANY (pg_blocking_pids(pid))",
                        logger: testLogger
                    ).collect().first?.decode(Int.self) ?? 0
                }
                waited = blocked > 0
                if !waited { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(waited, "the erasure never waited for the write that began first")
            releaseSignal.yield()
            try await write.value
            let receipt = try await erasure.value
            #expect(receipt.deleted["sessions"] == 1)
            await expectEngramError(.userNotFound) { try await store.user("alice") }
        }
    }

    /// Every memory of alice's, with its access count.
    private func accessCounts(_ store: MemoryService) async throws -> [String: Int] {
        let memories = try await store.memories(userID: "alice", filters: .init(), limit: 100, offset: 0)
        return Dictionary(uniqueKeysWithValues: memories.map { ($0.id, $0.accessCount) })
    }
}
