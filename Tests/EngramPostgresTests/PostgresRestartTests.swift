import EngramCore
import Foundation
import Glibc
import Synchronization
import Testing

@testable import EngramPostgres

/// The URL of a second PostgreSQL server that tests may stop and start: `scripts/test.sh` runs it with
/// `ENGRAM_PG_INSTANCE=faults scripts/pg.sh` and sets this, with the command that controls it.
let faultDatabaseURL = ProcessInfo.processInfo.environment["ENGRAM_TEST_FAULT_DATABASE_URL"]

/// `scripts/pg.sh` for the fault server, with its instance and port: append `stop` or `start`.
let faultServerCommand = ProcessInfo.processInfo.environment["ENGRAM_TEST_FAULT_PG"]

/// The fault tests run only when both are set.
let faultServerAvailable = faultDatabaseURL != nil && faultServerCommand != nil

/// The server restarts under a load of batch writes, as `engram remember --file` makes: every write ends, with its
/// memories stored or with `database_unavailable`, and once the server is back writes succeed again in the same
/// process. The server is one of the tests' own (the shared one keeps serving the other tests).
@Suite(
    .enabled(
        if: faultServerAvailable, "needs ENGRAM_TEST_FAULT_DATABASE_URL and ENGRAM_TEST_FAULT_PG (scripts/test.sh)"),
    .serialized)
struct PostgresRestartTests {
    /// How many writers run batches side by side, and the memories in each batch.
    static let writers = 3
    static let batch = 100

    @Test func writesDuringARestartEndAndTheDriverRecovers() async throws {
        var configuration = try PostgresConfiguration(url: try #require(faultDatabaseURL))
        configuration.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        configuration.poolSize = 4
        try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
            let store = service(driver)
            try await store.migrateUp()
            _ = try await store.createUser(UserDraft(id: "alice"))
            let log = WriteLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<Self.writers {
                    group.addTask { await Self.write(store, writer: writer, log: log) }
                }
                // Restart once the writers are under way (they have stored a few batches).
                let start = ContinuousClock.now
                while log.storedBatches < Self.writers, ContinuousClock.now - start < .seconds(60) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try #require(log.storedBatches >= Self.writers, "the writers stored nothing within 60 s")
                try await faultServer("stop")
                try await faultServer("start")
                log.restarted()
                try await group.waitForAll()
            }

            let writes = log.writes
            #expect(!writes.contains { $0.hung }, "a write did not end within 60 s")
            for write in writes {
                if let error = write.error {
                    #expect((error as? EngramError)?.code == .databaseUnavailable, "\(error)")
                }
            }
            for writer in 0..<Self.writers {
                #expect(
                    writes.contains { $0.writer == writer && $0.afterRestart && $0.error == nil && !$0.hung },
                    "writer \(writer) never wrote again after the restart")
            }
            // A failed write stored nothing, unless the connection closed after its COMMIT.
            let stored = try await store.user("alice").counters.memories
            let succeeded = writes.filter { $0.error == nil && !$0.hung }.count
            #expect(stored >= succeeded * Self.batch)
            #expect(stored <= writes.count * Self.batch)
            try await dropSchema(driver)
        }
    }

    /// While the server is down, an operation waits for a connection only until the pool has handed out none for
    /// connect_timeout + statement_timeout (5 s here), then fails with `database_unavailable`; once the server is
    /// back, operations of the same driver succeed again.
    @Test func anOperationWhileTheServerIsDownFailsAndLaterOnesSucceed() async throws {
        var configuration = try PostgresConfiguration(url: try #require(faultDatabaseURL))
        configuration.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        configuration.connectTimeout = .seconds(2)
        configuration.statementTimeout = .seconds(3)
        try await PostgresDriver.withDriver(configuration, logger: testLogger) { driver in
            let store = service(driver)
            try await store.migrateUp()
            _ = try await store.createUser(UserDraft(id: "alice"))
            try await faultServer("stop")
            let result = await outcome(within: .seconds(60)) { try await store.user("alice") }
            try await faultServer("start")

            let outcome = try #require(result, "no answer within 60 s while the server was down: the operation hung")
            let failure = try #require(outcome.failure, "the operation succeeded with the server down")
            #expect((failure as? EngramError)?.code == .databaseUnavailable, "\(failure)")
            let start = ContinuousClock.now
            var user: User?
            while user == nil, ContinuousClock.now - start < .seconds(60) {
                user = try? await store.user("alice")
            }
            #expect(user?.id == "alice", "no operation succeeded within 60 s of the server's return")
            try await dropSchema(driver)
        }
    }

    /// Writes batches of memories until it has written one after the restart, or until writes have failed for a
    /// minute after it; stops at a write that hangs.
    private static func write(_ store: MemoryService, writer: Int, log: WriteLog) async {
        var number = 0
        var restartedAt: ContinuousClock.Instant?
        while !Task.isCancelled {
            let afterRestart = log.isRestarted
            if afterRestart, restartedAt == nil { restartedAt = .now }
            let drafts = (0..<batch).map {
                MemoryDraft(userID: "alice", content: "Writer \(writer), batch \(number), line \($0)")
            }
            number += 1
            let result = await outcome(within: .seconds(60)) { try await store.rememberAll(drafts) }
            let error = result?.failure
            log.append(WriteLog.Write(writer: writer, afterRestart: afterRestart, hung: result == nil, error: error))
            guard result != nil else { return }
            if afterRestart, error == nil { return }
            if let restartedAt, ContinuousClock.now - restartedAt > .seconds(60) { return }
        }
    }

    /// Runs `scripts/pg.sh <action>` for the fault server and waits for it on a thread of its own.
    private func faultServer(_ action: String) async throws {
        let command = "\(try #require(faultServerCommand)) \(action) >/dev/null 2>&1"
        let status = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Self.shell(command)) }
        }
        #expect(status == 0, "scripts/pg.sh \(action) failed for the fault server")
    }

    /// Runs `/bin/sh -c command` and waits for it; returns its exit status (-1 if it did not exit normally).
    ///
    /// Not through Foundation's `Process`: on Linux it learns that a child exited when a socket the child inherited
    /// closes, and `pg.sh start` leaves a server running that would hold it open for good. The child here inherits
    /// only standard input, output and error, with every signal unblocked and at its default.
    private static func shell(_ command: String) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        closeInheritedDescriptors(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let words: [String] = ["/bin/sh", "-c", command]
        let arguments = words.map { strdup($0) }
        defer { arguments.forEach { free($0) } }
        var argv = arguments + [nil]
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return -1 }
        }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
    }

    /// Closes every descriptor above standard error in the child: glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34 and later, looked up at run time as Swift does not import
    /// it), else each descriptor open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }
}

/// What the writers did, in order.
private final class WriteLog: Sendable {
    struct Write: Sendable {
        var writer: Int
        /// Started after the server was back.
        var afterRestart: Bool
        /// Did not end within 60 s.
        var hung: Bool
        var error: (any Error)?
    }

    private let state = Mutex<(writes: [Write], restarted: Bool)>(([], false))

    var writes: [Write] { state.withLock { $0.writes } }
    var isRestarted: Bool { state.withLock { $0.restarted } }

    func append(_ write: Write) { state.withLock { $0.writes.append(write) } }
    func restarted() { state.withLock { $0.restarted = true } }

    /// How many writes have stored their batch.
    var storedBatches: Int {
        state.withLock { $0.writes.filter { $0.error == nil && !$0.hung }.count }
    }
}
