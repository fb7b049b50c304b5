import Foundation

/// How a driver finds what recall scores: full-text and vector candidates, each with the signals the composite
/// score needs. Every method answers for one user, among memories that pass `filters` at `date`.
public protocol CandidateSearch {
    /// How many of the user's memories the full-text index matches for each of `terms`, each counted up to `limit`.
    func termMatches(userID: String, terms: [String], limit: Int) async throws -> [String: Int]
    /// The best full-text matches of any of `terms` (lower-case words, stop words removed), best first, at most
    /// `limit`; each with its raw text score (higher is better: the sum over the terms it matches of the term's
    /// weight times how well it matches) and, when the driver has it at hand, its vector score for `model` against
    /// `vector` as ``vectorScores(userID:memoryIDs:vector:model:)`` gives it (else none: the caller asks for it).
    /// `memoryCount` is the user's memory count as the caller read it in this transaction (it keys the driver's
    /// cached average row length, ``AverageLengths``).
    func textCandidates(
        userID: String, terms: [WeightedTerm], memoryCount: Int, vector: [Float], model: EmbeddingModel,
        filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate]
    /// The nearest memories to `vector` among the vectors of `model` filed under each memory's own sector, nearest
    /// first, at most `limit`; each with its cosine similarity as vector score (a driver may compute it from
    /// quantised vectors: SQLite's int8 codes, typically 0.0004 from the exact cosine at 384 dimensions).
    func vectorCandidates(
        userID: String, vector: [Float], model: EmbeddingModel, filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate]
    /// ``vectorCandidates(userID:vector:model:filters:at:limit:)`` without any approximate index: an exhaustive
    /// scan, the reference an approximate search's recall is measured against.
    func exactVectorCandidates(
        userID: String, vector: [Float], model: EmbeddingModel, filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate]
    /// The cosine similarity of `vector` and the vector of `model` of each memory in `memoryIDs` that has one, as
    /// ``vectorCandidates(userID:vector:model:filters:at:limit:)`` computes it.
    func vectorScores(userID: String, memoryIDs: [String], vector: [Float], model: EmbeddingModel) async throws
        -> [String: Double]
    /// The memories with these ids that pass the filters, with their signals and no scores.
    func candidates(userID: String, ids: [String], filters: RecallFilters, at date: Date) async throws
        -> [RecallCandidate]
    /// The memories of `sessionID` that name any of `messageIDs` as a source, in id order.
    func sourcedMemories(userID: String, sessionID: String, messageIDs: [String]) async throws -> [SourcedMemory]
    /// Replaces the search context of each memory in `contexts` (memory id → text; empty clears it): words the
    /// full-text index holds beside the memory's own, at a lower weight.
    func setSearchContexts(userID: String, _ contexts: [String: String]) async throws
}

/// A memory drawn from messages, as the conversation index sees it.
public struct SourcedMemory: Sendable, Hashable {
    public var id: String
    public var sourceMessageIDs: [String]
    /// The text indexed beside the memory's own words; `nil` when none was written.
    public var searchContext: String?

    public init(id: String, sourceMessageIDs: [String], searchContext: String?) {
        self.id = id
        self.sourceMessageIDs = sourceMessageIDs
        self.searchContext = searchContext
    }
}
