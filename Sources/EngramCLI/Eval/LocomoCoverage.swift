import EngramCore
import Foundation

/// One of LoCoMo's own `observation` entries: a fact its authors drew from the turns it names.
struct LocomoObservation: Sendable, Hashable {
    var text: String
    var diaIDs: [String]
}

/// How many of LoCoMo's observations the extracted facts cover.
struct ObservationCoverage: Sendable, Hashable, Codable {
    var observations = 0
    var covered = 0

    /// The covered share, 0…1.
    var share: Double { observations == 0 ? 0 : Double(covered) / Double(observations) }

    static func + (lhs: Self, rhs: Self) -> Self {
        ObservationCoverage(observations: lhs.observations + rhs.observations, covered: lhs.covered + rhs.covered)
    }
}

/// Measures observation coverage: an observation is covered when some working fact extracted from one of its turns
/// is at least `threshold` similar to it (cosine of the store's embedder).
struct LocomoCoverage: Sendable {
    let service: MemoryService
    let threshold: Double

    func measure(_ conversation: LocomoConversation, ingested: IngestedConversation) async throws
        -> ObservationCoverage
    {
        let facts = try await service.facts(userID: ingested.userID, sessionID: nil, includeExpired: true)
        var factsOfTurn: [String: [String]] = [:]
        for fact in facts {
            for turn in Set(fact.sourceMessageIDs.compactMap { ingested.turnOfMessage[$0] }) {
                factsOfTurn[turn, default: []].append(fact.content)
            }
        }
        let embedder = service.embedder
        var coverage = ObservationCoverage()
        for observation in conversation.observations {
            coverage.observations += 1
            let candidates = Array(Set(observation.diaIDs.flatMap { factsOfTurn[$0] ?? [] })).sorted()
            guard !candidates.isEmpty else { continue }
            let vectors = try await embedder.embed([observation.text] + candidates)
            let best = vectors.dropFirst().map { Double(VectorMath.dot(vectors[0], $0)) }.max() ?? 0
            if best >= threshold { coverage.covered += 1 }
        }
        return coverage
    }
}
