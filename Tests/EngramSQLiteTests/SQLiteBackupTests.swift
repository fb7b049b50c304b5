import EngramCore
import EngramSQLite
import Foundation
import GRDB
import Synchronization
import Testing

@testable import EngramTestSupport

/// `backup(to:)` and `restore(from:to:replace:)`: SQLite's online backup of a whole database, and its
/// checked, all-or-nothing restore.
@Suite struct SQLiteBackupTests {
    let directory: URL

    init() throws {
        directory = testRoot.appendingPathComponent("backup-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// A SQLite driver at `name` in this test's directory, and a harness of a service on it.
    private func harness(_ name: String) throws -> (driver: SQLiteDriver, harness: Harness) {
        let clock = ManualClock()
        let driver = try SQLiteDriver(path: path(name))
        return (driver, Harness(store: MemoryService(driver: driver, clock: clock), clock: clock))
    }

    /// A service on the SQLite file at `path`, created when missing.
    private func service(_ path: String, clock: ManualClock = ManualClock()) throws -> MemoryService {
        MemoryService(driver: try SQLiteDriver(path: path), clock: clock)
    }

    private func exportLines(_ store: MemoryService, users: [String]) async throws -> [String] {
        var lines: [String] = []
        for user in users {
            lines += try await store.export(userID: user).map(ExportCodec.line)
        }
        return lines
    }

    /// The files in this test's directory, names only, sorted.
    private func listing(_ folder: String? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder ?? directory.path).sorted()
    }

    @Test func aRestoredBackupExportsExactlyWhatTheOriginalDid() async throws {
        let (store, h) = try harness("original.sqlite")
        let alice = try await buildRichDataset(h, userID: "alice")
        let bob = try await buildRichDataset(h, userID: "bob")
        let original = try await exportLines(h.store, users: ["alice", "bob"])

        let backupPath = path("nested/folder/backup.sqlite")
        let report = try await store.backup(to: backupPath)
        #expect(report.source == store.path)
        #expect(report.destination == backupPath)
        #expect(report.quickCheck == "ok")
        #expect(report.bytes > 0)
        #expect(
            report.bytes
                == (try FileManager.default.attributesOfItem(atPath: backupPath)[.size] as? Int).map(Int64.init))
        #expect(report.rows["users"] == 2)
        #expect(report.rows["memories"] == alice.memories + bob.memories)
        #expect(report.rows["messages"] == alice.messages + bob.messages)
        #expect(report.rows["links"] == alice.links + bob.links)
        #expect(report.rows["embeddings"] ?? 0 >= alice.memories + bob.memories)
        #expect(report.rows["audit_log"] ?? 0 > 0)
        // The backup is one self-contained file, and no temporary file is left behind.
        #expect(try listing(directory.appendingPathComponent("nested/folder").path) == ["backup.sqlite"])
        // The store is still usable after the backup.
        _ = try await h.remember("alice", "Alice started learning the violin")

        let restoredPath = path("restored/engram.sqlite")
        let restoreReport = try SQLiteDriver.restore(from: backupPath, to: restoredPath, replace: false)
        #expect(restoreReport.rows == report.rows)
        #expect(restoreReport.bytes == report.bytes)
        #expect(restoreReport.source == backupPath)
        #expect(restoreReport.destination == restoredPath)
        #expect(try listing(directory.appendingPathComponent("restored").path) == ["engram.sqlite"])

        let restored = try service(restoredPath)
        #expect(try await exportLines(restored, users: ["alice", "bob"]) == original)
        #expect(try await restored.users().map(\.id).sorted() == ["alice", "bob"])
        #expect(await restored.health().status == "ok")
    }

    @Test func backupNeverOverwritesAFile() async throws {
        let (store, h) = try harness("engram.sqlite")
        try await h.user("alice")
        let backupPath = path("backup.sqlite")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: backupPath))
        await expectEngramError(.alreadyExists) { try await store.backup(to: backupPath) }
        #expect(try String(contentsOfFile: backupPath, encoding: .utf8) == "precious")

        let second = path("second.sqlite")
        _ = try await store.backup(to: second)
        await expectEngramError(.alreadyExists) { try await store.backup(to: second) }
        #expect(try listing().filter { $0.hasPrefix(".") }.isEmpty, "no temporary file is left behind")
    }

    @Test func restoreRefusesAnExistingDatabaseUnlessToldToReplaceIt() async throws {
        let (source, sourceHarness) = try harness("source.sqlite")
        try await buildRichDataset(sourceHarness, userID: "alice")
        let backupPath = path("backup.sqlite")
        _ = try await source.backup(to: backupPath)
        let expected = try await exportLines(sourceHarness.store, users: ["alice"])

        // The target holds another user; its write-ahead log is kept aside to be put back as a stale one.
        let target = path("target/engram.sqlite")
        var staleLog: Data?
        do {
            let clock = ManualClock()
            let store = try service(target, clock: clock)
            try await buildRichDataset(Harness(store: store, clock: clock), userID: "bob")
            staleLog = FileManager.default.contents(atPath: target + "-wal")
        }

        await expectEngramError(.alreadyExists) {
            try SQLiteDriver.restore(from: backupPath, to: target, replace: false)
        }
        #expect(try await service(target).users().map(\.id) == ["bob"])

        if let staleLog, !staleLog.isEmpty {
            try staleLog.write(to: URL(fileURLWithPath: target + "-wal"))
        }
        let report = try SQLiteDriver.restore(from: backupPath, to: target, replace: true)
        #expect(report.rows["users"] == 1)
        #expect(!FileManager.default.fileExists(atPath: target + "-wal"), "the old log must never meet the new file")
        #expect(!FileManager.default.fileExists(atPath: target + "-shm"))
        #expect(try listing(directory.appendingPathComponent("target").path) == ["engram.sqlite"])
        let restored = try service(target)
        #expect(try await restored.users().map(\.id) == ["alice"])
        #expect(try await exportLines(restored, users: ["alice"]) == expected)
        #expect(await restored.health().status == "ok")
    }

    @Test func restoringSomethingElseFailsAndLeavesTheTargetUntouched() async throws {
        let target = path("target/engram.sqlite")
        do {
            let clock = ManualClock()
            let store = try service(target, clock: clock)
            try await buildRichDataset(Harness(store: store, clock: clock), userID: "carol")
        }
        let before = try await exportLines(service(target), users: ["carol"])
        let beforeBytes = FileManager.default.contents(atPath: target)
        let beforeListing = try listing(directory.appendingPathComponent("target").path)

        let text = path("notes.txt")
        try Data("This is not a database.\n".utf8).write(to: URL(fileURLWithPath: text))
        let empty = path("empty.sqlite")
        try DatabaseQueue(path: empty).close()
        let other = path("other.sqlite")
        let queue = try DatabaseQueue(path: other)
        try await queue.write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            try db.execute(sql: "CREATE TABLE users (id TEXT PRIMARY KEY)")
        }
        try queue.close()

        for candidate in [text, empty, other] {
            for replace in [false, true] {
                let code: EngramError.Code = replace ? .invalidArgument : .alreadyExists
                await expectEngramError(code, "\(candidate) replace: \(replace)") {
                    try SQLiteDriver.restore(from: candidate, to: target, replace: replace)
                }
            }
        }
        await expectEngramError(.invalidArgument) {
            try SQLiteDriver.restore(from: path("missing.sqlite"), to: target, replace: true)
        }
        await expectEngramError(.invalidArgument) {
            try SQLiteDriver.restore(from: text, to: path("fresh/engram.sqlite"), replace: false)
        }
        #expect(!FileManager.default.fileExists(atPath: path("fresh/engram.sqlite")))

        #expect(FileManager.default.contents(atPath: target) == beforeBytes)
        #expect(try listing(directory.appendingPathComponent("target").path) == beforeListing)
        #expect(try await exportLines(service(target), users: ["carol"]) == before)
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "This is not a database.\n")
    }

    @Test func aBackupTakenDuringWritesRestoresToAConsistentDatabase() async throws {
        let (driver, h) = try harness("busy.sqlite")
        let store = h.store
        try await h.user("alice")
        try await h.session("alice", id: "chat")
        for index in 0..<150 {
            _ = try await store.remember(
                MemoryDraft(
                    userID: "alice", content: "Seed note \(index): item \(index * 31) goes on shelf \(index % 9)"))
        }

        let progress = WriterProgress()
        let writer = Task {
            var index = 0
            var previous: String?
            while !progress.stop.load(ordering: .relaxed) {
                let outcome = try await store.remember(
                    MemoryDraft(
                        userID: "alice", content: "Live note \(index) written during the backup, code \(index * 17)"))
                _ = try await store.appendMessage(
                    MessageDraft(userID: "alice", sessionID: "chat", role: .user, content: "Message \(index)"))
                if let previous, previous != outcome.memory.id {
                    _ = try? await store.link(
                        LinkDraft(userID: "alice", sourceID: previous, targetID: outcome.memory.id, type: .temporal))
                }
                previous = outcome.memory.id
                index += 1
                progress.written.add(1, ordering: .relaxed)
            }
        }
        while progress.written.load(ordering: .relaxed) < 5 { try await Task.sleep(for: .milliseconds(5)) }

        let backupPath = path("busy-backup.sqlite")
        let report = try await driver.backup(to: backupPath)
        let duringBackup = progress.written.load(ordering: .relaxed)
        for _ in 0..<1000 where progress.written.load(ordering: .relaxed) <= duringBackup {
            try await Task.sleep(for: .milliseconds(5))
        }
        progress.stop.store(true, ordering: .relaxed)
        try await writer.value
        #expect(progress.written.load(ordering: .relaxed) > duringBackup, "the store kept accepting writes")

        let restoredPath = path("busy-restored.sqlite")
        _ = try SQLiteDriver.restore(from: backupPath, to: restoredPath, replace: false)
        let check = try DatabaseQueue(path: restoredPath).read { db in
            let quickCheck = try String.fetchOne(db, sql: "PRAGMA quick_check")
            let counters = try Row.fetchOne(
                db,
                sql: """
                    SELECT memory_count, message_count, link_count, session_count,
                        (SELECT count(*) FROM memories) AS memories, (SELECT count(*) FROM messages) AS messages,
                        (SELECT count(*) FROM links) AS links, (SELECT count(*) FROM sessions) AS sessions,
                        (SELECT message_count FROM sessions WHERE id = 'chat') AS chat_messages,
                        (SELECT count(*) FROM embeddings) AS embeddings
                    FROM users WHERE id = 'alice'
                    """)!
            return (quickCheck, counters)
        }
        #expect(check.0 == "ok")
        let counters = check.1
        #expect(counters["memory_count"] as Int == counters["memories"] as Int)
        #expect(counters["message_count"] as Int == counters["messages"] as Int)
        #expect(counters["chat_messages"] as Int == counters["messages"] as Int)
        #expect(counters["link_count"] as Int == counters["links"] as Int)
        #expect(counters["session_count"] as Int == counters["sessions"] as Int)
        #expect(counters["embeddings"] as Int >= counters["memories"] as Int)
        #expect(report.rows["memories"] == counters["memories"] as Int)
        #expect((counters["memories"] as Int) >= 150 + 5)

        let restored = try service(restoredPath)
        #expect(await restored.health().status == "ok")
        let statistics = try await restored.statistics(userID: "alice")
        #expect(statistics.memories == counters["memories"] as Int)
        #expect(try await store.statistics(userID: "alice").memories > statistics.memories)
    }
}

/// What the background writer of the backup-under-load test has done, and the flag that stops it
/// (rather than cancellation, which would fail the write in flight).
private final class WriterProgress: Sendable {
    let written = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
}
