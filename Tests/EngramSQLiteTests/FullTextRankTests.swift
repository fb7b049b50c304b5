import CEngramSQLite
import EngramCore
import Foundation
import GRDB
import Testing

@testable import EngramSQLite
@testable import EngramTestSupport

/// `engram_bm25`, the SQLite driver's FTS5 ranking function, against FTS5's own `bm25` on a real index.
@Suite struct FullTextRankTests {
    /// A store of two users whose memories share words at different frequencies and lengths.
    private func filledStore() async throws -> String {
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("engram.sqlite").path
        let store = MemoryService(driver: try SQLiteDriver(path: path), logger: quietLogger)
        for user in ["alice", "bob"] {
            _ = try await store.createUser(UserDraft(id: user))
            _ = try await store.rememberAll([
                MemoryDraft(userID: user, content: "Garden party in the garden with garden gnomes"),
                MemoryDraft(userID: user, content: "The garden needs water"),
                MemoryDraft(userID: user, content: "A long note about a party, a cake, music, friends and a garden"),
                MemoryDraft(userID: user, content: "Coffee with \(user) on Monday"),
                MemoryDraft(userID: user, content: "Tennis party"),
            ])
        }
        return path
    }

    @Test func ranksExactlyAsFTS5sBM25AndSkipsTheOwnerPhrase() async throws {
        let queue = try DatabaseQueue(path: try await filledStore())
        try await queue.read { db in
            #expect(engram_register_bm25(db.sqliteConnection) == 0)
            let owner = try #require(
                try String.fetchOne(
                    db,
                    sql:
                        "SELECT fts_owner FROM memories WHERE user_id = 'alice' LIMIT 1"
                ))
            let match =
                "fts_owner:\(owner) AND {content summary tags keywords search_context}: (\"garden\" OR \"party\")"
            // With every column weighed and no phrase skipped, engram_bm25 is FTS5's bm25.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid, bm25(memories_fts, 0.25, 1.0, 0.5, 0.5, 0.5, 0.5) AS fts5,
                        engram_bm25(memories_fts, 0, 0, 0.25, 1.0, 0.5, 0.5, 0.5, 0.5) AS engram
                    FROM memories_fts WHERE memories_fts MATCH ?
                    """, arguments: [match])
            #expect(rows.count == 4)  // alice's four memories with either word; none of bob's
            for row in rows {
                let fts5: Double = row["fts5"]
                let engram: Double = row["engram"]
                #expect(fts5 < 0)
                #expect(abs(fts5 - engram) < 1e-9, "rowid \(row["rowid"] as Int64): \(fts5) vs \(engram)")
            }
            // The owner column at weight 0 leaves each row's length (by its one token), and skipping the owner
            // phrase leaves a positive score for every match.
            let owned = try Row.fetchAll(
                db,
                sql: """
                    SELECT engram_length(memories_fts) AS every, engram_length(memories_fts, 0.0, 1.0, 0.5, 0.5, 0.5, 0.5)
                        AS weighed, engram_bm25(memories_fts, 1, 0, 0.0, 1.0, 0.5, 0.5, 0.5, 0.5) AS engram
                    FROM memories_fts WHERE memories_fts MATCH ?
                    """, arguments: [match])
            #expect(owned.count == 4)
            for row in owned {
                #expect((row["weighed"] as Int) == (row["every"] as Int) - 1)
                #expect((row["engram"] as Double) < 0)
            }
            // Weights given after the column weights replace the counted ones, phrase by phrase: "party" at 0 leaves
            // "Tennis party" (no "garden") with a score of 0, "The garden needs water" with garden's weight.
            let given = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.content, engram_bm25(memories_fts, 1, 0, 0.0, 1.0, 0.5, 0.5, 0.5, 0.5, 2.0, 0.0) AS engram
                    FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid WHERE memories_fts MATCH ?
                    """, arguments: [match])
            let byContent = Dictionary(
                uniqueKeysWithValues: given.map { ($0["content"] as String, $0["engram"] as Double) })
            #expect(byContent["Tennis party"] == 0)
            #expect((byContent["The garden needs water"] ?? 0) < -0.5)
            // engram_length: each row's tokens over every column; alice's five rows.
            let lengths = try Row.fetchOne(
                db,
                sql: """
                    WITH lengths AS MATERIALIZED (
                        SELECT engram_length(memories_fts) AS tokens FROM memories_fts WHERE memories_fts MATCH ?)
                    SELECT sum(tokens) AS tokens, count(*) AS rows FROM lengths
                    """, arguments: ["fts_owner:\(owner)"])
            #expect(lengths?["rows"] == 5)
            #expect((lengths?["tokens"] as Int?).map { $0 > 5 * 3 } == true)
            // Skipping a term's phrase drops its weight: ranking by "garden" alone.
            let gardenOnly = try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid, engram_bm25(memories_fts, 2, 0, 0.0, 1.0) AS engram FROM memories_fts
                    WHERE memories_fts MATCH ? ORDER BY engram
                    """,
                arguments: ["fts_owner:\(owner) AND (\"party\" AND \"garden\")"])
            #expect(gardenOnly.count == 2)
            #expect(gardenOnly.allSatisfy { ($0["engram"] as Double) < 0 })
        }
    }
}
