import EngramCore
import Foundation

/// How many questions of a conversation were asked, and why the others were not.
struct LocomoQuestionCounts: Sendable, Hashable, Codable {
    /// Questions in the file.
    var total = 0
    /// Questions asked: those with evidence left after normalisation.
    var asked = 0
    /// Not asked: the question lists no evidence.
    var emptyEvidence = 0
    /// Not asked: none of its evidence ids names a turn of the conversation.
    var noValidEvidence = 0
    /// Questions whose evidence normalisation changed (split, rewritten or pruned).
    var evidenceNormalised = 0
    /// Asked questions whose recall mapped to fewer turns than the deepest cut-off needs.
    var shortRankings = 0

    /// The sum of two counts.
    static func + (lhs: Self, rhs: Self) -> Self {
        Self(
            total: lhs.total + rhs.total, asked: lhs.asked + rhs.asked,
            emptyEvidence: lhs.emptyEvidence + rhs.emptyEvidence,
            noValidEvidence: lhs.noValidEvidence + rhs.noValidEvidence,
            evidenceNormalised: lhs.evidenceNormalised + rhs.evidenceNormalised,
            shortRankings: lhs.shortRankings + rhs.shortRankings)
    }
}

/// Asks a conversation's questions through `recall` and scores the turns it finds.
struct LocomoQuestioner: Sendable {
    let service: MemoryService
    let metrics: LocomoMetrics
    /// Results per recall: enough to fill ``LocomoMetrics/depth`` turns once mapped.
    let recallDepth: Int

    /// Scores every question of `conversation` with evidence, calling `progress` with (done, to ask) as it goes.
    func ask(
        _ conversation: LocomoConversation, ingested: IngestedConversation,
        progress: (_ done: Int, _ total: Int) -> Void
    ) async throws -> (scores: [ScoredQuestion], counts: LocomoQuestionCounts) {
        let valid = Set(conversation.turns.map(\.diaID))
        var counts = LocomoQuestionCounts(total: conversation.questions.count)
        var toAsk: [(question: LocomoQuestion, gold: [String])] = []
        for question in conversation.questions {
            guard !question.evidence.isEmpty else {
                counts.emptyEvidence += 1
                continue
            }
            let gold = LocomoEvidence.normalise(question.evidence, valid: valid)
            if gold != question.evidence { counts.evidenceNormalised += 1 }
            guard !gold.isEmpty else {
                counts.noValidEvidence += 1
                continue
            }
            toAsk.append((question, gold))
        }
        var scores: [ScoredQuestion] = []
        for (index, item) in toAsk.enumerated() {
            let results = try await service.recall(
                RecallQuery(userID: ingested.userID, text: item.question.question, k: recallDepth, reinforce: false))
            let ranked = Self.turns(
                of: results.map(\.memory.sourceMessageIDs), turnOfMessage: ingested.turnOfMessage,
                limit: metrics.depth)
            if ranked.count < metrics.depth { counts.shortRankings += 1 }
            scores.append(
                ScoredQuestion(category: item.question.category, scores: metrics.score(ranked: ranked, gold: item.gold))
            )
            progress(index + 1, toAsk.count)
        }
        counts.asked = scores.count
        return (scores, counts)
    }

    /// The ranked turns of ranked results: for each result in rank order, the turns of its source messages in
    /// the order the memory lists them, each turn once (its best rank), up to `limit` turns. A source message
    /// that is not a turn is skipped; a result without sources adds nothing.
    static func turns(of sources: [[String]], turnOfMessage: [String: String], limit: Int) -> [String] {
        var ranked: [String] = []
        var seen: Set<String> = []
        for messageIDs in sources {
            for messageID in messageIDs {
                guard ranked.count < limit else { return ranked }
                if let turn = turnOfMessage[messageID], seen.insert(turn).inserted { ranked.append(turn) }
            }
        }
        return ranked
    }
}
