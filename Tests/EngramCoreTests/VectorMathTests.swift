import EngramCore
import Testing

@Suite struct VectorMathTests {
    private func naiveDot(_ a: [Float], _ b: [Float]) -> Double {
        var sum = 0.0
        for index in a.indices { sum += Double(a[index]) * Double(b[index]) }
        return sum
    }

    @Test(arguments: [0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 383, 385])
    func dotMatchesNaiveLoop(count: Int) {
        var generator = SplitMix64(seed: UInt64(count) &+ 11)
        let a = generator.vector(count)
        let b = generator.vector(count)
        let fast = Double(VectorMath.dot(a, b))
        let naive = naiveDot(a, b)
        #expect(abs(fast - naive) <= 1e-4 * max(1, abs(naive)), "count \(count): \(fast) vs \(naive)")
    }

    @Test func dotOfKnownVectors() {
        #expect(VectorMath.dot([1, 2, 3], [4, 5, 6]) == 32)
    }

    @Test func normalizeMakesUnitLengthAndKeepsZero() {
        var vector: [Float] = [3, 4]
        VectorMath.normalize(&vector)
        #expect(abs(vector[0] - 0.6) < 1e-6)
        #expect(abs(vector[1] - 0.8) < 1e-6)
        var zero: [Float] = [0, 0, 0]
        VectorMath.normalize(&zero)
        #expect(zero == [0, 0, 0])
    }

    @Test func validateAcceptsAFiniteVectorOfTheRightDimension() throws {
        try VectorMath.validate([0.1, 0.2, 0.3], dimension: 3)
    }

    @Test(arguments: [Float.nan, Float.infinity, -Float.infinity, Float.signalingNaN])
    func validateRejectsNonFiniteComponents(bad: Float) {
        expectEngramError(.invalidVector) { try VectorMath.validate([0.1, bad, 0.3], dimension: 3) }
    }

    @Test func validateRejectsTheWrongDimension() {
        expectEngramError(.invalidVector) { try VectorMath.validate([0.1, 0.2], dimension: 3) }
        expectEngramError(.invalidVector) { try VectorMath.validate([], dimension: 384) }
        expectEngramError(.invalidVector) { try VectorMath.validate([Float](repeating: 0, count: 385), dimension: 384) }
    }
}
