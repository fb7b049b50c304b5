import AsyncHTTPClient
import EngramCore
import EngramSQLite
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import EngramCLI

/// `engram serve` as a process: settings from options, environment and file; a SIGTERM in the middle of a burst
/// of writes loses none that it acknowledged.
@Suite struct ServeProcessTests {
    /// The `engram` binary `swift build` made beside the tests.
    static var binary: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidate = root.appendingPathComponent(".build/debug/engram")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// Starts `engram serve` on a free port and returns the process, its base URL and its banner.
    static func start(_ binary: URL, arguments: [String], environment: [String: String] = [:]) throws -> (
        Process, String, String
    ) {
        let process = Process()
        process.executableURL = binary
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.arguments = ["serve", "--port", "0", "--embedder", "hashing", "--log-level", "error"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var banner = Data()
        while !String(decoding: banner, as: UTF8.self).contains("mcpServers") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            banner.append(chunk)
        }
        let text = String(decoding: banner, as: UTF8.self)
        guard let range = text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) else {
            process.terminate()
            throw EngramError(.storageFailure, "engram serve printed no URL: \(text)")
        }
        return (process, String(text[range]), text)
    }

    /// A fresh folder for one test's database and files.
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engram-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func theFailedAuthenticationLimitIsASetting() async throws {
        #expect(try await ServeCommand.parse([]).settings().server.authenticationFailureBurst == 20)
        #expect(
            try await ServeCommand.parse(["--auth-failure-burst", "5"]).settings().server.authenticationFailureBurst
                == 5)
        #expect(
            try await ServeCommand.parse(["--auth-failure-burst", "0"]).settings().server.authenticationFailureBurst
                == .max)
        await #expect(throws: (any Error).self) {
            _ = try await ServeCommand.parse(["--auth-failure-burst", "-1"]).settings()
        }
    }

    @Test func trustedProxiesAreAddresses() async throws {
        #expect(try await ServeCommand.parse([]).settings().server.trustedProxies.isEmpty)
        let options = ["--trusted-proxy", "192.0.2.10", "--trusted-proxy", "2001:DB8::0:1"]
        #expect(
            try await ServeCommand.parse(options).settings().server.trustedProxies == ["192.0.2.10", "2001:db8::1"])
        await #expect(throws: (any Error).self) {
            _ = try await ServeCommand.parse(["--trusted-proxy", "proxy.example"]).settings()
        }
    }

    @Test func settingsComeFromOptionsThenEnvironmentThenFile() async throws {
        let binary = try #require(Self.binary, "build engram first (swift build)")
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("engram.json")
        // The file asks for port 1  and a 1 KiB body limit; the
        // environment turns keys off; the option's port 0 wins over the file's.
        try #"{"http": {"port": 1, "maxBodyBytes": 1024}, "auth": {"disabled": false}}"#.write(
            to: config, atomically: true, encoding: .utf8)
        let (process, base, _) = try Self.start(
            binary, arguments: ["--db", folder.appendingPathComponent("s.sqlite").path, "--config", config.path],
            environment: ["ENGRAM_AUTH_DISABLED": "true"])
        defer { process.terminate() }
        #expect(!base.hasSuffix(":1"), "the option's port 0 wins over the file's port 1")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let users = try await client.execute(HTTPClientRequest(url: "\(base)/v1/users"), timeout: .seconds(30))
        #expect(users.status == .ok)
        var large = HTTPClientRequest(url: "\(base)/v1/users")
        large.method = .POST
        large.body = .bytes(ByteBuffer(string: #"{"id": "\#(String(repeating: "x", count: 2000))"}"#))
        let refused = try await client.execute(large, timeout: .seconds(30))
        #expect(refused.status.code == 413)
        try await client.shutdown()
    }

    /// On PostgreSQL (when the tests have a server): the first start creates and prints a key that works, and SIGTERM
    /// ends the server cleanly. The key is made once the driver's pool runs.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ENGRAM_TEST_DATABASE_URL"] != nil))
    func aFirstStartOnPostgreSQLPrintsAWorkingKey() async throws {
        let binary = try #require(Self.binary, "build engram first (swift build)")
        let base = try #require(ProcessInfo.processInfo.environment["ENGRAM_TEST_DATABASE_URL"])
        let schema = "serve_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let (process, url, banner) = try Self.start(binary, arguments: ["--db", "\(base)?schema=\(schema)"])
        defer { if process.isRunning { process.terminate() } }
        let key = try #require(
            banner.split(separator: "\n").first { $0.hasPrefix("Created an API key") }?.split(separator: " ").last)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: "\(url)/v1/users/default/memories")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.body = .bytes(ByteBuffer(string: #"{"content": "kept in PostgreSQL"}"#))
        let created = try await client.execute(request, timeout: .seconds(30))
        try await client.shutdown()
        #expect(created.status == .created)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// Runs `engram serve` on a fresh SQLite path with `arguments` and `environment` until it exits (these settings
    /// are refused at once); returns its exit status, standard error and whether the database file was made.
    static func refusedStart(_ arguments: [String], environment: [String: String]) throws -> (Int32, String, Bool) {
        let binary = try #require(Self.binary, "build engram first (swift build)")
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--db", database, "--port", "0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text, FileManager.default.fileExists(atPath: database))
    }

    @Test func servingWithoutKeysIsRefusedOffLoopback() throws {
        let (status, text, made) = try Self.refusedStart(["--no-auth"], environment: ["ENGRAM_HTTP_HOST": "0.0.0.0"])
        #expect(status != 0)
        #expect(text.contains("loopback"))
        #expect(!made)
    }

    /// The environment's list is comma-separated, and each entry is checked.
    @Test func trustedProxiesFromTheEnvironmentAreChecked() throws {
        let (status, text, made) = try Self.refusedStart(
            [], environment: ["ENGRAM_HTTP_TRUSTED_PROXIES": "192.0.2.10,proxy.example"])
        #expect(status != 0)
        #expect(text.contains("\"proxy.example\" is not an IP address"), "\(text)")
        #expect(!made)
    }

    @Test func aSIGTERMDuringABurstOfWritesLosesNoAcknowledgedWrite() async throws {
        let binary = try #require(Self.binary, "build engram first (swift build)")
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("serve.sqlite").path
        let (process, base, _) = try Self.start(binary, arguments: ["--db", database, "--no-auth"])
        defer { if process.isRunning { process.terminate() } }

        let pid = process.processIdentifier
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let ledger = Ledger()
        var create = HTTPClientRequest(url: "\(base)/v1/users")
        create.method = .POST
        create.body = .bytes(ByteBuffer(string: #"{"id": "default"}"#))
        #expect(try await client.execute(create, timeout: .seconds(30)).status == .created)
        // Eight writers send memories one after another; after 200 acknowledged writes the server gets SIGTERM,
        // and every writer goes on until the server stops answering.
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<10_000 {
                        var request = HTTPClientRequest(url: "\(base)/v1/users/default/memories")
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: #"{"content": "writer \#(writer) write \#(index)"}"#))
                        guard let response = try? await client.execute(request, timeout: .seconds(30)),
                            let body = try? await response.body.collect(upTo: 1 << 20)
                        else { return }
                        guard response.status == .created,
                            let reply = try? JSONDecoder().decode(Reply.self, from: Data(buffer: body))
                        else {
                            // Refused while shutting down (503): nothing was acknowledged; the writer stops.
                            return
                        }
                        if ledger.acknowledge(reply.memory.id) == 200 {
                            kill(pid, SIGTERM)
                        }
                    }
                }
            }
        }
        try await client.shutdown()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)

        let ids = ledger.ids.withLock { $0 }
        #expect(ids.count >= 200)
        let driver = try SQLiteDriver(path: database, access: .readOnly)
        defer { try? driver.close() }
        let service = MemoryService(driver: driver, migratesOnFirstUse: false)
        let stored = Set(
            try await service.memories(userID: "default", filters: .init(), limit: 100_000, offset: 0).map(\.id))
        let lost = ids.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) acknowledged writes are missing after SIGTERM")
    }

    /// The ids the server acknowledged.
    final class Ledger: Sendable {
        let ids = Mutex<[String]>([])

        /// Records an acknowledged id; returns how many there are now.
        func acknowledge(_ id: String) -> Int {
            ids.withLock { ids in
                ids.append(id)
                return ids.count
            }
        }
    }

    private struct Reply: Decodable {
        struct Stored: Decodable { var id: String }
        var memory: Stored
    }
}
