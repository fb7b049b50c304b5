import ArgumentParser
import EngramCore
import EngramSQLite
import Foundation

/// `engram bench`: measurements; `engram bench` alone is `engram bench store`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the store (default), the local embedder, or a running server.",
        subcommands: [BenchStoreCommand.self, BenchEmbedCommand.self, BenchServeCommand.self],
        defaultSubcommand: BenchStoreCommand.self)
}

/// `engram bench [store]`: ingest and recall latency on a synthetic store of N memories.
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Measure ingest rate and recall latency on a synthetic store of N memories.",
        discussion: """
            Fills a database (by default .engram/bench-N.sqlite, reused when it already holds N memories for the
            bench users) with N synthetic memories spread over --users users, then times Q recalls of random
            3-word queries, each by a random user. Reports ingest rate, recall percentiles, how much of the exact
            vector top 10 the vector search finds (SQLite's int8 pass before its exact re-rank, or PostgreSQL's
            index; first 100 queries), the process's peak RSS and (SQLite) the database size.
            It measures the store, so it embeds with the hashing embedder unless --embedder says otherwise.
            Build with -c release for meaningful figures. Nothing here is asserted: it measures.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "How many memories the store holds.")
    var memories = 10_000

    @Option(name: .long, help: "How many recalls to time.")
    var queries = 200

    @Option(name: .customShort("k"), help: "Results per recall.")
    var k = 10

    @Option(name: .long, help: "Seed of the synthetic data and queries.")
    var seed: UInt64 = 42

    @Option(
        name: .long,
        help: "Memories per transaction while filling: 1 is one remember each, more the bulk path (rememberBatches).")
    var batch = 1

    @Option(name: .long, help: "Users the memories are spread over (round robin); each recall asks a random one.")
    var users = 1

    @Flag(
        name: .customLong("reinforce"), inversion: .prefixedNo,
        help: "Whether recalls reinforce what they return (as recall does by default; written in the background).")
    var reinforce = true

    func validate() throws {
        guard memories > 0, memories <= 10_000_000 else {
            throw ValidationError("--memories must be from 1 to 10000000.")
        }
        guard queries > 0 else { throw ValidationError("--queries must be positive.") }
        guard (1...memories).contains(users) else { throw ValidationError("--users must be from 1 to --memories.") }
        guard (1...InputValidator.maxBatch).contains(batch) else {
            throw ValidationError("--batch must be from 1 to \(InputValidator.maxBatch).")
        }
    }

    /// What one bench run measured.
    struct Report: Codable {
        var memories: Int
        var users: Int
        var embedder: String
        var batch: Int
        var ingested: Int
        var ingestSeconds: Double
        var ingestPerSecond: Double
        var queries: Int
        var k: Int
        var coldRecallMs: Double
        /// How long the SQLite store took, after the first recall, to finish building vector graphs (`nil` on
        /// PostgreSQL).
        var graphWaitSeconds: Double?
        var p50Ms: Double
        var p95Ms: Double
        var p99Ms: Double
        var maxMs: Double
        var meanResults: Double
        /// How much of the exact vector top 10 the vector search found, over the first ``recallSample`` queries.
        var vectorRecallAt10: Double
        /// VmHWM of the process at the end, in MiB (`nil` where /proc is unavailable).
        var peakRSSMiB: Double?
        /// The SQLite file with its write-ahead log, in bytes (`nil` on PostgreSQL).
        var databaseBytes: Int?
    }

    mutating func run() async throws {
        var options = global
        if options.embedding.name == nil { options.embedding.name = "hashing" }
        if case .sqlite = try global.location(), global.db == nil, global.databaseURL == nil {
            options.db = users == 1 ? ".engram/bench-\(memories).sqlite" : ".engram/bench-\(memories)-\(users)u.sqlite"
        }
        var report = try await options.withService(.write) { store in try await measure(store) }
        if case .sqlite(let path) = try options.location() {
            report.databaseBytes = [path, path + "-wal"].compactMap {
                (try? FileManager.default.attributesOfItem(atPath: $0)[.size]) as? Int
            }.reduce(0, +)
        }
        if global.json {
            try Output.json(report)
        } else {
            print(report, database: options.databaseDescription())
        }
    }

    /// Fills `store` up to ``memories`` and times ``queries`` recalls.
    private func measure(_ store: MemoryService) async throws -> Report {
        let base = global.user ?? "bench"
        let userIDs = users == 1 ? [base] : (0..<users).map { "\(base)-\($0)" }
        var existing = 0
        for userID in userIDs {
            _ = try await store.createUser(UserDraft(id: userID, name: "bench"))
            existing += try await store.statistics(userID: userID).memories
        }
        var random = SplitMix64(seed: seed)
        let clock = ContinuousClock()

        let toIngest = max(0, memories - existing)
        let ingestStart = clock.now
        // A bulk load: a large fill builds PostgreSQL's vector index once at the end, inside the timing.
        try await store.bulkLoad(memories: toIngest) {
            var next = existing
            var groups: [[MemoryDraft]] = []
            // `batch` memories at a time, one transaction per user among them (rememberAll takes one user's).
            func drafts() -> [MemoryDraft]? {
                while groups.isEmpty, next < existing + toIngest {
                    let drafts = (next..<min(next + batch, existing + toIngest)).map { index in
                        MemoryDraft(
                            userID: userIDs[index % users], content: Self.sentence(&random, index: index),
                            sector: Sector.allCases[index % Sector.allCases.count], salience: Double(index % 10) / 10,
                            tags: ["t\(index % 50)"])
                    }
                    groups = Dictionary(grouping: drafts, by: \.userID).sorted { $0.key < $1.key }.map(\.value)
                    next += batch
                }
                return groups.isEmpty ? nil : groups.removeFirst()
            }
            if batch == 1 {
                while let drafts = drafts() { _ = try await store.remember(drafts[0]) }
            } else {
                try await store.rememberBatches(drafts, stored: { _ in })
            }
        }
        let ingestSeconds = (clock.now - ingestStart).seconds

        var latencies: [Double] = []
        var texts: [(userID: String, text: String)] = []
        var resultCounts = 0
        var graphWaitSeconds: Double?
        for query in 0..<queries + 1 {
            if query == 1, let driver = store.driver as? SQLiteDriver {
                // The first recall started building the vector graphs of users past the threshold: the timed ones
                // use them.
                let waitStart = clock.now
                try await driver.waitForVectorGraphs()
                graphWaitSeconds = (clock.now - waitStart).seconds
            }
            let text = (0..<3).map { _ in Self.vocabulary[Int(random.next() % UInt64(Self.vocabulary.count))] }
                .joined(separator: " ")
            let userID = userIDs[Int(random.next() % UInt64(users))]
            texts.append((userID, text))
            let start = clock.now
            let results = try await store.recall(RecallQuery(userID: userID, text: text, k: k, reinforce: reinforce))
            latencies.append((clock.now - start).seconds * 1000)
            resultCounts += results.count
        }
        let cold = latencies.removeFirst()
        let summary = LatencySummary(milliseconds: latencies)
        await store.flushReinforcements()
        // The vector search beside an exhaustive scan, on the first queries (after the timing: it is slow).
        var vectorRecall = 0.0
        let sample = Array(texts.prefix(Self.recallSample))
        for (userID, group) in Dictionary(grouping: sample, by: \.userID) {
            let recall = try await store.vectorSearchRecall(userID: userID, queries: group.map(\.text), k: 10)
            vectorRecall += recall * Double(group.count) / Double(sample.count)
        }
        return Report(
            memories: existing + toIngest, users: users, embedder: EmbeddingModel(store.embedder).description,
            batch: batch,
            ingested: toIngest, ingestSeconds: ingestSeconds,
            ingestPerSecond: toIngest > 0 ? Double(toIngest) / ingestSeconds : 0, queries: queries, k: k,
            coldRecallMs: cold, graphWaitSeconds: graphWaitSeconds, p50Ms: summary.p50, p95Ms: summary.p95,
            p99Ms: summary.p99, maxMs: summary.max,
            meanResults: Double(resultCounts) / Double(queries + 1), vectorRecallAt10: vectorRecall,
            peakRSSMiB: BenchEmbedCommand.peakRSSMiB(),
            databaseBytes: nil)
    }

    private func print(_ report: Report, database: String) {
        Output.printFields([
            ("database", database),
            (
                "memories",
                "\(report.memories) over \(report.users) user(s) (\(report.ingested) ingested now, \(report.batch) per transaction)"
            ),
            ("embedder", report.embedder),
            (
                "ingest",
                report.ingested > 0
                    ? String(format: "%.1f s, %.0f memories/s", report.ingestSeconds, report.ingestPerSecond)
                    : "skipped (store already filled)"
            ),
            ("recall, first (cold)", String(format: "%.2f ms", report.coldRecallMs)),
            ("vector graphs built", report.graphWaitSeconds.map { String(format: "%.1f s after it", $0) } ?? "-"),
            (
                "recall, \(queries) queries, k=\(k)",
                String(
                    format: "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms", report.p50Ms, report.p95Ms,
                    report.p99Ms, report.maxMs)
            ),
            (
                "vector search recall@10",
                String(
                    format: "%.3f of the exact top 10 (first %d queries)", report.vectorRecallAt10,
                    min(report.queries + 1, Self.recallSample))
            ),
            ("peak RSS", report.peakRSSMiB.map { String(format: "%.0f MiB", $0) } ?? "-"),
            ("database size", report.databaseBytes.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "-"),
        ])
    }

    /// How many queries the vector search's recall is measured on.
    static let recallSample = 100

    static let vocabulary: [String] = {
        let roots = [
            "coffee", "garden", "meeting", "project", "travel", "music", "doctor", "budget", "recipe", "python",
            "swift", "hiking", "birthday", "invoice", "flight", "hotel", "dentist", "tennis", "novel", "camera",
            "kitchen", "office", "sister", "brother", "manager", "client", "deadline", "holiday", "concert", "museum",
        ]
        return roots.flatMap { root in (0..<40).map { "\(root)\($0)" } } + roots
    }()

    static func sentence(_ random: inout SplitMix64, index: Int) -> String {
        let words = (0..<10).map { _ in vocabulary[Int(random.next() % UInt64(vocabulary.count))] }
        return "Memory \(index): " + words.joined(separator: " ")
    }
}

/// A small seeded generator, so bench data and queries are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
