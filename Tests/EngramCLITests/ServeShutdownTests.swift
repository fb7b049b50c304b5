import AsyncHTTPClient
import EngramCore
import EngramSQLite
import Foundation
import NIOCore
import Synchronization
import Testing

/// `engram serve` as a process: a SIGTERM in the middle of a burst of writes loses none that it acknowledged.
@Suite struct ServeShutdownTests {
    /// The `engram` binary `swift build` made beside the tests.
    static var binary: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidate = root.appendingPathComponent(".build/debug/engram")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// Starts `engram serve` on a free port and returns the process and its base URL (read from its banner).
    static func start(_ binary: URL, arguments: [String]) throws -> (Process, String, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--embedder", "hashing", "--log-level", "error"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var banner = Data()
        while !String(decoding: banner, as: UTF8.self).contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            banner.append(chunk)
        }
        let text = String(decoding: banner, as: UTF8.self)
        guard let range = text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) else {
            process.terminate()
            throw EngramError(.storageFailure, "engram serve printed no URL: \(text)")
        }
        return (process, String(text[range]), output)
    }

    @Test func aSIGTERMDuringABurstOfWritesLosesNoAcknowledgedWrite() async throws {
        let binary = try #require(Self.binary, "build engram first (swift build)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engram-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
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
