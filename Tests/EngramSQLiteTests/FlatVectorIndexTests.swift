import CEngramSQLite
import EngramCore
import Foundation
import Testing

@testable import EngramSQLite

/// Deterministic pseudo-random unit vectors for the index tests: `seed` picks the vector.
struct VectorSource {
    var seed: UInt64

    init(seed: UInt64) { self.seed = seed }

    mutating func unitVector(_ dimension: Int) -> [Float] {
        var vector = (0..<dimension).map { _ -> Float in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: seed >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
        VectorMath.normalize(&vector)
        return vector
    }
}

extension VectorMath {
    /// How far a product with `query` computed from the int8 codes of `vector` may be from the exact one: half a
    /// scale step per component, times the query's components (`scale / 2 · ‖query‖₁`).
    static func codesErrorBound(_ vector: [Float], _ query: [Float]) -> Float {
        var codes = [Int8](repeating: 0, count: vector.count)
        let scale = engram_quantize(vector, vector.count, &codes)
        return scale / 2 * query.reduce(0) { $0 + abs($1) } + 1e-6
    }
}

extension FlatVectorIndex {
    /// A search whose exact vectors come from `stored`, as a store's rows would supply them; `reads` counts the
    /// keys asked for.
    func search(_ query: [Float], k: Int, in stored: [Int64: [Float]], reads: inout Int) -> [(key: Int64, score: Float)]
    {
        var asked = 0
        let result = search(query, k: k) { keys in
            asked += keys.count
            return Dictionary(uniqueKeysWithValues: keys.compactMap { key in stored[key].map { (key, $0) } })
        }
        reads += asked
        return result
    }

    func search(_ query: [Float], k: Int, in stored: [Int64: [Float]]) -> [(key: Int64, score: Float)] {
        var reads = 0
        return search(query, k: k, in: stored, reads: &reads)
    }
}

@Suite struct FlatVectorIndexTests {
    private func bruteForce(_ rows: [Int64: [Float]], _ query: [Float], k: Int) -> [Int64] {
        rows.map { key, vector -> (Int64, Double) in
            var sum = 0.0
            for index in vector.indices { sum += Double(vector[index]) * Double(query[index]) }
            return (key, sum)
        }
        .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        .prefix(k)
        .map(\.0)
    }

    struct Shape: Sendable, CustomTestStringConvertible {
        var dimension: Int
        var rows: Int
        var k: Int
        var testDescription: String { "d\(dimension) n\(rows) k\(k)" }
    }

    /// While the short list holds every row, the answer is the brute-force top k, in the order of the scores it
    /// returns: each exact or within the codes' error bound of the exact product.
    @Test(arguments: [
        Shape(dimension: 37, rows: 36, k: 10), Shape(dimension: 64, rows: 18, k: 1),
        Shape(dimension: 384, rows: 66, k: 25),
    ])
    func topKIsTheBruteForceTopK(shape: Shape) {
        let (dimension, rows, k) = (shape.dimension, shape.rows, shape.k)
        var generator = VectorSource(seed: UInt64(dimension * 1000 + rows))
        var index = FlatVectorIndex(dimension: dimension)
        var stored: [Int64: [Float]] = [:]
        for key in 0..<Int64(rows) {
            let vector = generator.unitVector(dimension)
            stored[key * 7 + 3] = vector
            index.upsert(key * 7 + 3, vector)
        }
        #expect(index.count == rows)
        var reads = 0
        for _ in 0..<20 {
            let query = generator.unitVector(dimension)
            let result = index.search(query, k: k, in: stored, reads: &reads)
            #expect(Set(result.map(\.key)) == Set(bruteForce(stored, query, k: k)))
            for hit in result {
                let exact = VectorMath.dot(stored[hit.key]!, query)
                #expect(abs(hit.score - exact) <= VectorMath.codesErrorBound(stored[hit.key]!, query))
            }
            #expect(zip(result, result.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
        #expect(reads < 20 * rows / 2, "only rows near the k-th place are read")
    }

    /// A row near the k-th place is ranked by its exact product: two rows whose codes give the same product, one
    /// of them slightly better in fact, come out in their exact order.
    @Test func theKthPlaceIsSettledByTheExactVectors() {
        // Codes round 0.5 + ε and 0.5 − ε alike; the query weighs only the first component.
        let better: [Float] = [0.6, 0.8]
        let worse: [Float] = [0.5999, 0.80007]
        let stored: [Int64: [Float]] = [1: worse, 2: better]
        var index = FlatVectorIndex(dimension: 2)
        index.upsert(1, worse)
        index.upsert(2, better)
        var reads = 0
        let result = index.search([1, 0], k: 1, in: stored, reads: &reads)
        #expect(result.map(\.key) == [2])
        #expect(result.first?.score == 0.6)
        #expect(reads == 2)
    }

    /// The scores of given keys are those a search gives from the codes (here every row: no k-th place to settle),
    /// for the keys the index holds.
    @Test func scoresOfKeysAreTheSearchScores() {
        var generator = VectorSource(seed: 21)
        var index = FlatVectorIndex(dimension: 48)
        for key in Int64(1)...30 { index.upsert(key, generator.unitVector(48)) }
        let query = generator.unitVector(48)
        let found = index.search(query, k: 30, in: [:])
        let scores = index.scores(query, keys: found.map(\.key) + [99])
        #expect(scores.count == 30)
        for hit in found { #expect(scores[hit.key] == hit.score) }
        #expect(scores[99] == nil)
    }

    /// The bulk load (codes as the store holds them, a few rows per call, some calls short) builds the index that
    /// one upsert per vector builds: same rows, same answers, and each key found again.
    @Test func bulkRowsInShortBatchesMatchUpserts() {
        let (dimension, rows) = (48, 23)
        var source = VectorSource(seed: 11)
        var upserted = FlatVectorIndex(dimension: dimension)
        var stored: [Int64: [Float]] = [:]
        var pending: [(key: Int64, scale: Float, codes: [Int8])] = []
        for row in 0..<Int64(rows) {
            let (key, vector) = (row * 5 + 2, source.unitVector(dimension))
            stored[key] = vector
            upserted.upsert(key, vector)
            var codes = [Int8](repeating: 0, count: dimension)
            let scale = engram_quantize(vector, dimension, &codes)
            pending.append((key, scale, codes))
        }
        var bulk = FlatVectorIndex(dimension: dimension)
        var calls = 0
        bulk.appendRows(batch: 4) { keys, scales, codes in
            calls += 1
            // Every third call writes fewer rows than it has room for, as a store's reader may.
            let take = min(calls % 3 == 0 ? 2 : 4, pending.count)
            for (offset, row) in pending.prefix(take).enumerated() {
                keys[offset] = row.key
                scales[offset] = row.scale
                for component in 0..<dimension { codes[offset * dimension + component] = row.codes[component] }
            }
            pending.removeFirst(take)
            return (take, !pending.isEmpty)
        }
        #expect(calls > 1)
        #expect(bulk.count == rows)
        #expect(stored.keys.allSatisfy { bulk.contains($0) })
        for _ in 0..<10 {
            let query = source.unitVector(dimension)
            let fromBulk = bulk.search(query, k: 5, in: stored)
            let fromUpserts = upserted.search(query, k: 5, in: stored)
            #expect(fromBulk.map(\.key) == fromUpserts.map(\.key))
        }
        bulk.remove(2)
        #expect(!bulk.contains(2) && bulk.count == rows - 1)
    }

    @Test func searchWithKLargerThanCountReturnsEverythingAndKZeroNothing() {
        var generator = VectorSource(seed: 5)
        var index = FlatVectorIndex(dimension: 8)
        var stored: [Int64: [Float]] = [:]
        for key in Int64(1)...3 {
            stored[key] = generator.unitVector(8)
            index.upsert(key, stored[key]!)
        }
        let query = generator.unitVector(8)
        #expect(Set(index.search(query, k: 10, in: stored).map(\.key)) == [1, 2, 3])
        #expect(index.search(query, k: 0, in: stored).isEmpty)
        #expect(FlatVectorIndex(dimension: 8).search(query, k: 5, in: stored).isEmpty)
    }

    @Test func upsertReplacesTheVectorOfAKey() {
        var generator = VectorSource(seed: 99)
        let second = generator.unitVector(16)
        // The first vector points the other way: while its codes stayed, key 1 would score −1 in the int8 pass and
        // never reach the short list (18 of 199 rows for k = 1), whatever the exact vectors say.
        let first = second.map { -$0 }
        var index = FlatVectorIndex(dimension: 16)
        var stored: [Int64: [Float]] = [1: second]
        index.upsert(1, first)
        for key in Int64(2)..<200 {
            stored[key] = generator.unitVector(16)
            index.upsert(key, stored[key]!)
        }
        index.upsert(1, second)
        #expect(index.count == 199)
        let best = index.search(second, k: 1, in: stored).first
        #expect(best?.key == 1)
        #expect(best.map { abs($0.score - 1) <= VectorMath.codesErrorBound(second, second) } == true)
    }

    @Test func removeKeepsTheOthersSearchable() {
        var generator = VectorSource(seed: 1234)
        var index = FlatVectorIndex(dimension: 33)
        var vectors: [Int64: [Float]] = [:]
        for key in Int64(0)..<10 {
            vectors[key] = generator.unitVector(33)
            index.upsert(key, vectors[key]!)
        }
        index.remove(3)  // middle
        index.remove(9)  // last
        index.remove(0)  // first
        index.remove(42)  // absent: no-op
        #expect(index.count == 7)
        #expect(!index.contains(3) && !index.contains(9) && !index.contains(0))
        for (key, vector) in vectors where ![0, 3, 9].contains(key) {
            let best = index.search(vector, k: 1, in: vectors).first
            #expect(best?.key == key)
            #expect(best.map { abs($0.score - 1) <= VectorMath.codesErrorBound(vector, vector) } == true)
        }
        let all = index.search(generator.unitVector(33), k: 100, in: vectors).map(\.key)
        #expect(Set(all) == [1, 2, 4, 5, 6, 7, 8])
        // Re-adding a removed key works.
        index.upsert(3, vectors[3]!)
        #expect(index.count == 8)
        #expect(index.search(vectors[3]!, k: 1, in: vectors).first?.key == 3)
    }

    /// The int8 pass picks a short list: its top 10 (and top 50, recall's pool) must be the exact ones nearly
    /// always, and every score it returns within the codes' error bound. Random 384-d unit vectors are the hard
    /// case: their dot products crowd near zero, where quantisation error weighs most.
    @Test(arguments: [10, 50]) func quantisedSearchFindsTheExactTopK(k: Int) {
        let (dimension, rows) = (384, 6_000)
        var source = VectorSource(seed: 7)
        var index = FlatVectorIndex(dimension: dimension)
        var stored: [Int64: [Float]] = [:]
        for key in 0..<Int64(rows) {
            stored[key] = source.unitVector(dimension)
            index.upsert(key, stored[key]!)
        }
        var found = 0
        let queries = 40
        for _ in 0..<queries {
            let query = source.unitVector(dimension)
            let result = index.search(query, k: k, in: stored)
            found += Set(result.map(\.key)).intersection(bruteForce(stored, query, k: k)).count
            for hit in result {
                let exact = VectorMath.dot(stored[hit.key]!, query)
                #expect(abs(hit.score - exact) <= VectorMath.codesErrorBound(stored[hit.key]!, query))
            }
        }
        let recall = Double(found) / Double(queries * k)
        #expect(recall >= 0.99, "found \(recall) of the exact top \(k)")
    }

    /// Every int8 kernel the CPU has (AVX-512 VNNI, AVX2, SSE2) gives the plain C loop's integers, at dimensions
    /// with and without a tail past the vector width, for row counts that are not a multiple of four, and at the
    /// extreme codes (VNNI's unsigned trick overflows first there).
    @Test(arguments: [1, 7, 64, 100, 384, 385])
    func everyInt8KernelGivesThePlainProducts(dimension: Int) {
        var seed: UInt64 = UInt64(dimension)
        func code() -> Int8 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int8(Int64(bitPattern: seed >> 11) % 255 - 127)
        }
        let rowCount = 11
        var rows = (0..<rowCount * dimension).map { _ in code() }
        for index in 0..<dimension { rows[index] = 127 }  // the first row at the top of the range
        for index in dimension..<2 * dimension { rows[index] = -127 }  // the second at the bottom
        let queries = [(0..<dimension).map { _ in code() }, [Int8](repeating: 127, count: dimension)]
        for query in queries {
            var expected = [Int32](repeating: 0, count: rowCount)
            #expect(engram_int8_dot_rows_kernel(3, rows, rowCount, dimension, query, &expected) == 1)
            #expect(expected[0] == query.reduce(0) { $0 + 127 * Int32($1) })
            var ran = 0
            for kernel in Int32(0)...2 {
                var scores = [Int32](repeating: .min, count: rowCount)
                guard engram_int8_dot_rows_kernel(kernel, rows, rowCount, dimension, query, &scores) == 1 else {
                    continue
                }
                ran += 1
                #expect(scores == expected, "kernel \(kernel), dimension \(dimension)")
            }
            #expect(ran >= 1)  // SSE2 always runs on x86-64
        }
        var scores = [Int32](repeating: .min, count: rowCount)
        #expect(engram_int8_dot_rows_kernel(9, rows, rowCount, dimension, queries[0], &scores) == 0)
        #expect(scores.allSatisfy { $0 == .min })
    }
}
