import CEngramGraph
import CEngramSQLite
import Foundation
import Synchronization

/// When the SQLite driver builds an approximate vector index for a user, and how.
///
/// Below `threshold` vectors (of one user and model) a search scans the user's int8 codes, which is exact before
/// the re-rank and fast. From `threshold` on, the driver builds an HNSW graph over the same codes (hnswlib, through
/// `CEngramGraph`) and searches it instead; the short list is re-ranked by exact cosine either way.
public struct VectorGraphSettings: Sendable, Hashable {
    /// Vectors a user holds before a graph is built; `Int.max` never builds one.
    public var threshold: Int
    /// Links per node (HNSW's `M`; twice as many on the bottom layer).
    public var links: Int
    /// Candidates weighed per insertion (`ef_construction`).
    public var constructionBreadth: Int
    /// The least candidates a search keeps (`ef`): higher finds more of the exact top k, slower.
    public var searchBreadth: Int
    /// Whether a graph is built on a background thread, searches scanning the codes until it is ready (a server's
    /// choice), or before the search that needs it returns (the tests').
    public var buildsInBackground: Bool

    public init(
        threshold: Int, links: Int = 32, constructionBreadth: Int = 100, searchBreadth: Int = 400,
        buildsInBackground: Bool = true
    ) {
        self.threshold = threshold
        self.links = links
        self.constructionBreadth = constructionBreadth
        self.searchBreadth = searchBreadth
        self.buildsInBackground = buildsInBackground
    }

    /// A graph from 200,000 vectors of a user, built in the background. Below that the scan of the codes costs a
    /// few milliseconds and finds the exact top k; the graph finds 96 % of it at 1,000,000 (`engram bench`).
    public static let standard = VectorGraphSettings(threshold: 200_000)
    /// Never a graph: every search scans the codes.
    public static let off = VectorGraphSettings(threshold: .max)
}

/// One user's HNSW graph of int8 codes, the approximate first pass of a large vector search.
///
/// Searches run concurrently with each other and with one writer. The graph records the user's `vector_version`
/// it reflects, so that a change applies only on top of the state it was made from (``apply(before:after:_:)``);
/// otherwise the graph is brought to a loaded ``FlatVectorIndex`` by ``sync(to:version:threads:)``, which costs
/// the differences only.
final class VectorGraph: Sendable {
    let dimension: Int
    private let graph: GraphPointer
    /// The user's vector version the rows reflect; held while the rows change.
    private let state = Mutex<Int64>(-1)

    /// The version last saved to a file, or -1.
    private let saved = Mutex<Int64>(-1)

    /// A new empty graph; nil when memory runs out.
    init?(dimension: Int, settings: VectorGraphSettings) {
        guard
            let graph = engram_graph_create(
                dimension, settings.links, settings.constructionBreadth, settings.searchBreadth)
        else { return nil }
        self.dimension = dimension
        self.graph = GraphPointer(graph)
    }

    /// The graph saved at `file`; nil when there is none of this dimension there (missing, truncated, another
    /// format). Its version is unknown until its first sync.
    init?(loading file: URL, dimension: Int, settings: VectorGraphSettings) {
        guard let graph = engram_graph_load(file.path, dimension, settings.searchBreadth) else { return nil }
        self.dimension = dimension
        self.graph = GraphPointer(graph)
    }

    deinit { engram_graph_free(graph.pointer) }

    /// The rows the graph holds.
    var count: Int { engram_graph_count(graph.pointer) }

    /// The version of the user's vectors the graph reflects (-1 before its first sync).
    var version: Int64 { state.withLock { $0 } }

    /// Whether the graph changed since it was last saved (or was never saved).
    var isUnsaved: Bool { saved.withLock { $0 } != version }

    /// Writes the graph to `file` (whole or not at all); returns whether it did.
    func save(to file: URL) -> Bool {
        state.withLock { current in
            guard engram_graph_save(graph.pointer, file.path) == 0 else { return false }
            saved.withLock { $0 = current }
            return true
        }
    }

    /// Makes the graph hold exactly the rows of `index`, as of the user's `version`, unless it already reflects that
    /// version or a later one. Returns how many rows it added or replaced; throws when memory runs out.
    @discardableResult
    func sync(to index: FlatVectorIndex, version: Int64, threads: Int) throws -> Int {
        try state.withLock { current in
            guard current < version else { return 0 }
            let changed = index.withRows { keys, scales, codes, count in
                engram_graph_sync(graph.pointer, keys, scales, codes, count, threads)
            }
            guard changed >= 0 else { throw VectorGraphError.outOfMemory }
            current = version
            return changed
        }
    }

    /// Applies a committed change made from the user's version `before` to `after`; returns false, changing
    /// nothing, when the graph is not at `before` (it is then synced on the next load).
    func apply(before: Int64, after: Int64, _ change: (VectorGraph.Writer) throws -> Void) rethrows -> Bool {
        try state.withLock { current in
            guard current == before else { return false }
            try change(Writer(graph: graph, dimension: dimension))
            current = after
            return true
        }
    }

    /// Changes rows, inside ``apply(before:after:_:)``.
    struct Writer {
        fileprivate let graph: GraphPointer
        let dimension: Int

        func upsert(_ key: Int64, _ vector: [Float]) throws {
            precondition(vector.count == dimension, "vector dimension mismatch")
            let (scale, codes) = VectorGraph.quantized(vector)
            guard engram_graph_upsert(graph.pointer, key, scale, codes) == 0 else { throw VectorGraphError.outOfMemory }
        }

        func remove(_ key: Int64) { engram_graph_remove(graph.pointer, key) }
    }

    /// The keys of up to `length` rows nearest `query` (a unit vector), nearest first by the codes' approximate
    /// cosine.
    func search(_ query: [Float], length: Int) -> [Int64] {
        precondition(query.count == dimension, "query dimension mismatch")
        let (scale, codes) = Self.quantized(query)
        var keys = [Int64](repeating: 0, count: length)
        let found = keys.withUnsafeMutableBufferPointer {
            engram_graph_search(graph.pointer, scale, codes, length, $0.baseAddress!)
        }
        return Array(keys.prefix(found))
    }
}

extension VectorGraph {
    /// The scale and int8 codes of `vector` (``FlatVectorIndex``'s, `engram_quantize`).
    fileprivate static func quantized(_ vector: [Float]) -> (scale: Float, codes: [Int8]) {
        var codes = [Int8](repeating: 0, count: vector.count)
        let scale = vector.withUnsafeBufferPointer { vector in
            codes.withUnsafeMutableBufferPointer { engram_quantize(vector.baseAddress!, vector.count, $0.baseAddress!) }
        }
        return (scale, codes)
    }
}

/// The C graph, which serialises its own writers and lets searches run beside them.
private struct GraphPointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

enum VectorGraphError: Error {
    /// hnswlib could not allocate room for more rows.
    case outOfMemory
}
