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
    public func search(_ query: [Float], k: Int) -> [(key: Int64, score: Float)] {
        precondition(query.count == dimension, "query dimension mismatch")
        guard k > 0, !keys.isEmpty else { return [] }
        var best = TopK(capacity: k)
        matrix.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { q in
                guard let rowBase = rows.baseAddress, let queryBase = q.baseAddress else { return }
                for row in 0..<keys.count {
                    let score = VectorMath.dot(rowBase + row * dimension, queryBase, count: dimension)
                    best.insert(score, row)
                }
            }
        }
        return best.sortedDescending().map { (keys[$0.row], $0.score) }
    }

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
