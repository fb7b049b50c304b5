import EngramCore
import Foundation
import Testing

/// A small, seedable, deterministic generator (SplitMix64) so random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// A vector of `count` components uniformly in −1…1.
    mutating func vector(_ count: Int) -> [Float] {
        (0..<count).map { _ in Float.random(in: -1...1, using: &self) }
    }

    /// A random unit vector.
    mutating func unitVector(_ count: Int) -> [Float] {
        var vector = self.vector(count)
        VectorMath.normalize(&vector)
        return vector
    }
}

/// Fails the test unless `body` throws an ``EngramError`` with `code`. Returns the error when it did.
@discardableResult
func expectEngramError<T>(
    _ code: EngramError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
) -> EngramError? {
    do {
        _ = try body()
        Issue.record("Expected EngramError \(code), but the call succeeded.", sourceLocation: sourceLocation)
        return nil
    } catch let error as EngramError {
        #expect(error.code == code, "Expected \(code), got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("Expected EngramError \(code), got a different error: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A fixed reference time (2026-01-01T00:00:00Z) in whole seconds.
let referenceDate = Date(timeIntervalSince1970: 1_767_225_600)
let secondsPerDay: TimeInterval = 86_400

/// A memory with every field set, for pure scoring and decay tests.
func makeMemory(
    id: String = "m1", userID: String = "alice", content: String = "some content", sector: Sector = .episodic,
    salience: Double = 0.5, strength: Double = 1, decayRate: Double = 0.1, lastReinforcedAt: Date = referenceDate
) -> Memory {
    Memory(
        id: id, userID: userID, agentID: nil, sessionID: nil, content: content, contentJSON: nil, summary: nil,
        sector: sector, contextType: .conversationFact, salience: salience, importance: 0.5, strength: strength,
        decayRate: decayRate, accessCount: 0, lastAccessedAt: nil, lastReinforcedAt: lastReinforcedAt,
        createdAt: lastReinforcedAt, updatedAt: lastReinforcedAt, validFrom: lastReinforcedAt, validTo: nil, tags: [],
        keywords: [], category: nil, metadata: .emptyObject, entity: nil, entityData: nil, entityUpdateCount: 0,
        parentID: nil, isAtomic: true, sourceMessageIDs: [], contentHash: ContentHash.of(content))
}
