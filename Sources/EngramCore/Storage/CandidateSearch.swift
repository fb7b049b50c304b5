import Foundation

/// How a driver finds what recall scores: full-text and vector candidates, each with the signals the composite
/// score needs. Every method answers for one user, among memories that pass `filters` at `date`.
public protocol CandidateSearch {
    /// The best full-text matches of any of `terms` (lower-case words, stop words removed), best first, at most
    /// `limit`; each with its raw text score (higher is better) and no vector score.
    func textCandidates(
        userID: String, terms: [String], filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate]
    /// The nearest memories to `vector` among the vectors of `model` filed under each memory's own sector, nearest
    /// first, at most `limit`; each with its cosine similarity as vector score.
    func vectorCandidates(
        userID: String, vector: [Float], model: EmbeddingModel, filters: RecallFilters, at date: Date, limit: Int
    ) async throws -> [RecallCandidate]
    /// The cosine similarity of `vector` and the vector of `model` of each memory in `memoryIDs` that has one.
    func vectorScores(userID: String, memoryIDs: [String], vector: [Float], model: EmbeddingModel) async throws
        -> [String: Double]
    /// The memories with these ids that pass the filters, with their signals and no scores.
    func candidates(userID: String, ids: [String], filters: RecallFilters, at date: Date) async throws
        -> [RecallCandidate]
}
