import Foundation

/// Exact top-k cosine search over unit vectors kept as one flat `[Float]` matrix.
///
/// Rows are keyed by an integer (a store's stable row id). Removal swaps the last row in,
/// so the matrix stays dense. Not thread-safe: its owner guards it.
public struct FlatVectorIndex: Sendable {
    public let dimension: Int
    private var matrix: [Float] = []
    private var keys: [Int64] = []
    private var rowOfKey: [Int64: Int] = [:]

    public init(dimension: Int) {
        self.dimension = dimension
    }

    /// The number of vectors.
    public var count: Int { keys.count }

    /// Adds or replaces the vector of `key`.
    public mutating func upsert(_ key: Int64, _ vector: [Float]) {
        precondition(vector.count == dimension, "vector dimension mismatch")
        if let row = rowOfKey[key] {
            matrix.replaceSubrange(row * dimension..<(row + 1) * dimension, with: vector)
        } else {
            rowOfKey[key] = keys.count
            keys.append(key)
            matrix.append(contentsOf: vector)
        }
    }

    /// Appends the vector of a new `key` from raw native-endian Float32 bytes (`4 × dimension` of them),
    /// without an intermediate array: the bulk-load path. Returns `false`, adding nothing, when the
    /// byte count is wrong or the key is already present.
    @discardableResult
    public mutating func append(_ key: Int64, float32Bytes bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == dimension * 4, rowOfKey[key] == nil else { return false }
        rowOfKey[key] = keys.count
        keys.append(key)
        let start = matrix.count
        matrix.append(contentsOf: repeatElement(0, count: dimension))
        matrix.withUnsafeMutableBytes { target in
            target.baseAddress!.advanced(by: start * 4).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        return true
    }

    /// Reserves room for `rows` vectors.
    public mutating func reserveCapacity(_ rows: Int) {
        matrix.reserveCapacity(rows * dimension)
        keys.reserveCapacity(rows)
        rowOfKey.reserveCapacity(rows)
    }

    /// Removes the vector of `key`, if any.
    public mutating func remove(_ key: Int64) {
        guard let row = rowOfKey.removeValue(forKey: key) else { return }
        let last = keys.count - 1
        if row != last {
            let lastKey = keys[last]
            keys[row] = lastKey
            rowOfKey[lastKey] = row
            for component in 0..<dimension {
                matrix[row * dimension + component] = matrix[last * dimension + component]
            }
        }
        keys.removeLast()
        matrix.removeLast(dimension)
    }

    /// The `k` keys whose vectors have the largest dot product with `query`, best first.
    /// Large matrices are scanned in parallel slices, one per core, and the slices' top-k merged.
    public func search(_ query: [Float], k: Int) -> [(key: Int64, score: Float)] {
        precondition(query.count == dimension, "query dimension mismatch")
        guard k > 0, !keys.isEmpty else { return [] }
        let rowCount = keys.count
        let slices = rowCount >= Self.parallelThreshold ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        var partial = [TopK](repeating: TopK(capacity: k), count: slices)
        matrix.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { q in
                partial.withUnsafeMutableBufferPointer { results in
                    guard let rowBase = rows.baseAddress, let queryBase = q.baseAddress,
                        let resultBase = results.baseAddress
                    else { return }
                    let buffers = SliceBuffers(rows: rowBase, query: queryBase, results: resultBase)
                    let dimension = self.dimension
                    DispatchQueue.concurrentPerform(iterations: slices) { slice in
                        var best = TopK(capacity: k)
                        let lower = rowCount * slice / slices
                        let upper = rowCount * (slice + 1) / slices
                        for row in lower..<upper {
                            let score = VectorMath.dot(buffers.rows + row * dimension, buffers.query, count: dimension)
                            best.insert(score, row)
                        }
                        buffers.results[slice] = best
                    }
                }
            }
        }
        var merged = TopK(capacity: k)
        for entry in partial.flatMap({ $0.sortedDescending() }) { merged.insert(entry.score, entry.row) }
        return merged.sortedDescending().map { (keys[$0.row], $0.score) }
    }

    /// Below this many rows a single-threaded scan is faster than fanning out.
    static let parallelThreshold = 20_000

    /// The dot product of `query` with the vector of `key`, if present.
    public func score(_ query: [Float], key: Int64) -> Float? {
        guard let row = rowOfKey[key] else { return nil }
        return matrix.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { q in
                VectorMath.dot(rows.baseAddress! + row * dimension, q.baseAddress!, count: dimension)
            }
        }
    }
}

/// The buffers a parallel scan shares: every slice reads the matrix and the query, and writes only
/// its own result slot, and all slices finish before the buffers' owners go out of scope.
private struct SliceBuffers: @unchecked Sendable {
    let rows: UnsafePointer<Float>
    let query: UnsafePointer<Float>
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
