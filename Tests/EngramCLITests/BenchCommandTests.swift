import ArgumentParser
import Foundation
import Testing

@testable import EngramCLI

/// `engram bench` is a group: the store benchmark by default (and as `bench store`), the embedder as `bench embed`.
@Suite struct BenchCommandTests {
    let files = TemporaryFiles()

    static let modelDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "models/all-MiniLM-L6-v2").path

    @Test func benchWithoutASubcommandIsTheStoreBenchmark() throws {
        let bare = try EngramCommand.parseAsRoot(["bench", "--memories", "5", "--queries", "2", "-k", "3"])
        let store = try #require(bare as? BenchStoreCommand)
        #expect(store.memories == 5)
        #expect(store.queries == 2)
        #expect(store.k == 3)
        let named = try #require(
            try EngramCommand.parseAsRoot(["bench", "store", "--memories", "7"]) as? BenchStoreCommand)
        #expect(named.memories == 7)
    }

    @Test func benchEmbedParsesItsOptions() throws {
        let parsed = try EngramCommand.parseAsRoot(
            ["bench", "embed", "--limit", "3", "--threads", "1, 2", "--batch-size", "4", "--data", "x.json"])
        let embed = try #require(parsed as? BenchEmbedCommand)
        #expect(embed.limit == 3)
        #expect(embed.threadCounts == [1, 2])
        #expect(embed.batchSize == 4)
        #expect(embed.data == "x.json")
        let defaults = try #require(try EngramCommand.parseAsRoot(["bench", "embed"]) as? BenchEmbedCommand)
        #expect(defaults.threadCounts == [1, 2])
        #expect(defaults.batchSize == 32)
        for bad in [["--threads", "0"], ["--threads", "1,x"], ["--limit", "0"], ["--batch-size", "0"]] {
            #expect(throws: (any Error).self) { try EngramCommand.parseAsRoot(["bench", "embed"] + bad) }
        }
    }

    @Test func readsLoCoMoTurnsAsTheRetrievalBaselineDoes() throws {
        let path = try locomo()
        #expect(
            try BenchEmbedCommand.turns(path: path, limit: nil) == [
                "Ann: first", "Bob: look [image: a dog]", "Ann: second session", "Ann: tenth session",
                "Cy: other conversation",
            ])
        #expect(try BenchEmbedCommand.turns(path: path, limit: 2) == ["Ann: first", "Bob: look [image: a dog]"])
        let missing = try files.file("missing.json")
        #expect(throws: (any Error).self) { try BenchEmbedCommand.turns(path: missing, limit: nil) }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: modelDirectory + "/model.safetensors")))
    func benchEmbedReportsEveryRun() async throws {
        struct Report: Decodable {
            struct Run: Decodable {
                var threads: Int
                var texts: Int
                var textsPerSecond: Double
            }
            var model: String
            var texts: Int
            var runs: [Run]
        }
        let report = try await CLI.json(
            Report.self,
            ["bench", "embed", "--data", try locomo(), "--threads", "1,1", "--model-dir", Self.modelDirectory])
        #expect(report.model == "all-MiniLM-L6-v2")
        #expect(report.texts == 5)
        #expect(report.runs.map(\.threads) == [1, 1])
        #expect(report.runs.allSatisfy { $0.texts == 5 && $0.textsPerSecond > 0 })
    }

    /// A small LoCoMo-shaped file: sessions out of order, a date key, a captioned turn, two conversations.
    private func locomo() throws -> String {
        let samples: [[String: Any]] = [
            [
                "sample_id": "a",
                "conversation": [
                    "speaker_a": "Ann", "session_10": [["speaker": "Ann", "text": "tenth session"]],
                    "session_1_date_time": "1:56 pm on 8 May, 2023",
                    "session_1": [
                        ["speaker": "Ann", "text": "first"],
                        ["speaker": "Bob", "text": "look", "blip_caption": "a dog"],
                    ],
                    "session_2": [["speaker": "Ann", "text": "second session", "blip_caption": ""]],
                ],
            ],
            ["sample_id": "b", "conversation": ["session_1": [["speaker": "Cy", "text": "other conversation"]]]],
        ]
        let path = try files.file("locomo.json")
        try JSONSerialization.data(withJSONObject: samples).write(to: URL(fileURLWithPath: path))
        return path
    }
}
