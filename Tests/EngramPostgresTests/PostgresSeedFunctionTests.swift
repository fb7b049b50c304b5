import EngramCore
import Foundation
import PostgresNIO
import Testing

@testable import EngramPostgres

/// Seed 001's SQL functions (migration 003), called the way a psql user would: with only a user id or nothing.
@Suite("seed 001's SQL functions", .enabled(if: serverAvailable))
struct PostgresSeedFunctionTests {
    /// A store with two users: alice's memories (two of them linked) and one of bob's.
    private func populate(_ store: MemoryService) async throws -> (teal: Memory, garden: Memory) {
        for user in ["alice", "bob"] { _ = try await store.createUser(UserDraft(id: user)) }
        let teal = try await store.remember(
            MemoryDraft(userID: "alice", content: "Alice's favourite colour is teal", salience: 0.9)
        ).memory
        let garden = try await store.remember(
            MemoryDraft(userID: "alice", content: "Alice painted her garden gate teal", sector: .episodic)
        ).memory
        _ = try await store.remember(MemoryDraft(userID: "alice", content: "Alice repairs bicycles"))
        _ = try await store.remember(MemoryDraft(userID: "bob", content: "Bob's favourite colour is teal"))
        _ = try await store.link(LinkDraft(userID: "alice", sourceID: teal.id, targetID: garden.id, type: .relatesTo))
        return (teal, garden)
    }

    /// The `vector` literal of `values`, as psql would type it.
    private func literal(_ values: [Float]) -> String {
        "[" + values.map { String($0) }.joined(separator: ",") + "]"
    }

    @Test func findSimilarMemoriesScoresOneUsersMemoriesWithTheCompositeFormula() async throws {
        try await withIsolatedService { store, driver in
            let (teal, garden) = try await populate(store)
            let query = literal(try await HashingEmbedder().embed("Alice's favourite colour is teal"))
            let rows = try await driver.transaction(.store) { connection in
                try await connection.rows(
                    """
                    SELECT memory_id, similarity, salience, recency, link_weight, composite_score,
                        current_setting('engram.user_id', true)
                    FROM find_similar_memories(\(query)::vector, NULL, 'alice', 10, 0.1)
                    """, logger: testLogger
                ) { try $0.decode((String, Double, Double, Double, Double, Double, String?).self) }
            }
            #expect(rows.first?.0 == teal.id)
            #expect(rows.first.map { abs($0.1 - 1) < 1e-5 } == true, "the query is the memory's own vector")
            #expect(rows.contains { $0.0 == garden.id })
            for row in rows {
                #expect(abs(row.5 - (0.6 * row.1 + 0.2 * row.2 + 0.1 * row.3 + 0.1 * row.4)) < 1e-9)
                #expect(row.6 == "", "the function restores the transaction's user scope")
            }
            #expect(rows.map(\.5) == rows.map(\.5).sorted(by: >))
            #expect(rows.first { $0.0 == teal.id }.map { $0.4 > 0 } == true, "linked to another relevant memory")
            let bobs = try await store.memories(userID: "bob", filters: .init(), limit: 10, offset: 0).map(\.id)
            #expect(!rows.contains { bobs.contains($0.0) }, "never another user's memory")
            let semantic = try await driver.transaction(.store) { connection in
                try await connection.rows(
                    "SELECT memory_id FROM find_similar_memories(\(query)::vector, 'episodic', 'alice', 10, 0.0)",
                    logger: testLogger
                ) { try $0.decode(String.self) }
            }
            #expect(semantic == [garden.id])
            await expectEngramError(.invalidArgument) {
                try await driver.transaction(.store) { connection in
                    _ = try await connection.query(
                        "SELECT * FROM find_similar_memories('[1,2,3]'::vector, NULL, 'alice')", logger: testLogger
                    ).collect()
                }
            }
        }
    }

    @Test func statisticsCleanupAndVectorIndexesAnswerFromSQL() async throws {
        try await withIsolatedService { store, driver in
            _ = try await populate(store)
            let statistics = try await store.statistics(userID: "alice")
            let (total, valid, links, embeddings, sectors) = try #require(
                try await driver.transaction(.store) { connection in
                    try await connection.first(
                        """
                        SELECT total_memories, valid_memories, links, embeddings, memories_by_sector::text
                        FROM get_memory_statistics('alice')
                        """, logger: testLogger
                    ) { try $0.decode((Int, Int, Int, Int, String).self) }
                })
            #expect(total == statistics.memories)
            #expect(valid == statistics.validMemories)
            #expect(links == statistics.links)
            #expect(embeddings == statistics.embeddings)
            #expect(
                try JSONValue.parse(sectors, field: "sectors")
                    == .object(["semantic": .number(2), "episodic": .number(1)]))

            let indexes = try await driver.transaction(.store) { connection in
                try await connection.rows(
                    "SELECT index_name, model, dimension, method, vectors FROM get_vector_index_stats()",
                    logger: testLogger
                ) { try $0.decode((String, String, Int, String, Int).self) }
            }
            #expect(indexes.count == 1)
            #expect(indexes.first?.1 == "hashing-v1-384")
            #expect(indexes.first?.2 == 384)
            #expect(indexes.first?.3 == "hnsw")
            #expect(indexes.first?.4 == 4, "both users' vectors of the model")
            let rebuilt = try await driver.transaction(.store) { connection in
                try await connection.rows("SELECT index_name FROM rebuild_vector_indexes()", logger: testLogger) {
                    try $0.decode(String.self)
                }
            }
            #expect(rebuilt == indexes.map(\.0))

            // An orphan left by a load that bypassed the foreign key is cleaned up.
            let removed = try await driver.transaction(.store) { connection in
                try await connection.query(
                    "ALTER TABLE emotions DROP CONSTRAINT emotions_user_id_memory_id_fkey", logger: testLogger)
                try await connection.query(
                    """
                    INSERT INTO emotions (user_id, memory_id, valence, arousal, dominance, confidence, updated_at)
                    VALUES ('alice', 'gone', 0.5, 0.5, 0, 0.9, now())
                    """, logger: testLogger)
                return try await connection.first("SELECT cleanup_orphaned_metadata()", logger: testLogger) {
                    try $0.decode(Int.self)
                }
            }
            #expect(removed == 1)
            #expect(try await store.statistics(userID: "alice").emotions == 0)
        }
    }

    @Test(.enabled(if: pgBinFolder != nil))
    func psqlCallsThemWithNothingButTheSchema() async throws {
        try await withIsolatedService { store, driver in
            _ = try await populate(store)
            let psql = URL(fileURLWithPath: try #require(pgBinFolder)).appendingPathComponent("psql")
            let process = Process()
            process.executableURL = psql
            let schema = driver.postgres.schema
            process.arguments = [
                "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", try #require(testDatabaseURL), "-c",
                "SELECT total_memories FROM \(schema).get_memory_statistics('alice')", "-c",
                "SELECT count(*) FROM \(schema).get_vector_index_stats()",
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 0)
            #expect(text.split(separator: "\n") == ["3", "1"])
        }
    }
}
