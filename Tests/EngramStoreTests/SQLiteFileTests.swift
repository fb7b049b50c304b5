import EngramCore
import EngramSQLite
import Foundation
import GRDB
import Testing

/// What only the SQLite file format can show: the file's own settings, a schema from the future,
/// and rows left behind when something wrote to the file with foreign keys off.
@Suite struct SQLiteFileTests {
    private func freshPath() throws -> String {
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("engram.sqlite").path
    }

    @Test func theFileIsInWALModeWithForeignKeysOn() async throws {
        let store = try SQLiteMemoryStore(path: try freshPath())
        let health = await store.health()
        #expect(health.details["journal_mode"] == "wal")
        #expect(health.details["foreign_keys"] == "on")
        #expect(health.details["quick_check"] == "ok")
        #expect(health.schemaVersion == 2)
    }

    @Test func aDatabaseFromANewerEngramIsRefusedAndLeftAlone() async throws {
        let path = try freshPath()
        _ = try SQLiteMemoryStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('999_from_the_future')")
        }
        try queue.close()
        await expectEngramError(.schemaTooNew) { try SQLiteMemoryStore(path: path) }
        let identifiers = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(identifiers == ["001_unified_memory_model", "002_embedding_models", "999_from_the_future"])
    }

    @Test func maintenanceRemovesRowsWhoseMemoryIsGone() async throws {
        let path = try freshPath()
        let store = try SQLiteMemoryStore(path: path)
        _ = try await store.createUser(UserDraft(id: "alice"))
        let kept = try await store.remember(MemoryDraft(userID: "alice", content: "Alice keeps bees"))
        let queue = try DatabaseQueue(path: path)
        try await queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(
                sql: """
                    INSERT INTO emotions (user_id, memory_id, valence, arousal, dominance, confidence, updated_at)
                    VALUES ('alice', 'no-such-memory', 0.5, 0.5, 0, 0.9, 0)
                    """)
        }
        try queue.close()

        let report = try await store.maintain(userID: "alice", options: MaintenanceOptions(decaySweep: false))
        #expect(report.removedOrphans == 1)
        #expect(try await store.statistics(userID: "alice").emotions == 0)
        #expect(try await store.memory(userID: "alice", id: kept.memory.id).content == "Alice keeps bees")
    }
}
