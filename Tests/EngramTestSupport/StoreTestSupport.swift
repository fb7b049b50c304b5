import EngramCore
import Foundation
import Testing

let hour: TimeInterval = 3600
let day: TimeInterval = 86_400

/// A fresh store of one backend with the clock that drives it.
struct Harness: Sendable {
    let store: MemoryService
    let clock: ManualClock

    init(_ backend: Backend, configuration: EngramConfiguration = .init()) throws {
        let clock = ManualClock()
        self.clock = clock
        self.store = try makeStore(backend, clock: clock, configuration: configuration)
    }

    init(store: MemoryService, clock: ManualClock) {
        self.store = store
        self.clock = clock
    }

    var now: Date { clock.now() }

    @discardableResult
    func user(_ id: String = "alice") async throws -> User {
        try await store.createUser(UserDraft(id: id, name: id.capitalized))
    }

    @discardableResult
    func session(_ userID: String = "alice", id: String? = nil, agentID: String? = nil, title: String? = nil)
        async throws -> Session
    {
        try await store.createSession(SessionDraft(userID: userID, id: id, agentID: agentID, title: title))
    }

    @discardableResult
    func message(_ userID: String = "alice", _ sessionID: String, _ content: String, role: MessageRole = .user)
        async throws -> Message
    {
        try await store.appendMessage(MessageDraft(userID: userID, sessionID: sessionID, role: role, content: content))
    }

    /// Remembers `content` and returns the memory, expecting a new one to be created.
    @discardableResult
    func remember(
        _ userID: String = "alice", _ content: String, sector: Sector = .semantic,
        contextType: ContextType = .conversationFact, salience: Double = 0.5, tags: [String] = [],
        sessionID: String? = nil, agentID: String? = nil, sourceMessageIDs: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Memory {
        let outcome = try await store.remember(
            MemoryDraft(
                userID: userID, content: content, agentID: agentID, sessionID: sessionID, sector: sector,
                contextType: contextType, salience: salience, tags: tags, sourceMessageIDs: sourceMessageIDs))
        #expect(outcome.action == .created, "remember(\(content)) should create", sourceLocation: sourceLocation)
        return outcome.memory
    }

    func stats(_ userID: String = "alice") async throws -> UserStatistics {
        try await store.statistics(userID: userID)
    }

    /// The user's export as JSON Lines.
    func exportLines(_ userID: String = "alice") async throws -> [String] {
        try await store.export(userID: userID).map(ExportCodec.line)
    }

    /// The user's export as JSON Lines without the audit lines imports wrote (reason `import`): what an import
    /// reproduces of the export it read.
    func exportLinesWithoutImports(_ userID: String = "alice") async throws -> [String] {
        try await store.export(userID: userID).filter { record in
            guard case .audit(let entry) = record else { return true }
            return entry.reason != "import"
        }.map(ExportCodec.line)
    }

    /// Everything observable about a user: statistics and every exported row.
    func snapshot(_ userID: String = "alice") async throws -> StoreSnapshot {
        StoreSnapshot(statistics: try await stats(userID), lines: try await exportLines(userID))
    }

    /// Recall without side effects.
    func peek(
        _ userID: String = "alice", _ text: String, k: Int = 10, filters: RecallFilters = .init(),
        expandLinks: Bool = true
    ) async throws -> [RecallResult] {
        try await store.recall(
            RecallQuery(userID: userID, text: text, k: k, filters: filters, expandLinks: expandLinks, reinforce: false))
    }
}

struct StoreSnapshot: Equatable {
    var statistics: UserStatistics
    var lines: [String]

    /// The snapshot without audit rows, for operations that may legitimately audit themselves.
    var withoutAudit: StoreSnapshot {
        StoreSnapshot(statistics: statistics, lines: lines.filter { !$0.contains("\"table\":\"audit_log\"") })
    }
}

/// Fails the test unless `body` throws an ``EngramError`` with `code`.
@discardableResult
func expectEngramError<T>(
    _ code: EngramError.Code, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async -> EngramError? {
    do {
        _ = try await body()
        Issue.record(
            "Expected EngramError \(code), but the call succeeded. \(comment ?? "")", sourceLocation: sourceLocation)
        return nil
    } catch let error as EngramError {
        #expect(error.code == code, "Expected \(code), got \(error). \(comment ?? "")", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record(
            "Expected EngramError \(code), got a non-Engram error: \(error). \(comment ?? "")",
            sourceLocation: sourceLocation)
        return nil
    }
}

/// Fails the test unless `body` throws an ``EngramError`` (of any code).
@discardableResult
func expectAnyEngramError<T>(
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> EngramError? {
    do {
        _ = try await body()
        Issue.record(
            "Expected an EngramError, but the call succeeded. \(comment ?? "")", sourceLocation: sourceLocation)
        return nil
    } catch let error as EngramError {
        return error
    } catch {
        Issue.record("Expected an EngramError, got: \(error). \(comment ?? "")", sourceLocation: sourceLocation)
        return nil
    }
}

func isClose(_ a: Double, _ b: Double, _ accuracy: Double = 1e-9) -> Bool {
    abs(a - b) <= accuracy
}

extension ExportRecord {
    var memoryValue: Memory? {
        if case .memory(let value) = self { return value }
        return nil
    }
}
