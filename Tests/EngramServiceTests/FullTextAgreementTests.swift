import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// FTS5 and PostgreSQL's tsvector rank alike: the same memories and the same query give the same full-text scores
/// on both drivers (BM25 with the same term frequency, row length, column weights and term weights), so that a
/// store moved from one to the other recalls the same memories in the same order.
@Suite(.enabled(if: Backend.allCases.contains(.postgres), "needs the PostgreSQL test server"))
struct FullTextAgreementTests {
    /// Memories that tell the parts of BM25 apart: a repeated term, a long row, a term only in the tags (half
    /// weight), inflected forms, and rows that match one term of two.
    static let memories: [(content: String, tags: [String])] = [
        ("The garden needs watering", []),
        ("Garden, garden, garden: the community garden opens on Saturday", []),
        ("Alice planted tomatoes in the garden behind the old house near the river, beside the shed", []),
        ("The shed roof leaks when it rains", ["garden"]),
        ("Bob is training for a marathon and runs every morning", []),
        ("The runner trained hard before the race", []),
        ("Watering the tomatoes every evening keeps them from splitting", []),
        ("A meeting about the budget moved to Thursday", []),
    ]

    @Test func bothDriversScoreFullTextAlike() async throws {
        var rankings: [Backend: [[(content: String, text: Double)]]] = [:]
        for backend in [Backend.sqlite, .postgres] {
            let h = try Harness(backend)
            try await h.user()
            for memory in Self.memories { try await h.remember("alice", memory.content, tags: memory.tags) }
            var perQuery: [[(content: String, text: Double)]] = []
            for query in ["garden", "watering tomatoes", "running marathons", "garden shed"] {
                let results = try await h.peek("alice", query, expandLinks: false)
                perQuery.append(results.filter { $0.score.text > 0 }.map { ($0.memory.content, $0.score.text) })
            }
            rankings[backend] = perQuery
        }
        let sqlite = try #require(rankings[.sqlite])
        let postgres = try #require(rankings[.postgres])
        for (lite, pg) in zip(sqlite, postgres) {
            #expect(!lite.isEmpty)
            #expect(lite.map(\.content) == pg.map(\.content))
            for (a, b) in zip(lite, pg) {
                #expect(abs(a.text - b.text) < 1e-6, "\(a.content): SQLite \(a.text), PostgreSQL \(b.text)")
            }
        }
        // The repeated term outranks a single mention.
        #expect(sqlite[0].first?.content == Self.memories[1].content)
    }

    /// Past ``AverageLengths/sampleSize`` memories both drivers measure the average length over the same newest
    /// rows: long old memories (twelve times the words of the newer ones) would move a whole-store average, and
    /// the two drivers still give the same scores.
    @Test func bothDriversMeasureTheAverageLengthOverTheSameNewestMemories() async throws {
        let old = (0..<200).map { index in
            MemoryDraft(
                userID: "alice",
                content: "Old entry \(index) \(index % 40 == 0 ? "harbours" : "docks") "
                    + Array(repeating: "about long forgotten winters and storms", count: 6).joined(separator: " "))
        }
        let new = (0..<AverageLengths.sampleSize).map { index in
            MemoryDraft(userID: "alice", content: "Entry \(index) about \(index % 100 == 0 ? "tea" : "coffee") today")
        }
        var scores: [Backend: [String: Double]] = [:]
        for backend in [Backend.sqlite, .postgres] {
            let h = try Harness(backend)
            try await h.user()
            for batch in [old, Array(new[..<500]), Array(new[500...])] { _ = try await h.store.rememberAll(batch) }
            let results = try await h.peek("alice", "tea harbours", k: 30, expandLinks: false)
            scores[backend] = Dictionary(
                results.filter { $0.score.text > 0 }.map { ($0.memory.content, $0.score.text) },
                uniquingKeysWith: max)
        }
        let sqlite = try #require(scores[.sqlite])
        let postgres = try #require(scores[.postgres])
        // Every match, on both: ten new memories with tea, five old ones with harbours.
        #expect(sqlite.count == 15)
        #expect(Set(sqlite.keys) == Set(postgres.keys))
        for (content, score) in sqlite {
            let other = try #require(postgres[content])
            #expect(abs(score - other) < 1e-6, "\(content): SQLite \(score), PostgreSQL \(other)")
        }
    }
}
