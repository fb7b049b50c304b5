import ArgumentParser
import EngramCore
import Foundation

/// `engram index`: the pgvector indexes of the PostgreSQL store (seed 001's vector index operations).
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Show or rebuild the PostgreSQL vector indexes (one per embedding model and dimension).",
        discussion: """
            PostgreSQL only: SQLite searches its vectors in memory and keeps no vector index. `rebuild --method
            ivfflat` builds IVFFlat indexes with lists ≈ √rows (rebuild again after the table grows); `rebuild`
            (HNSW, the default) reindexes or recreates the HNSW indexes. Builds run concurrently, so the store
            stays usable.
            """,
        subcommands: [Stats.self, Rebuild.self],
        defaultSubcommand: Stats.self)

    /// `engram index stats`.
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List each vector index: model, dimension, method, rows, size and scans.")

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            let statistics = try await global.withService(.read) { try await $0.vectorIndexStatistics() }
            if global.json { return try Output.json(statistics) }
            Output.printTable(
                ["NAME", "MODEL", "DIMENSION", "METHOD", "ROWS", "SIZE", "SCANS"],
                statistics.map { index in
                    [
                        index.name + (index.isValid ? "" : " (invalid)"), index.model, "\(index.dimension)",
                        index.method.rawValue + (index.lists.map { " (lists \($0))" } ?? ""), "\(index.rows)",
                        ByteCountFormatter.string(fromByteCount: index.sizeBytes, countStyle: .binary),
                        "\(index.scans)",
                    ]
                },
                empty: (try? global.location()).map { if case .sqlite = $0 { true } else { false } } == true
                    ? "no vector index: SQLite searches its vectors in memory"
                    : "no vector indexes yet (the store creates one when a model first stores a vector)")
        }
    }

    /// `engram index rebuild [--method hnsw|ivfflat]`.
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the vector index of every embedding model and dimension with HNSW or IVFFlat.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: ArgumentHelp("hnsw (default) or ivfflat.", valueName: "method"))
        var method = VectorIndexMethod.hnsw.rawValue

        func validate() throws {
            guard VectorIndexMethod(rawValue: method) != nil else {
                throw ValidationError("--method must be hnsw or ivfflat, not '\(method)'.")
            }
        }

        /// The `--json` document: the method and the indexes built.
        struct Report: Encodable {
            var method: VectorIndexMethod
            var rebuilt: [String]
        }

        mutating func run() async throws {
            let method = VectorIndexMethod(rawValue: self.method) ?? .hnsw
            let rebuilt = try await global.withService(.write) {
                try await $0.rebuildVectorIndexes(method: method).map(\.name)
            }
            if global.json {
                return try Output.json(Report(method: method, rebuilt: rebuilt))
            }
            Output.line(
                rebuilt.isEmpty
                    ? "no vectors stored yet; nothing to rebuild"
                    : "rebuilt \(rebuilt.count) \(method.rawValue) index\(rebuilt.count == 1 ? "" : "es"): "
                        + rebuilt.joined(separator: ", "))
        }
    }
}
