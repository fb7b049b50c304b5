import CEngramSQLite
import EngramCore
import Foundation

/// Top-k cosine search over unit vectors, scanning their int8 codes in memory.
///
/// The index keeps each vector's int8 codes and scale only (`engram_quantize`: a quarter of the bytes of its
/// Float32 components, the same codes the store's `vector_codes` table holds). A search scans the codes with SIMD
/// integer products against the query's own int8 codes, keeps a short list of `k + max(26, k / 2)` rows, and ranks
/// that list by the Float32 query's products with the rows' codes, reading the exact Float32 vectors of the few
/// rows near the k-th place only: the top k is the exact one nearly always (the short list's margin and the exact
/// boundary; the tests check it, `engram bench` measures it) with a handful of reads instead of one per row.
///
/// Rows are keyed by an integer (a store's stable row id). Removal swaps the last row in, so the codes stay
/// dense. Not thread-safe: its owner guards it.
struct FlatVectorIndex: Sendable {
    let dimension: Int
    /// Each row's components divided by its scale and rounded: −127…127.
    private var codes: [Int8] = []
    /// Per row: the largest absolute component ÷ 127 (a component ≈ code × scale).
    private var scales: [Float] = []
    private var keys: [Int64] = []
    private var rowOfKey: [Int64: Int] = [:]

    init(dimension: Int) {
        self.dimension = dimension
    }

    /// The number of vectors.
    var count: Int { keys.count }

    /// How many vectors the index has room for without growing.
    var capacity: Int { keys.capacity }

    /// Whether `key` has a vector here.
    func contains(_ key: Int64) -> Bool { rowOfKey[key] != nil }

    /// Adds or replaces the vector of `key`.
    mutating func upsert(_ key: Int64, _ vector: [Float]) {
        precondition(vector.count == dimension, "vector dimension mismatch")
        let row: Int
        if let existing = rowOfKey[key] {
            row = existing
        } else {
            row = keys.count
            rowOfKey[key] = row
            keys.append(key)
            codes.append(contentsOf: repeatElement(0, count: dimension))
            scales.append(0)
        }
        let dimension = self.dimension
        scales[row] = codes.withUnsafeMutableBufferPointer { codes in
            vector.withUnsafeBufferPointer {
                engram_quantize($0.baseAddress!, dimension, codes.baseAddress! + row * dimension)
            }
        }
    }

    /// Appends rows in bulk, `batch` at a time: `fill` writes up to `batch` rows (keys, scales, and `dimension`
    /// codes each, row-major) at the pointers it gets and returns how many it wrote and whether more may follow.
    /// The keys must be new and distinct (a store's row numbers under one model are).
    mutating func appendRows(
        batch: Int,
        _ fill: (
            _ keys: UnsafeMutablePointer<Int64>, _ scales: UnsafeMutablePointer<Float>,
            _ codes: UnsafeMutablePointer<Int8>
        ) throws -> (count: Int, more: Bool)
    ) rethrows {
        var more = true
        while more {
            let start = keys.count
            keys.append(contentsOf: repeatElement(0, count: batch))
            scales.append(contentsOf: repeatElement(0, count: batch))
            codes.append(contentsOf: repeatElement(0, count: batch * dimension))
            let dimension = self.dimension
            let written: Int
            (written, more) = try keys.withUnsafeMutableBufferPointer { keys in
                try scales.withUnsafeMutableBufferPointer { scales in
                    try codes.withUnsafeMutableBufferPointer { codes in
                        try fill(
                            keys.baseAddress! + start, scales.baseAddress! + start,
                            codes.baseAddress! + start * dimension)
                    }
                }
            }
            keys.removeLast(batch - written)
            scales.removeLast(batch - written)
            codes.removeLast((batch - written) * dimension)
            for row in start..<keys.count { rowOfKey[keys[row]] = row }
        }
    }

    /// Reserves room for `rows` vectors.
    mutating func reserveCapacity(_ rows: Int) {
        codes.reserveCapacity(rows * dimension)
        scales.reserveCapacity(rows)
        keys.reserveCapacity(rows)
        rowOfKey.reserveCapacity(rows)
    }

    /// Removes the vector of `key`, if any.
    mutating func remove(_ key: Int64) {
        guard let row = rowOfKey.removeValue(forKey: key) else { return }
        let last = keys.count - 1
        if row != last {
            let lastKey = keys[last]
            keys[row] = lastKey
            rowOfKey[lastKey] = row
            for component in 0..<dimension {
                codes[row * dimension + component] = codes[last * dimension + component]
            }
            scales[row] = scales[last]
        }
        keys.removeLast()
        codes.removeLast(dimension)
        scales.removeLast()
    }

    /// Calls `body` with the rows' keys, scales and codes (row-major), and their count (the pointers may be nil when
    /// it is 0).
    func withRows<R>(
        _ body: (UnsafePointer<Int64>?, UnsafePointer<Float>?, UnsafePointer<Int8>?, Int) throws -> R
    ) rethrows -> R {
        try keys.withUnsafeBufferPointer { keys in
            try scales.withUnsafeBufferPointer { scales in
                try codes.withUnsafeBufferPointer { codes in
                    try body(keys.baseAddress, scales.baseAddress, codes.baseAddress, keys.count)
                }
            }
        }
    }

    /// The `k` keys whose vectors have the largest dot product with `query`, best first, with those products. The
    /// short list comes from `graph` when there is one (approximate), else from a scan of every row's codes: large
    /// indexes are scanned in parallel slices, one per core, and the slices' short lists merged. The short list is
    /// ranked by the codes' products (``score(_:row:)``); the rows whose side of the k-th place those cannot settle
    /// (within ``unsettledWidth`` of it; at most ``maxExactReads``, nearest first) are ranked by the exact products
    /// of the Float32 vectors that `vectors` reads for their keys (a key it leaves out keeps its codes' product).
    func search(
        _ query: [Float], k: Int, graph: VectorGraph? = nil, vectors: ([Int64]) throws -> [Int64: [Float]]
    ) rethrows -> [(key: Int64, score: Float)] {
        precondition(query.count == dimension, "query dimension mismatch")
        guard k > 0, !keys.isEmpty else { return [] }
        let length = k + max(26, k / 2)
        let rows =
            graph.map { $0.search(query, length: length).compactMap { rowOfKey[$0] } }
            ?? shortList(query, length: length)
        var ranked = rows.map { (row: $0, score: score(query, row: $0)) }.sorted(by: Self.better)
        if ranked.count > k {
            let cut = (ranked[k - 1].score + ranked[k].score) / 2
            let width =
                Self.unsettledWidth * (rows.map { scales[$0] }.max() ?? 0) * VectorMath.dot(query, query).squareRoot()
            let unsettled = ranked.indices.filter { abs(ranked[$0].score - cut) <= width }
                .sorted { abs(ranked[$0].score - cut) < abs(ranked[$1].score - cut) }.prefix(Self.maxExactReads)
            let exact = try vectors(unsettled.map { keys[ranked[$0].row] })
            for position in unsettled {
                guard let vector = exact[keys[ranked[position].row]], vector.count == dimension else { continue }
                ranked[position].score = VectorMath.dot(vector, query)
            }
            ranked.sort(by: Self.better)
        }
        return ranked.prefix(k).map { (keys[$0.row], $0.score) }
    }

    /// How far from the k-th place, in rounding-error deviations of the widest row's codes (`scale · ‖query‖ / √12`:
    /// each component rounds by up to half a scale step), a short-listed row's codes product must lie to decide on
    /// its own whether the row is in: the error is the sum of 384 independent roundings, nearly normal, and a
    /// product this far off both ways (twice 5 deviations) is not seen in practice.
    static let unsettledWidth: Float = 10 / Float(12).squareRoot()

    /// The most rows a search reads exactly, nearest the k-th place first. Where more crowd around it (recall's
    /// pool of 100 on `engram bench`'s hashing vectors: 75 of 150 rows in the median search, most of them true
    /// ties), their codes' products are as good as exact for ranking, and reading them all cost what the codes
    /// save.
    static let maxExactReads = 16

    private static func better(_ a: (row: Int, score: Float), _ b: (row: Int, score: Float)) -> Bool {
        a.score != b.score ? a.score > b.score : a.row < b.row
    }

    /// The dot products of `query` with the vectors of those of `keys` the index holds (``score(_:row:)``).
    func scores(_ query: [Float], keys: [Int64]) -> [Int64: Float] {
        precondition(query.count == dimension, "query dimension mismatch")
        var scores: [Int64: Float] = [:]
        for key in keys {
            if let row = rowOfKey[key] { scores[key] = score(query, row: row) }
        }
        return scores
    }

    /// `query` · the vector of `row` as its codes give it (code × scale per component): each component is within
    /// half a scale step of the vector's, so the product is within `scale / 2 · ‖query‖₁` of the exact one, and
    /// typically within `scale · ‖query‖ / √12` (0.0004 for random unit vectors of 384 dimensions; their largest
    /// error over 20,000 rows was 0.0017). The query stays Float32: only the rows are quantised.
    private func score(_ query: [Float], row: Int) -> Float {
        let dimension = self.dimension
        let sum = codes.withUnsafeBufferPointer { codes in
            query.withUnsafeBufferPointer { query in
                let rowCodes = codes.baseAddress! + row * dimension
                var sum: Float = 0
                for component in 0..<dimension { sum += Float(rowCodes[component]) * query[component] }
                return sum
            }
        }
        return sum * scales[row]
    }

    /// Below this many rows a single-threaded scan is faster than fanning out.
    static let parallelThreshold = 20_000

    /// The rows of the `length` largest approximate dot products with `query`, from the int8 codes, best first.
    private func shortList(_ query: [Float], length: Int) -> [Int] {
        let rowCount = keys.count
        if rowCount <= length { return Array(0..<rowCount) }
        // The query quantised as the rows are: −127…127, so that the CPU multiplies 64 components per instruction.
        var queryCodes = [Int8](repeating: 0, count: dimension)
        _ = query.withUnsafeBufferPointer { query in
            queryCodes.withUnsafeMutableBufferPointer {
                engram_quantize(query.baseAddress!, dimension, $0.baseAddress!)
            }
        }
        let slices = rowCount >= Self.parallelThreshold ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        var partial = [TopK](repeating: TopK(capacity: length), count: slices)
        codes.withUnsafeBufferPointer { codes in
            scales.withUnsafeBufferPointer { scales in
                queryCodes.withUnsafeBufferPointer { q in
                    partial.withUnsafeMutableBufferPointer { results in
                        let buffers = CodeSlices(
                            codes: codes.baseAddress!, scales: scales.baseAddress!, query: q.baseAddress!,
                            results: results.baseAddress!)
                        let dimension = self.dimension
                        DispatchQueue.concurrentPerform(iterations: slices) { slice in
                            var best = TopK(capacity: length)
                            var products = [Int32](repeating: 0, count: Self.block)
                            let upper = rowCount * (slice + 1) / slices
                            var start = rowCount * slice / slices
                            products.withUnsafeMutableBufferPointer { products in
                                while start < upper {
                                    let rows = min(Self.block, upper - start)
                                    engram_int8_dot_rows(
                                        buffers.codes + start * dimension, rows, dimension, buffers.query,
                                        products.baseAddress!)
                                    for offset in 0..<rows {
                                        best.insert(
                                            Float(products[offset]) * buffers.scales[start + offset], start + offset)
                                    }
                                    start += rows
                                }
                            }
                            buffers.results[slice] = best
                        }
                    }
                }
            }
        }
        var merged = TopK(capacity: length)
        for slice in partial {
            for entry in slice.sortedDescending() { merged.insert(entry.score, entry.row) }
        }
        return merged.sortedDescending().map(\.row)
    }

    /// Rows scored per call of the int8 kernel: their products stay in the first-level cache.
    private static let block = 1024
}

/// The buffers a parallel scan shares: every slice reads the codes, scales and query, and writes only its own
/// result slot, and all slices finish before the buffers' owners go out of scope.
private struct CodeSlices: @unchecked Sendable {
    let codes: UnsafePointer<Int8>
    let scales: UnsafePointer<Float>
    let query: UnsafePointer<Int8>
    let results: UnsafeMutablePointer<TopK>
}

/// A bounded min-heap that keeps the `capacity` largest scores seen.
struct TopK {
    let capacity: Int
    private var heap: [(score: Float, row: Int)] = []

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    mutating func insert(_ score: Float, _ row: Int) {
        if heap.count < capacity {
            heap.append((score, row))
            siftUp(heap.count - 1)
        } else if score > heap[0].score {
            heap[0] = (score, row)
            siftDown(0)
        }
    }

    func sortedDescending() -> [(score: Float, row: Int)] {
        heap.sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].score < heap[parent].score else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].score < heap[smallest].score { smallest = left }
            if right < heap.count, heap[right].score < heap[smallest].score { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
