import Foundation

/// Exponential forgetting: `strength(t) = strength₀ · exp(−λ · Δt)`, Δt in days since the last reinforcement.
///
/// Default λ per sector (per day) and the half-life `ln 2 / λ` they give:
///
/// | sector | λ/day | half-life | why |
/// |---|---|---|---|
/// | episodic | 0.1 | ~7 days | details of what happened fade within a week unless recalled |
/// | emotional | 0.05 | ~14 days | feelings outlast the details of the event |
/// | reflective | 0.025 | ~28 days | insights stay useful for about a month |
/// | procedural | 0.01 | ~69 days | how-to knowledge is slow to fade |
/// | semantic | 0.004 | ~173 days | facts about the user stay true longest |
public struct DecayPolicy: Sendable, Hashable {
    /// λ per day for each sector.
    public var ratePerDay: [Sector: Double]
    /// Below this current strength, a maintenance sweep soft-forgets the memory.
    public var forgetThreshold: Double
    /// Each access moves strength this fraction of the way back to 1.
    public var reinforcement: Double

    /// The documented defaults.
    public static let `default` = DecayPolicy(
        ratePerDay: [.episodic: 0.1, .emotional: 0.05, .reflective: 0.025, .procedural: 0.01, .semantic: 0.004],
        forgetThreshold: 0.05,
        reinforcement: 0.3
    )

    public init(ratePerDay: [Sector: Double], forgetThreshold: Double, reinforcement: Double) {
        self.ratePerDay = ratePerDay
        self.forgetThreshold = forgetThreshold
        self.reinforcement = reinforcement
    }

    /// λ per day of `sector`.
    public func rate(for sector: Sector) -> Double { ratePerDay[sector] ?? 0.01 }

    /// The strength at `date` of a memory that had `strength` at `since` and decays at `rate` per day.
    public static func strength(_ strength: Double, rate: Double, since: Date, at date: Date) -> Double {
        let days = max(0, date.timeIntervalSince(since)) / 86_400
        return strength * exp(-rate * days)
    }

    /// The current strength of `memory` at `date`.
    public func currentStrength(of memory: Memory, at date: Date) -> Double {
        Self.strength(memory.strength, rate: memory.decayRate, since: memory.lastReinforcedAt, at: date)
    }

    /// The strength after one access at `date`: decay first, then move `reinforcement` of the way to 1.
    public func reinforced(_ memory: Memory, at date: Date) -> Double {
        let current = currentStrength(of: memory, at: date)
        return min(1, current + reinforcement * (1 - current))
    }
}
