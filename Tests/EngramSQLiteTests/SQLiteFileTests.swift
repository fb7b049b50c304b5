import CEngramSQLite
import EngramCore
import Foundation
import GRDB
import Testing

@testable import EngramSQLite
@testable import EngramTestSupport

/// What only the SQLite file format can show: the file's own settings, a schema from the future,
/// and rows left behind when something wrote to the file with foreign keys off.
@Suite struct SQLiteFileTests {
    private func freshPath() throws -> String {
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("engram.sqlite").path
    }

    /// A service on a SQLite file.
    private func service(_ path: String, access: SQLiteDriver.Access = .create) throws -> MemoryService {
        MemoryService(driver: try SQLiteDriver(path: path, access: access))
    }

    @Test func theFileIsInWALModeWithForeignKeysOn() async throws {
        let store = try service(try freshPath())
        try await store.migrateUp()
        let health = await store.health()
        #expect(health.details["journal_mode"] == "wal")
        #expect(health.details["foreign_keys"] == "on")
        #expect(health.details["quick_check"] == "ok")
        #expect(health.schemaVersion == (try SQLiteDriver(path: try freshPath()).migrations.map(\.version).max()))
        #expect(health.status == "ok")
        #expect(health.message == "Database connection successful")
    }

    /// `full` by default (every commit synced before it is acknowledged); `normal` syncs at checkpoints only.
    @Test(arguments: [SQLiteDriver.Synchronous.normal, .full])
    func theWriterSyncsAsConfigured(_ synchronous: SQLiteDriver.Synchronous) async throws {
        let path = try freshPath()
        let driver =
            synchronous == .full
            ? try SQLiteDriver(path: path) : try SQLiteDriver(path: path, synchronous: synchronous)
        let level = try await driver.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(level == (synchronous == .full ? 2 : 1))
        #expect(await MemoryService(driver: driver).health().details["synchronous"] == synchronous.rawValue)
    }

    /// Every migration down and up again: the same schema, object for object (tables, indexes, triggers, the
    /// full-text tables), and none left behind in between.
    @Test func upDownUpGivesTheSameSchema() async throws {
        let path = try freshPath()
        let store = try service(path)
        let count = try SQLiteDriver(path: try freshPath()).migrations.count
        #expect(try await store.migrateUp().count == count)
        let schema = {
            try DatabaseQueue(path: path).read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master
                        WHERE name NOT LIKE 'sqlite_%' AND name != 'engram_schema_version' ORDER BY type, name
                        """)
            }
        }
        let first = try schema()
        #expect(first.contains { $0.hasPrefix("table memories:") })
        #expect(first.contains { $0.hasPrefix("trigger ") })
        #expect(try await store.migrateDown(steps: count).count == count)
        #expect(try schema().isEmpty)
        #expect(try await store.migrateUp().count == count)
        #expect(try schema() == first)
    }

    @Test func aDatabaseFromANewerEngramIsRefusedAndLeftAlone() async throws {
        let path = try freshPath()
        _ = try await service(path).createUser(UserDraft(id: "alice"))
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(
                sql: "INSERT INTO engram_schema_version VALUES (999, 'from_the_future', 'unknown', 0)")
        }
        try queue.close()
        await expectEngramError(.schemaTooNew) { try await service(path).user("alice") }
        let versions = try await DatabaseQueue(path: path).read { db in
            try Int.fetchAll(db, sql: "SELECT version FROM engram_schema_version ORDER BY version")
        }
        #expect(versions == (try SQLiteDriver(path: try freshPath()).migrations.map(\.version)) + [999])
    }

    @Test func aDatabaseOfTheGRDBMigratorEraIsAdoptedWithItsData() async throws {
        let path = try freshPath()
        // What Engram 0.1 wrote: the same schema, recorded in GRDB's grdb_migrations table.
        let migrations = try SQLiteDriver(path: try freshPath()).migrations
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            // The SQL functions the schema's triggers call, as every Engram connection has them.
            #expect(engram_register_vector_codes(db.sqliteConnection) == 0)
            for migration in migrations { try db.execute(sql: migration.up) }
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            for migration in migrations {
                try db.execute(
                    sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
            }
            try db.execute(
                sql: """
                    INSERT INTO users (id, name, role, info, created_at, updated_at, last_activity_at)
                    VALUES ('alice', 'Alice', 'user', '{}', 0, 0, 0)
                    """)
        }
        try queue.close()
        let store = try service(path)
        #expect(try await store.user("alice").name == "Alice")
        #expect(try await store.migrationStatus().allSatisfy { $0.applied && $0.checksumMatches })
        let tables = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE name LIKE '%migrations%' OR name LIKE 'engram_schema%'")
        }
        #expect(tables == ["engram_schema_version"])
    }

    @Test func aForeignDatabaseIsRefusedAndLeftUnchanged() async throws {
        let path = try freshPath()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "CREATE TABLE foo (x)") }
        try queue.close()
        let before = FileManager.default.contents(atPath: path)
        for access in [SQLiteDriver.Access.create, .readWrite, .readOnly] {
            await expectEngramError(.notEngramDatabase) { try SQLiteDriver(path: path, access: access) }
        }
        #expect(FileManager.default.contents(atPath: path) == before)
        let tables = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master")
        }
        #expect(tables == ["foo"])
    }

    @Test func aFileThatIsNotADatabaseSaysSo() async throws {
        let path = try freshPath()
        try Data(String(repeating: "This is not SQLite. ", count: 300).utf8).write(to: URL(fileURLWithPath: path))
        await expectEngramError(.notEngramDatabase) { try SQLiteDriver(path: path, access: .readOnly) }
        await expectEngramError(.notEngramDatabase) { try SQLiteDriver(path: path) }
    }

    @Test func onlyCreateMakesAMissingDatabase() async throws {
        let path = try freshPath()
        for access in [SQLiteDriver.Access.readOnly, .readWrite] {
            await expectEngramError(.databaseNotFound) { try SQLiteDriver(path: path, access: access) }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func aReadOnlyDatabaseCanBeReadButNotWritten() async throws {
        let path = try freshPath()
        let writer = try SQLiteDriver(path: path)
        let store = MemoryService(driver: writer)
        _ = try await store.createUser(UserDraft(id: "alice"))
        let memory = try await store.remember(MemoryDraft(userID: "alice", content: "Alice reads maps upside down"))
        let exported = try await store.export(userID: "alice").map(ExportCodec.line)
        try writer.close()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let listing = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(listing == ["engram.sqlite"], "closing cleans up: \(listing)")

        let driver = try SQLiteDriver(path: path, access: .readOnly)
        let reader = MemoryService(driver: driver)
        #expect(try await reader.export(userID: "alice").map(ExportCodec.line) == exported)
        let found = try await reader.recall(RecallQuery(userID: "alice", text: "maps", reinforce: false))
        #expect(found.map(\.memory.id) == [memory.memory.id])
        #expect(await reader.health().status == "ok")
        await expectEngramError(.databaseReadOnly) {
            try await reader.remember(MemoryDraft(userID: "alice", content: "Alice folds maps neatly"))
        }
        await expectEngramError(.databaseReadOnly) {
            try await reader.recall(RecallQuery(userID: "alice", text: "maps"))
        }
        try driver.close()
        #expect(
            try await MemoryService(driver: SQLiteDriver(path: path)).export(userID: "alice").map(ExportCodec.line)
                == exported)
    }

    @Test func aReadOnlyFolderIsOpenedAsAnImmutableFile() throws {
        let path = try freshPath()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(SQLiteDriver.readOnlyLocation(of: path) == path, "a writable folder needs no special mode")
        let readOnly = folder.appendingPathComponent("sealed", isDirectory: true)
        try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: readOnly.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: readOnly.path) }
        let sealed = readOnly.appendingPathComponent("my db?.sqlite").path
        // Root may write anywhere, so the folder is writable for it: the plain path is right then.
        let expected =
            FileManager.default.isWritableFile(atPath: readOnly.path)
            ? sealed : "file:" + readOnly.path + "/my%20db%3F.sqlite?immutable=1"
        #expect(SQLiteDriver.readOnlyLocation(of: sealed) == expected)
    }

    @Test func erasingAUserLeavesNoTraceOfItsTextInTheFiles() async throws {
        let path = try freshPath()
        let store = try service(path)
        _ = try await store.createUser(UserDraft(id: "alice"))
        _ = try await store.createUser(UserDraft(id: "bob"))
        let secret = "zanzibarquokka"
        _ = try await store.createSession(SessionDraft(userID: "alice", id: "chat"))
        _ = try await store.appendMessage(
            MessageDraft(userID: "alice", sessionID: "chat", role: .user, content: "My password hint is \(secret)"))
        for index in 0..<40 {
            _ = try await store.remember(
                MemoryDraft(userID: "alice", content: "Alice's \(secret) note number \(index) about her hint"))
        }
        _ = try await store.remember(MemoryDraft(userID: "bob", content: "Bob likes plain bread"))
        let files = { () -> [String] in
            try FileManager.default.contentsOfDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        }
        func contains(_ text: String) throws -> Bool {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            return try files().contains { name in
                let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()
                return data.range(of: Data(text.utf8)) != nil
            }
        }
        #expect(try contains(secret), "the test must see the text before the erasure")
        let receipt = try await store.eraseUser("alice")
        #expect(receipt.deleted["memories"] == 40)
        #expect(try !contains(secret), "erased text must not stay in free pages, the index or the log")
        #expect(try await store.recall(RecallQuery(userID: "bob", text: "bread", reinforce: false)).count == 1)
    }

    @Test func maintenanceRemovesRowsWhoseMemoryIsGone() async throws {
        let path = try freshPath()
        let store = try service(path)
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

    @Test func healthSaysWhenMemoriesLackAVectorOfTheActiveModel() async throws {
        let path = try freshPath()
        let store = try service(path)
        _ = try await store.createUser(UserDraft(id: "alice"))
        let kept = try await store.remember(MemoryDraft(userID: "alice", content: "Alice owns a red bicycle"))
        _ = try await store.remember(MemoryDraft(userID: "alice", content: "Alice is learning Portuguese"))
        #expect(await store.health().details["memories_without_active_vector"] == "0")
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "DELETE FROM embeddings WHERE memory_id = ?", arguments: [kept.memory.id])
        }
        try queue.close()
        let health = try await service(path, access: .readOnly).health()
        #expect(health.details["memories_without_active_vector"] == "1")
        #expect(health.details["vectors"]?.contains("run engram reembed") == true)
        #expect(try await service(path).embeddingStatus().missingActive == 1)
    }

    @Test func eachFileProblemHasItsOwnCodeAndWords() {
        let cases: [(ResultCode, EngramError.Code, String)] = [
            (.SQLITE_FULL, .diskFull, "The disk is full"),
            (.SQLITE_READONLY, .databaseReadOnly, "read-only"),
            (.SQLITE_NOTADB, .notEngramDatabase, "not an SQLite database"),
            (.SQLITE_CORRUPT, .storageFailure, "damaged"),
            (.SQLITE_CANTOPEN, .storageFailure, "Cannot open the database file"),
            (.SQLITE_BUSY, .storageFailure, "retry"),
        ]
        for (code, expected, words) in cases {
            let error = SQLiteDriver.fileError(code)
            #expect(error?.code == expected)
            #expect(error?.message.contains(words) == true, "\(code): \(String(describing: error))")
        }
    }

    /// A write that fails with an I/O error on a filesystem that still takes new files is a storage failure, not a
    /// read-only one (a filesystem that turns read-only under a running server: `scripts/reliability.sh diskfull`).
    @Test func anIOErrorIsReadOnlyOnlyWhenTheFolderRefusesNewFiles() throws {
        let path = try freshPath()
        let driver = try SQLiteDriver(path: path)
        #expect(!driver.filesystemIsReadOnly())
        #expect(driver.translate(DatabaseError(resultCode: .SQLITE_IOERR_WRITE)).code == .storageFailure)
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers.allSatisfy { !$0.hasPrefix(".engram-write-check") }, "\(leftovers)")
    }
}
