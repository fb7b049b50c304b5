import EngramCore
import Foundation
import Testing

@Suite struct DecayPolicyTests {
    let policy = DecayPolicy.default

    @Test func strengthFollowsTheExactExponentialFormula() {
        let later = referenceDate.addingTimeInterval(7 * secondsPerDay)
        let value = DecayPolicy.strength(1, rate: 0.1, since: referenceDate, at: later)
        #expect(abs(value - exp(-0.7)) < 1e-12)
        let scaled = DecayPolicy.strength(
            0.8, rate: 0.05, since: referenceDate, at: referenceDate.addingTimeInterval(36 * 3600))
        #expect(abs(scaled - 0.8 * exp(-0.05 * 1.5)) < 1e-12)
    }

    @Test func noTimeOrTimeBeforeTheStartMeansNoDecay() {
        #expect(DecayPolicy.strength(0.7, rate: 0.1, since: referenceDate, at: referenceDate) == 0.7)
        let earlier = referenceDate.addingTimeInterval(-3 * secondsPerDay)
        #expect(DecayPolicy.strength(0.7, rate: 0.1, since: referenceDate, at: earlier) == 0.7)
    }

    @Test func currentStrengthOfAMemoryUsesItsStrengthRateAndLastReinforcement() {
        let memory = makeMemory(strength: 0.9, decayRate: 0.1, lastReinforcedAt: referenceDate)
        let value = policy.currentStrength(of: memory, at: referenceDate.addingTimeInterval(7 * secondsPerDay))
        #expect(abs(value - 0.9 * exp(-0.7)) < 1e-12)
    }

    @Test func reinforcementDecaysFirstThenMovesTowardOne() {
        let memory = makeMemory(strength: 1, decayRate: 0.1, lastReinforcedAt: referenceDate)
        let date = referenceDate.addingTimeInterval(7 * secondsPerDay)
        let current = exp(-0.7)
        let reinforced = policy.reinforced(memory, at: date)
        #expect(abs(reinforced - (current + 0.3 * (1 - current))) < 1e-12)
        #expect(reinforced > current)
        #expect(reinforced < 1)

        var value = current
        var repeated = memory
        for _ in 0..<60 {
            repeated.strength = value
            repeated.lastReinforcedAt = date
            let next = policy.reinforced(repeated, at: date)
            #expect(next >= value)
            #expect(next <= 1)
            value = next
        }
        #expect(value > 0.999)
        let fresh = makeMemory(strength: 1, lastReinforcedAt: date)
        #expect(policy.reinforced(fresh, at: date) == 1)
    }

    @Test func defaultRatesOrderSectorsEpisodicFastestSemanticSlowest() {
        #expect(policy.rate(for: .episodic) == 0.1)
        #expect(policy.rate(for: .semantic) == 0.004)
        let ordered: [Sector] = [.episodic, .emotional, .reflective, .procedural, .semantic]
        let rates = ordered.map(policy.rate(for:))
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 > $1 })
        let later = referenceDate.addingTimeInterval(30 * secondsPerDay)
        let strengths = ordered.map {
            DecayPolicy.strength(1, rate: policy.rate(for: $0), since: referenceDate, at: later)
        }
        #expect(zip(strengths, strengths.dropFirst()).allSatisfy { $0 < $1 })
        #expect(policy.forgetThreshold == 0.05)
        #expect(policy.reinforcement == 0.3)
    }

    @Test func halfLivesMatchTheDocumentation() {
        // Episodic ~7 days, semantic ~173 days.
        #expect(abs(log(2) / policy.rate(for: .episodic) - 6.93) < 0.01)
        #expect(abs(log(2) / policy.rate(for: .semantic) - 173.3) < 0.1)
    }

    @Test func aMissingSectorRateFallsBackToOneHundredth() {
        let custom = DecayPolicy(ratePerDay: [:], forgetThreshold: 0.1, reinforcement: 0.5)
        #expect(custom.rate(for: .episodic) == 0.01)
    }
}
