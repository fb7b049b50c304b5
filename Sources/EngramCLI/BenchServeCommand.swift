import ArgumentParser
import AsyncHTTPClient
import EngramCore
import Foundation
import NIOCore
import NIOHTTP1

/// `engram bench serve`: drives a running `engram serve` over real sockets, as agents would.
struct BenchServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Drive a running engram serve over HTTP: fill a user with N memories, then time concurrent recalls.",
        discussion: """
            Fills the user (default: bench) up to --memories through POST /v1/users/{user}/memories/bulk, then sends \
            --queries recalls of random 3-word queries from --clients concurrent clients and reports requests/s and \
            latency percentiles as the clients saw them: HTTP, query embedding, search and scoring. The key needs to \
            be an admin key (to create the user) or the user's own. Nothing here is asserted: it measures.
            """)

    @Option(help: ArgumentHelp("The server's base URL.", valueName: "url"))
    var url = "http://127.0.0.1:8787"

    @Option(help: ArgumentHelp("An API key (default: $ENGRAM_API_KEY).", valueName: "secret"))
    var key: String?

    @Option(help: "The user to fill and query.")
    var user = "bench"

    @Option(help: "How many memories the user holds before recalls are timed.")
    var memories = 10_000

    @Option(help: "How many recalls to time.")
    var queries = 1_000

    @Option(help: "Concurrent clients.")
    var clients = 4

    @Option(name: .customShort("k"), help: "Results per recall.")
    var k = 10

    @Option(help: "Memories per bulk request while filling.")
    var batch = 200

    @Option(help: "Seed of the synthetic data and queries.")
    var seed: UInt64 = 7

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        guard memories >= 0, queries > 0, clients > 0, (1...InputValidator.maxBatch).contains(batch), k > 0 else {
            throw ValidationError("--memories ≥ 0, --queries > 0, --clients > 0, --k > 0 and --batch 1…10000.")
        }
    }

    /// What a run measured.
    struct Report: Codable {
        var url: String
        var memories: Int
        var ingested: Int
        var ingestPerSecond: Double
        var clients: Int
        var queries: Int
        var errors: Int
        var requestsPerSecond: Double
        var latency: LatencySummary
    }

    mutating func run() async throws {
        let secret = key ?? ProcessInfo.processInfo.environment["ENGRAM_API_KEY"]
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let report = try await measure(BenchHTTP(client: client, base: url, key: secret))
            try await client.shutdown()
            if json {
                try Output.json(report)
            } else {
                Output.printFields([
                    ("server", report.url),
                    ("memories", "\(report.memories) (\(report.ingested) added now)"),
                    ("ingest", String(format: "%.0f memories/s over HTTP bulk", report.ingestPerSecond)),
                    ("recall", String(format: "%.1f requests/s from %d clients", report.requestsPerSecond, clients)),
                    ("latency", report.latency.description),
                    ("errors", "\(report.errors)"),
                ])
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func measure(_ http: BenchHTTP) async throws -> Report {
        let clock = ContinuousClock()
        let created = try await http.send(.POST, "/v1/users", #"{"id": \#(JSONValue.string(user).jsonText)}"#)
        guard [200, 201, 403].contains(created.status) else {
            throw ValidationError("POST /v1/users answered \(created.status): \(created.body)")
        }
        let stats = try await http.send(.GET, "/v1/users/\(user)/stats", nil)
        guard stats.status == 200, case .number(let count)? = stats.json["memories"] else {
            throw ValidationError("GET /v1/users/\(user)/stats answered \(stats.status): \(stats.body)")
        }
        let existing = Int(count)
        var random = SplitMix64(seed: seed)
        let toAdd = max(0, memories - existing)
        let fillStart = clock.now
        for start in stride(from: existing, to: existing + toAdd, by: batch) {
            let items = (start..<min(start + batch, existing + toAdd)).map { index in
                let text = BenchStoreCommand.sentence(&random, index: index)
                return #"{"content": \#(JSONValue.string(text).jsonText), "tags": ["t\#(index % 50)"]}"#
            }
            let reply = try await http.send(
                .POST, "/v1/users/\(user)/memories/bulk", #"{"memories": [\#(items.joined(separator: ","))]}"#)
            guard reply.status == 200 else {
                throw ValidationError("bulk create answered \(reply.status): \(reply.body)")
            }
        }
        let fillSeconds = (clock.now - fillStart).seconds

        let bodies = (0..<queries + clients).map { _ in
            let text = (0..<3).map { _ in
                BenchStoreCommand.vocabulary[Int(random.next() % UInt64(BenchStoreCommand.vocabulary.count))]
            }.joined(separator: " ")
            return #"{"query": "\#(text)", "k": \#(k)}"#
        }
        // One warm-up recall per client (connections, first model call), then the timed ones.
        let path = "/v1/users/\(user)/recall"
        let clients = clients
        _ = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<clients { group.addTask { try await http.send(.POST, path, bodies[index]).status } }
            return try await group.reduce(0) { $0 + $1 }
        }
        let timed = Array(bodies.dropFirst(clients))
        let start = clock.now
        let results = try await withThrowingTaskGroup(of: [(Double, Bool)].self) { group in
            for client in 0..<clients {
                group.addTask {
                    var samples: [(Double, Bool)] = []
                    for index in stride(from: client, to: timed.count, by: clients) {
                        let begin = ContinuousClock.now
                        let reply = try await http.send(.POST, path, timed[index])
                        samples.append(((ContinuousClock.now - begin).seconds * 1000, reply.status == 200))
                    }
                    return samples
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let wall = (clock.now - start).seconds
        return Report(
            url: http.base, memories: existing + toAdd, ingested: toAdd,
            ingestPerSecond: toAdd > 0 ? Double(toAdd) / fillSeconds : 0, clients: clients, queries: results.count,
            errors: results.filter { !$0.1 }.count, requestsPerSecond: Double(results.count) / wall,
            latency: LatencySummary(milliseconds: results.map(\.0)))
    }
}

/// Requests to an Engram server with one key.
struct BenchHTTP: Sendable {
    let client: HTTPClient
    let base: String
    let key: String?

    struct Reply {
        var status: Int
        var body: String
        var json: [String: JSONValue] {
            (try? JSONDecoder().decode([String: JSONValue].self, from: Data(body.utf8))) ?? [:]
        }
    }

    func send(_ method: HTTPMethod, _ path: String, _ body: String?) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(120))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: buffer))
    }
}

/// Percentiles of a set of latencies, in milliseconds.
struct LatencySummary: Codable, CustomStringConvertible {
    var p50: Double
    var p95: Double
    var p99: Double
    var max: Double

    init(milliseconds samples: [Double]) {
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
        p50 = percentile(0.5)
        p95 = percentile(0.95)
        p99 = percentile(0.99)
        max = sorted.last ?? 0
    }

    var description: String {
        String(format: "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms", p50, p95, p99, max)
    }
}
