import EngramCore
import Foundation
import PostgresNIO
import Testing

@testable import EngramPostgres

/// PostgreSQL's bin folder (pg_dump, pg_restore): `scripts/test.sh` sets it from `scripts/pg.sh bin`.
let pgBinFolder = ProcessInfo.processInfo.environment["ENGRAM_PG_BIN"].flatMap { $0.isEmpty ? nil : $0 }

@Suite(
    "PostgreSQL backup and restore (pg_dump / pg_restore)", .enabled(if: serverAvailable && pgBinFolder != nil),
    .serialized)
struct PostgresBackupTests {
    let tools = pgBinFolder.map { URL(fileURLWithPath: $0, isDirectory: true) }

    @Test("Backup, then restore into a new database: every user's export and content hashes are unchanged")
    func roundTripIntoNewDatabase() async throws {
        let source = try isolatedConfiguration()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("engram.dump").path
        let users = ["alice", "bob"]

        let (before, hashes, backup) = try await PostgresDriver.withDriver(source, logger: testLogger) { driver in
            let store = service(driver)
            try await store.migrateUp()
            do {
                for user in users { try await populate(store, userID: user) }
                let before = try await exportLines(store, users: users)
                let hashes = try await contentHashes(store, users: users)
                let backup = try await PostgresBackup.backup(source, to: file, tools: tools, logger: testLogger)
                // A second backup to the same path is refused and leaves the first archive as it was.
                let archive = try Data(contentsOf: URL(fileURLWithPath: file))
                await expectEngramError(.alreadyExists) {
                    try await PostgresBackup.backup(source, to: file, tools: tools, logger: testLogger)
                }
                #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == archive)
                try await dropSchema(driver)
                return (before, hashes, backup)
            } catch {
                try? await dropSchema(driver)
                throw error
            }
        }
        #expect(backup.schema == source.schema)
        #expect(backup.bytes > 0)
        #expect(backup.rows["users"] == 2)
        #expect(backup.rows["sessions"] == 4)
        #expect(backup.rows["messages"] == 6)
        #expect(backup.rows["memories"] == 6)
        #expect(backup.rows["embeddings"] == 6)
        #expect(backup.rows["links"] == 4)
        #expect(backup.tool.contains("pg_dump"))

        // A new database, created by the engram role (it inherits pgvector and pg_trgm from template1).
        var target = source
        target.database =
            "engram_bk_"
            + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            .prefix(12)
        try await execute(source, "CREATE DATABASE \(target.database)")
        do {
            let restored = try await PostgresBackup.restore(target, from: file, tools: tools, logger: testLogger)
            #expect(restored.rows == backup.rows)
            #expect(restored.database == target.database)
            #expect(restored.tool.contains("pg_restore"))
            try await PostgresDriver.withDriver(target, logger: testLogger) { driver in
                let store = service(driver)
                #expect(try await exportLines(store, users: users) == before)
                #expect(try await contentHashes(store, users: users) == hashes)
                // The restored schema is a working store: migrations are current and recall finds by vector.
                #expect(try await store.migrationStatus().allSatisfy { $0.applied })
                let found = try await store.recall(
                    RecallQuery(userID: "alice", text: "where does alice live", k: 1, reinforce: false))
                #expect(found.first?.memory.content == "alice lives in Porto, Portugal")
            }
            // Restoring again over the tables is refused without replace, and changes nothing.
            await expectEngramError(.alreadyExists) {
                try await PostgresBackup.restore(target, from: file, tools: tools, logger: testLogger)
            }
            let after = try await PostgresDriver.withDriver(target, logger: testLogger) { driver in
                try await exportLines(service(driver), users: users)
            }
            #expect(after == before)
            // A schema name other than the archive's is refused: pg_restore cannot rename it.
            var renamed = target
            renamed.schema = "other_schema"
            await expectEngramError(.invalidArgument) {
                try await PostgresBackup.restore(renamed, from: file, tools: tools, logger: testLogger)
            }
        } catch {
            try? await dropDatabase(target.database, as: source)
            throw error
        }
        try await dropDatabase(target.database, as: source)
    }

    @Test("Restore over a schema with tables fails without replace and leaves it as it was; replace restores it")
    func restoreRefusesExistingTables() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("nested/engram.dump").path
        try await withIsolatedService { store, driver in
            let configuration = driver.postgres
            try await populate(store, userID: "alice")
            let backedUp = try await exportLines(store, users: ["alice"])
            _ = try await PostgresBackup.backup(configuration, to: file, tools: tools, logger: testLogger)

            // The schema changes after the backup: a new user, and a memory of alice forgotten for good.
            try await populate(store, userID: "carol")
            let memory = try #require(
                try await store.memories(userID: "alice", filters: .init(), limit: 1, offset: 0).first)
            try await store.forget(userID: "alice", id: memory.id, mode: .hard)
            let changed = try await exportLines(store, users: ["alice", "carol"])

            await expectEngramError(.alreadyExists) {
                try await PostgresBackup.restore(configuration, from: file, tools: tools, logger: testLogger)
            }
            #expect(try await exportLines(store, users: ["alice", "carol"]) == changed)

            let report = try await PostgresBackup.restore(
                configuration, from: file, tools: tools, replace: true, logger: testLogger)
            #expect(report.rows["users"] == 1)
            #expect(try await exportLines(store, users: ["alice"]) == backedUp)
            await expectEngramError(.userNotFound) { try await store.user("carol") }
        }
    }

    @Test("Missing tools and files fail with what to do")
    func missingToolsAndFiles() async throws {
        let configuration = try isolatedConfiguration()
        let empty = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: empty) }
        let error = await expectEngramError(.storageFailure) {
            try await PostgresBackup.backup(
                configuration, to: empty.appendingPathComponent("x.dump").path, tools: empty, logger: testLogger)
        }
        #expect(error?.message.contains("pg_dump") == true)
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("x.dump").path))
        await expectEngramError(.invalidArgument) {
            try await PostgresBackup.restore(
                configuration, from: empty.appendingPathComponent("missing.dump").path, tools: tools,
                logger: testLogger)
        }
        let notArchive = empty.appendingPathComponent("not-an-archive.dump")
        try Data("hello".utf8).write(to: notArchive)
        await expectEngramError(.invalidArgument) {
            try await PostgresBackup.restore(configuration, from: notArchive.path, tools: tools, logger: testLogger)
        }
        // Nothing to back up: the schema does not exist, and no file is left behind.
        let nothing = empty.appendingPathComponent("nothing.dump")
        await expectEngramError(.storageFailure) {
            try await PostgresBackup.backup(configuration, to: nothing.path, tools: tools, logger: testLogger)
        }
        #expect(!FileManager.default.fileExists(atPath: nothing.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path) == ["not-an-archive.dump"])
    }
}

// MARK: - Helpers

/// Users, sessions, messages, memories (with their embeddings) and links for `userID`, through the public API.
private func populate(_ store: MemoryService, userID: String) async throws {
    _ = try await store.createUser(UserDraft(id: userID, name: "User \(userID)", info: .object(["n": .number(1)])))
    for session in ["chat-1", "chat-2"] {
        _ = try await store.createSession(SessionDraft(userID: userID, id: session, title: "Chat \(session)"))
    }
    var messageIDs: [String] = []
    for (index, text) in ["I moved to Porto last month", "Noted: you live in Porto.", "I like hiking"].enumerated() {
        let message = try await store.appendMessage(
            MessageDraft(
                userID: userID, sessionID: index < 2 ? "chat-1" : "chat-2", role: index == 1 ? .assistant : .user,
                content: text))
        messageIDs.append(message.id)
    }
    let home = try await store.remember(
        MemoryDraft(
            userID: userID, content: "\(userID) lives in Porto, Portugal", sessionID: "chat-1", sector: .semantic,
            salience: 0.9, tags: ["home"], sourceMessageIDs: Array(messageIDs.prefix(2))))
    let move = try await store.remember(
        MemoryDraft(userID: userID, content: "\(userID) moved house in October", sector: .episodic))
    let hike = try await store.remember(
        MemoryDraft(
            userID: userID, content: "\(userID) enjoys hiking in the mountains", sector: .semantic,
            entity: EntityReference(system: "crm", id: "\(userID)-hobby", type: "Hobby"),
            entityData: .object(["kind": .string("hiking")])))
    _ = try await store.link(
        LinkDraft(userID: userID, sourceID: move.memory.id, targetID: home.memory.id, type: .ledTo, weight: 0.8))
    _ = try await store.link(
        LinkDraft(userID: userID, sourceID: hike.memory.id, targetID: home.memory.id, type: .relatesTo, weight: 0.4))
}

/// Every user's export, one ``ExportCodec`` line per record.
private func exportLines(_ store: MemoryService, users: [String]) async throws -> [String: [String]] {
    var lines: [String: [String]] = [:]
    for user in users { lines[user] = try await store.export(userID: user).map(ExportCodec.line) }
    return lines
}

/// Every user's memories by id: their stored content hash, which must equal the hash of their content.
private func contentHashes(_ store: MemoryService, users: [String]) async throws -> [String: String] {
    var hashes: [String: String] = [:]
    for user in users {
        for memory in try await store.memories(
            userID: user, filters: .init(includeInvalid: true), limit: 1000, offset: 0)
        {
            #expect(memory.contentHash == ContentHash.of(memory.content))
            hashes[memory.id] = memory.contentHash
        }
    }
    return hashes
}

/// Runs one statement outside a transaction (CREATE/DROP DATABASE) on its own connection, as the URL's role.
private func execute(_ configuration: PostgresConfiguration, _ sql: String) async throws {
    let connection = try await PostgresConnection.connect(
        configuration: PostgresDriver.connectionConfiguration(configuration, purpose: "test"), id: 99,
        logger: testLogger)
    do {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: testLogger)
        try await connection.close()
    } catch {
        try? await connection.close()
        throw error
    }
}

/// Drops a scratch database. An autovacuum worker the restore woke may still be connected, and the `engram` role
/// may not terminate it (`WITH (FORCE)` then fails with 42501): such a worker ends on its own, so the drop is
/// tried again, up to 30 times, half a second apart.
private func dropDatabase(_ name: String, as configuration: PostgresConfiguration) async throws {
    for attempt in 1...30 {
        do {
            return try await execute(configuration, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42501" && attempt < 30 {
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}

private func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engram-pgbk-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
