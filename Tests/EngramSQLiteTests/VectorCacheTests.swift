import EngramCore
import Foundation
import Testing

@testable import EngramSQLite
@testable import EngramTestSupport

/// The driver's in-memory int8 codes, as recall loads them.
@Suite struct VectorCacheTests {
    /// A small user's codes are loaded into room for about its own rows: a store of many small users holds
    /// little more than their vectors (it held a whole 4,096-row batch per user, 1.5 MiB at 384 dimensions).
    @Test func aSmallUsersCodesTakeRoomForTheirOwnRows() async throws {
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let driver = try SQLiteDriver(
            path: directory.appendingPathComponent("engram.sqlite").path, vectorGraphs: .off, logger: quietLogger)
        defer { try? driver.close() }
        let store = MemoryService(driver: driver, logger: quietLogger)
        _ = try await store.createUser(UserDraft(id: "alice"))
        _ = try await store.rememberAll((0..<8).map { MemoryDraft(userID: "alice", content: "alice note \($0)") })
        let results = try await store.recall(RecallQuery(userID: "alice", text: "alice note 3", reinforce: false))
        #expect(results.count > 1)
        let capacity = try #require(driver.vectors.capacity(userID: "alice", model: EmbeddingModel(store.embedder)))
        #expect(capacity >= 8)
        #expect(capacity < 64)
    }
}
