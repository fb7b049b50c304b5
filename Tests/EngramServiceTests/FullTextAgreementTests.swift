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
}
