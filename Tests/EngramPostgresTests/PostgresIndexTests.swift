import EngramCore
import Foundation
import PostgresNIO
import Testing

@testable import EngramPostgres

/// Seed 001's vector index operations on the real server: statistics per model and dimension, and rebuilds
/// to IVFFlat and back to HNSW that keep recall working.
@Suite(.enabled(if: serverAvailable, "needs ENGRAM_TEST_DATABASE_URL (scripts/test.sh starts the server)"))
struct PostgresIndexTests {
    private let facts = [
        "The cat sleeps on the red sofa every afternoon",
        "Alice drinks green tea with honey in the morning",
        "The project deadline moved to the second week of March",
        "Bob plays the cello in a string quartet on Sundays",
        "The office printer on floor three jams with thick paper",
    ]

    private func remember(_ store: MemoryService) async throws -> [String: String] {
        _ = try await store.createUser(UserDraft(id: "alice"))
        var ids: [String: String] = [:]
        for fact in facts {
            ids[fact] = try await store.remember(MemoryDraft(userID: "alice", content: fact)).memory.id
        }
        return ids
    }

    private func topResult(_ store: MemoryService, _ text: String) async throws -> RecallResult? {
        try await store.recall(RecallQuery(userID: "alice", text: text, k: 3)).first
    }

    @Test func statisticsListTheModelsHNSWIndex() async throws {
        try await withIsolatedService { store, driver in
            #expect(try await store.vectorIndexStatistics().isEmpty)
            _ = try await self.remember(store)
            let statistics = try await store.vectorIndexStatistics()
            let index = try #require(statistics.first, "\(statistics)")
            #expect(statistics.count == 1)
            #expect(index.name == PostgresDriver.vectorIndexName(.hnsw, model: "hashing-v1-384", dimension: 384))
            #expect(index.model == store.embedder.model)
            #expect(index.dimension == 384)
            #expect(index.method == .hnsw)
            #expect(index.rows == self.facts.count)
            #expect(index.sizeBytes > 0)
            #expect(index.scans >= 0)
            #expect(index.lists == nil)
            #expect(index.isValid)

            // A second model gets an index of its own.
            let shared = try PostgresDriver(driver.postgres, client: driver.client, logger: testLogger)
            let narrow = service(shared, embedder: HashingEmbedder(dimension: 64))
            _ = try await narrow.remember(MemoryDraft(userID: "alice", content: "A note in the small model"))
            let both = try await store.vectorIndexStatistics()
            #expect(Set(both.map(\.dimension)) == [64, 384], "\(both)")
            #expect(both.first { $0.dimension == 64 }?.rows == 1)
            #expect(both.first { $0.dimension == 64 }?.model == "hashing-v1-64")
        }
    }

    @Test func rebuildToIVFFlatAndBackKeepsRecallWorking() async throws {
        try await withIsolatedService { store, driver in
            let ids = try await self.remember(store)
            let query = "green tea with honey"
            let target = ids["Alice drinks green tea with honey in the morning"]

            let ivfflat = try await store.rebuildVectorIndexes(method: .ivfflat)
            #expect(
                ivfflat.map(\.name) == [
                    PostgresDriver.vectorIndexName(.ivfflat, model: "hashing-v1-384", dimension: 384)
                ])
            let afterIVFFlat = try await store.vectorIndexStatistics()
            #expect(afterIVFFlat.map(\.method) == [.ivfflat], "\(afterIVFFlat)")
            #expect(afterIVFFlat.first?.lists == 2)  // √5 ≈ 2.2
            #expect(afterIVFFlat.first?.rows == self.facts.count)
            let first = try await self.topResult(store, query)
            #expect(first?.memory.id == target)
            #expect(first?.matchedBy.contains("vector") == true)

            // New memories still work, and a fresh driver does not add an HNSW index beside the IVFFlat one.
            let fresh = service(try PostgresDriver(driver.postgres, client: driver.client, logger: testLogger))
            _ = try await fresh.remember(MemoryDraft(userID: "alice", content: "Carol bakes sourdough bread"))
            #expect(try await store.vectorIndexStatistics().map(\.method) == [.ivfflat])
            #expect(try await self.topResult(fresh, "sourdough bread")?.memory.content == "Carol bakes sourdough bread")

            // Without a method, each index keeps its own: still IVFFlat, its lists following the new row count.
            #expect(try await store.rebuildVectorIndexes().map(\.method) == [.ivfflat])

            let hnsw = try await store.rebuildVectorIndexes(method: .hnsw).map(\.name)
            #expect(hnsw == [PostgresDriver.vectorIndexName(.hnsw, model: "hashing-v1-384", dimension: 384)])
            let afterHNSW = try await store.vectorIndexStatistics()
            #expect(afterHNSW.map(\.method) == [.hnsw], "\(afterHNSW)")
            #expect(afterHNSW.first?.rows == self.facts.count + 1)
            #expect(try await self.topResult(store, query)?.memory.id == target)

            // Rebuilding HNSW again (by its current method) reindexes the existing index in place.
            #expect(try await store.rebuildVectorIndexes().map(\.name) == hnsw)
            #expect(try await store.vectorIndexStatistics().map(\.name) == hnsw)
        }
    }

    @Test func rebuildWithNoVectorsDoesNothing() async throws {
        try await withIsolatedService { store, _ in
            let rebuilt = try await store.rebuildVectorIndexes(method: .ivfflat)
            #expect(rebuilt.isEmpty)
            #expect(try await store.vectorIndexStatistics().isEmpty)
        }
    }

    @Test func ivfflatListsFollowTheSquareRootOfTheRows() {
        let ddl = PostgresDriver.vectorIndexDDL(.ivfflat, model: "m'x", dimension: 8, rows: 10_000)
        #expect(ddl.contains("WITH (lists = 100)"))
        #expect(ddl.contains("model = 'm''x'"))
        #expect(PostgresDriver.vectorIndexDDL(.ivfflat, model: "m", dimension: 8).contains("lists = 1)"))
        #expect(PostgresDriver.predicateModel("((model = 'm''x'::text) AND (dimension = 8))") == "m'x")
        #expect(PostgresDriver.predicateDimension("((model = 'm''x'::text) AND (dimension = 8))") == 8)
    }

    /// A large load drops the model's index, its writes do not create it again, and it is built once afterwards
    /// over every vector; a load smaller than what is stored keeps the index.
    @Test func aBulkLoadBuildsTheIndexOnceAfterTheLoad() async throws {
        try await withIsolatedService { store, _ in
            _ = try await self.remember(store)
            let name = PostgresDriver.vectorIndexName(.hnsw, model: "hashing-v1-384", dimension: 384)
            #expect(try await store.vectorIndexStatistics().map(\.name) == [name])
            try await store.bulkLoad(memories: 10, deferringIndexesFrom: 10) {
                _ = try await store.rememberAll(
                    (0..<10).map { MemoryDraft(userID: "alice", content: "Kite number \($0) flew over the dunes") })
                #expect(try await store.vectorIndexStatistics().isEmpty)
            }
            let after = try await store.vectorIndexStatistics()
            #expect(after.map(\.name) == [name])
            #expect(after.first?.rows == 15)
            #expect(after.first?.isValid == true)

            // 4 memories onto 15 vectors: inserting into the index is cheaper than building it again.
            try await store.bulkLoad(memories: 4, deferringIndexesFrom: 1) {
                _ = try await store.remember(MemoryDraft(userID: "alice", content: "A small addition"))
                #expect(try await store.vectorIndexStatistics().map(\.name) == [name])
            }
            let first = try await self.topResult(store, "green tea with honey")
            #expect(first?.memory.content == "Alice drinks green tea with honey in the morning")
        }
    }

    /// The index is built again when the load fails, with the method it had (IVFFlat stays IVFFlat).
    @Test func aFailedBulkLoadBuildsTheIndexAgainWithItsMethod() async throws {
        try await withIsolatedService { store, _ in
            _ = try await self.remember(store)
            _ = try await store.rebuildVectorIndexes(method: .ivfflat)
            struct Interrupted: Error {}
            await #expect(throws: Interrupted.self) {
                try await store.bulkLoad(memories: 50, deferringIndexesFrom: 10) {
                    _ = try await store.remember(MemoryDraft(userID: "alice", content: "The lighthouse keeper waves"))
                    #expect(try await store.vectorIndexStatistics().isEmpty)
                    throw Interrupted()
                }
            }
            let after = try await store.vectorIndexStatistics()
            #expect(after.map(\.method) == [.ivfflat], "\(after)")
            #expect(after.first?.rows == self.facts.count + 1)
            #expect(after.first?.isValid == true)
        }
    }

    /// A process killed during a bulk load leaves the model without its index: the next process's first write
    /// creates it over every stored vector.
    @Test func aKilledBulkLoadLeavesTheIndexToTheNextWrite() async throws {
        try await withIsolatedService { store, driver in
            _ = try await self.remember(store)
            let model = EmbeddingModel(model: store.embedder.model, dimension: store.embedder.dimension)
            try await driver.deferVectorIndexes(for: [model])
            #expect(try await store.vectorIndexStatistics().isEmpty)

            let next = service(try PostgresDriver(driver.postgres, client: driver.client, logger: testLogger))
            _ = try await next.remember(MemoryDraft(userID: "alice", content: "The ferry leaves at dawn"))
            let statistics = try await next.vectorIndexStatistics()
            #expect(
                statistics.map(\.name) == [PostgresDriver.vectorIndexName(.hnsw, model: model.model, dimension: 384)])
            #expect(statistics.first?.rows == self.facts.count + 1)
            #expect(statistics.first?.isValid == true)
        }
    }
}
