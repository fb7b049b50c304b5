import CEngramSQLite
import EngramCore
import Foundation
import GRDB
import Testing

@testable import EngramSQLite
@testable import EngramTestSupport

/// The `vector_codes` table (the int8 copy the SQLite vector search loads) stays in step with `embeddings` through
/// every write, and holds exactly the codes `engram_quantize` makes of each vector.
@Suite struct VectorCodesTests {
    private func newPath() throws -> String {
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("engram.sqlite").path
    }

    /// Each user's code rows against what the embeddings say they must be: (user, seq, model) → codes blob.
    private func codesAndExpected(_ path: String) throws -> (codes: [String: Data], expected: [String: Data]) {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            #expect(engram_register_vector_codes(db.sqliteConnection) == 0)
            var codes: [String: Data] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT user_id, seq, model, codes FROM vector_codes") {
                codes["\(row[0] as String)/\(row[1] as Int64)/\(row[2] as String)"] = row[3]
            }
            var expected: [String: Data] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT e.user_id, m.seq, e.model, engram_vector_codes(e.vector) FROM embeddings e
                    JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                    """)
            {
                expected["\(row[0] as String)/\(row[1] as Int64)/\(row[2] as String)"] = row[3]
            }
            return (codes, expected)
        }
    }

    @Test func codesFollowEveryWriteAndMatchTheQuantiser() async throws {
        let path = try newPath()
        let store = MemoryService(driver: try SQLiteDriver(path: path), logger: quietLogger)
        var ids: [String: [String]] = [:]
        for user in ["alice", "bob"] {
            _ = try await store.createUser(UserDraft(id: user))
            ids[user] = try await store.rememberAll(
                (0..<6).map { MemoryDraft(userID: user, content: "Note \($0) of \(user) about the garden and tea") }
            ).map(\.memory.id)
        }
        var (codes, expected) = try codesAndExpected(path)
        #expect(codes.count == 12)
        #expect(codes == expected)
        // New content replaces the vector; a hard forget and an erasure remove them.
        _ = try await store.updateMemory(
            userID: "alice", id: ids["alice"]![0], MemoryPatch(content: "Now about chess openings instead"))
        try await store.forget(userID: "alice", id: ids["alice"]![1], mode: .hard)
        _ = try await store.eraseUser("bob")
        (codes, expected) = try codesAndExpected(path)
        #expect(codes.count == 5)
        #expect(codes == expected)
        #expect(codes.keys.allSatisfy { $0.hasPrefix("alice/") })

        // A service that opens the file afresh loads its vectors from the codes, and recall ranks by them.
        let reopened = MemoryService(driver: try SQLiteDriver(path: path), logger: quietLogger)
        let results = try await reopened.recall(
            RecallQuery(userID: "alice", text: "chess openings", k: 1, reinforce: false))
        #expect(results.first?.memory.id == ids["alice"]![0])
    }

    /// The Swift path (in-place updates of a loaded index) and the SQL function quantise alike.
    @Test func theQuantiserScalesByTheLargestComponent() {
        let vector: [Float] = [0.5, -0.25, 0, 1, -1, 0.004]
        var codes = [Int8](repeating: 9, count: vector.count)
        let scale = codes.withUnsafeMutableBufferPointer { engram_quantize(vector, vector.count, $0.baseAddress!) }
        #expect(scale == Float(1) / 127)
        #expect(codes == [64, -32, 0, 127, -127, 1])
        var zero = [Int8](repeating: 9, count: 3)
        #expect(zero.withUnsafeMutableBufferPointer { engram_quantize([0, 0, 0], 3, $0.baseAddress!) } == 0)
        #expect(zero == [0, 0, 0])
    }
}
