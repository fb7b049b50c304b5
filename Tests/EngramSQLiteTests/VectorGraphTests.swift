import EngramCore
import Foundation
import Testing

@testable import EngramSQLite
@testable import EngramTestSupport

/// The HNSW graph the SQLite driver searches for users with many vectors: how much of the exact top 10 it finds,
/// that syncing it to a matrix changes only the differences, and that through the driver it follows every write.
@Suite struct VectorGraphTests {
    private let settings = VectorGraphSettings(threshold: 1, buildsInBackground: false)

    private func rows(_ count: Int, seed: UInt64, dimension: Int = 384) -> [Int64: [Float]] {
        var source = VectorSource(seed: seed)
        return Dictionary(uniqueKeysWithValues: (0..<Int64(count)).map { ($0, source.unitVector(dimension)) })
    }

    private func index(_ rows: [Int64: [Float]], dimension: Int = 384) -> FlatVectorIndex {
        var index = FlatVectorIndex(dimension: dimension)
        for (key, vector) in rows.sorted(by: { $0.key < $1.key }) { index.upsert(key, vector) }
        return index
    }

    private func exactTop(_ rows: [Int64: [Float]], _ query: [Float], k: Int) -> Set<Int64> {
        Set(rows.map { ($0.key, VectorMath.dot($0.value, query)) }.sorted { $0.1 > $1.1 }.prefix(k).map(\.0))
    }

    /// Random 384-d unit vectors are the hard case for a graph (no clusters to follow); the driver's settings must
    /// still find nearly all of the exact top 10, each score within the codes' error bound.
    @Test func theGraphFindsNearlyAllOfTheExactTopTen() throws {
        let stored = rows(3_000, seed: 11)
        let flat = index(stored)
        let graph = try #require(VectorGraph(dimension: 384, settings: settings))
        #expect(try graph.sync(to: flat, version: 1, threads: 2) == 3_000)
        #expect(graph.count == 3_000)
        var source = VectorSource(seed: 12)
        var found = 0
        let queries = 40
        for _ in 0..<queries {
            let query = source.unitVector(384)
            let result = flat.search(query, k: 10, graph: graph) { keys in
                Dictionary(uniqueKeysWithValues: keys.compactMap { key in stored[key].map { (key, $0) } })
            }
            #expect(result.count == 10)
            found += Set(result.map(\.key)).intersection(exactTop(stored, query, k: 10)).count
            for hit in result {
                let exact = VectorMath.dot(stored[hit.key]!, query)
                #expect(abs(hit.score - exact) <= VectorMath.codesErrorBound(stored[hit.key]!, query))
            }
        }
        #expect(Double(found) / Double(queries * 10) >= 0.95)
    }

    /// A sync adds the missing rows, replaces changed ones and removes the rest, and costs the differences only.
    @Test func syncChangesOnlyTheDifferences() throws {
        var stored = rows(300, seed: 21, dimension: 64)
        let graph = try #require(VectorGraph(dimension: 64, settings: settings))
        #expect(try graph.sync(to: index(stored, dimension: 64), version: 1, threads: 1) == 300)
        // The same rows at a later version: nothing to do. An earlier version: not even a comparison.
        #expect(try graph.sync(to: index(stored, dimension: 64), version: 2, threads: 1) == 0)
        var source = VectorSource(seed: 22)
        let removed: [Int64] = Array(0..<10)
        for key in removed { stored[key] = nil }
        let moved: [Int64] = Array(10..<15)
        for key in moved { stored[key] = source.unitVector(64) }
        for key in Int64(300)..<307 { stored[key] = source.unitVector(64) }
        #expect(try graph.sync(to: index(stored, dimension: 64), version: 1, threads: 1) == 0)
        #expect(graph.count == 300)
        #expect(try graph.sync(to: index(stored, dimension: 64), version: 3, threads: 1) == 12)
        #expect(graph.count == 297)
        #expect(graph.version == 3)
        // Each moved or new row is its own nearest neighbour; a removed row is never returned.
        for key in moved + Array(300..<307) { #expect(graph.search(stored[key]!, length: 1) == [key]) }
        let everything = graph.search(VectorSource(seed: 23).unitVectorCopy(64), length: 400)
        #expect(everything.count == 297)
        #expect(Set(everything).isDisjoint(with: removed))
    }

    /// A change applies only on top of the version it was made from.
    @Test func aChangeAppliesOnlyFromItsVersion() throws {
        let stored = rows(50, seed: 31, dimension: 32)
        let graph = try #require(VectorGraph(dimension: 32, settings: settings))
        try graph.sync(to: index(stored, dimension: 32), version: 5, threads: 1)
        let vector = VectorSource(seed: 32).unitVectorCopy(32)
        #expect(!(try graph.apply(before: 4, after: 6) { try $0.upsert(99, vector) }))
        #expect(graph.count == 50)
        #expect(graph.version == 5)
        #expect(
            try graph.apply(before: 5, after: 6) {
                try $0.upsert(99, vector)
                $0.remove(0)
            })
        #expect(graph.count == 50)
        #expect(graph.version == 6)
        #expect(graph.search(vector, length: 1) == [99])
        #expect(!graph.search(stored[0]!, length: 50).contains(0))
    }

    /// Through the driver, with a graph from the first vector: the user's own memories only, every write followed
    /// (a forget, new content, a write by another connection to the same file), and the exact search agreeing.
    @Test func theDriversGraphFollowsEveryWrite() async throws {
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("engram.sqlite").path
        let driver = try SQLiteDriver(path: path, vectorGraphs: settings, logger: quietLogger)
        defer { try? driver.close() }
        let store = MemoryService(driver: driver, logger: quietLogger)
        let topics = ["garden", "chess", "violin", "sailing", "pottery", "astronomy", "baking", "cycling"]
        var ids: [String: [String]] = [:]
        for user in ["alice", "bob"] {
            _ = try await store.createUser(UserDraft(id: user))
            ids[user] = try await store.rememberAll(
                topics.enumerated().map { index, topic in
                    MemoryDraft(userID: user, content: "\(user) note \(index): \(topic) \(topic) practice schedule")
                }
            ).map(\.memory.id)
        }
        let model = EmbeddingModel(store.embedder)
        func nearest(_ user: String, _ text: String, limit: Int = 5) async throws -> [String] {
            let vector = try await store.embedder.embed(text)
            return try await driver.read(.user(user)) { tx in
                try await tx.vectorCandidates(
                    userID: user, vector: vector, model: model, filters: RecallFilters(), at: Date(), limit: limit)
            }.map(\.memoryID)
        }
        #expect(try await nearest("alice", "alice note 1: chess chess practice schedule").first == ids["alice"]![1])
        #expect(driver.vectors.hasGraph(userID: "alice", model: model))
        #expect(Set(try await nearest("bob", "chess", limit: 20)).isSubset(of: Set(ids["bob"]!)))

        try await store.forget(userID: "alice", id: ids["alice"]![1], mode: .hard)
        #expect(
            !(try await nearest("alice", "alice note 1: chess chess practice schedule", limit: 20)).contains(
                ids["alice"]![1]))
        _ = try await store.updateMemory(
            userID: "alice", id: ids["alice"]![2], MemoryPatch(content: "kayak river rapids paddle"))
        #expect(try await nearest("alice", "kayak river rapids paddle").first == ids["alice"]![2])

        // Another connection writes: this driver's matrix and graph are behind, and catch up on the next search.
        let other = try SQLiteDriver(path: path, vectorGraphs: .off, logger: quietLogger)
        let added = try await MemoryService(driver: other, logger: quietLogger).remember(
            MemoryDraft(userID: "alice", content: "lighthouse keeper fog horn")
        ).memory.id
        try other.close()
        #expect(try await nearest("alice", "lighthouse keeper fog horn").first == added)
        // Every other memory is still its own content's nearest.
        for (index, topic) in topics.enumerated() where index > 2 {
            let content = "alice note \(index): \(topic) \(topic) practice schedule"
            #expect(try await nearest("alice", content).first == ids["alice"]![index])
        }
    }
}

/// Saved graphs: a process that opens the store loads them instead of building them, and a forget or an erasure
/// takes the user's codes off the disk.
@Suite struct SavedVectorGraphTests {
    private let settings = VectorGraphSettings(threshold: 1, buildsInBackground: false)

    @Test func aSavedGraphLoadsBackWholeOrNotAtAll() throws {
        var source = VectorSource(seed: 41)
        var flat = FlatVectorIndex(dimension: 48)
        for key in Int64(0)..<500 { flat.upsert(key, source.unitVector(48)) }
        let graph = try #require(VectorGraph(dimension: 48, settings: settings))
        try graph.sync(to: flat, version: 1, threads: 1)
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("graph.hnsw")
        #expect(graph.save(to: file))
        #expect(!graph.isUnsaved)
        let loaded = try #require(VectorGraph(loading: file, dimension: 48, settings: settings))
        #expect(loaded.count == 500)
        #expect(loaded.version == -1)
        let query = source.unitVector(48)
        #expect(loaded.search(query, length: 20) == graph.search(query, length: 20))
        // Its version is unknown until a sync, which then finds nothing to change.
        #expect(try loaded.sync(to: flat, version: 1, threads: 1) == 0)
        // Another dimension, a truncated file, no file: nothing.
        #expect(VectorGraph(loading: file, dimension: 47, settings: settings) == nil)
        let bytes = try Data(contentsOf: file)
        let truncated = directory.appendingPathComponent("truncated.hnsw")
        try bytes.prefix(bytes.count - 100).write(to: truncated)
        #expect(VectorGraph(loading: truncated, dimension: 48, settings: settings) == nil)
        let none = directory.appendingPathComponent("none.hnsw")
        #expect(VectorGraph(loading: none, dimension: 48, settings: settings) == nil)
    }

    @Test func theDriverSavesLoadsAndDeletesAUsersGraph() async throws {
        let directory = testRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("engram.sqlite").path
        let graphs = URL(fileURLWithPath: path + "-graphs")
        func files() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: graphs.path)) ?? []).filter { $0.hasSuffix(".hnsw") }
        }
        var driver = try SQLiteDriver(path: path, vectorGraphs: settings, logger: quietLogger)
        var store = MemoryService(driver: driver, logger: quietLogger)
        var ids: [String] = []
        for user in ["alice", "bob"] {
            _ = try await store.createUser(UserDraft(id: user))
            ids = try await store.rememberAll(
                (0..<12).map { MemoryDraft(userID: user, content: "\(user) keeps note \($0) about kites") }
            ).map(\.memory.id)
        }
        let query = RecallQuery(userID: "bob", text: "kites", reinforce: false)
        #expect(try await store.recall(query).count == 10)
        #expect(driver.vectors.graphsBuilt.load(ordering: .relaxed) == 1)
        try await driver.waitForVectorGraphs()
        #expect(files().count == 1)
        // A forget removes the saved codes at once; closing saves the graph as it now is.
        try await store.forget(userID: "bob", id: ids[0], mode: .hard)
        #expect(files().isEmpty)
        try driver.close()
        #expect(files().count == 1)

        driver = try SQLiteDriver(path: path, vectorGraphs: settings, logger: quietLogger)
        store = MemoryService(driver: driver, logger: quietLogger)
        let found = try await store.recall(query)
        #expect(found.count == 10)
        #expect(!found.map(\.memory.id).contains(ids[0]))
        #expect(driver.vectors.graphsLoaded.load(ordering: .relaxed) == 1)
        #expect(driver.vectors.graphsBuilt.load(ordering: .relaxed) == 0)
        // Alice's graph is built and saved beside Bob's; erasing Bob deletes his file only.
        _ = try await store.recall(RecallQuery(userID: "alice", text: "kites", reinforce: false))
        try await driver.waitForVectorGraphs()
        #expect(files().count == 2)
        _ = try await store.eraseUser("bob")
        #expect(files().count == 1)
        try driver.close()
    }
}

extension VectorSource {
    /// One vector of a fresh source.
    func unitVectorCopy(_ dimension: Int) -> [Float] {
        var copy = self
        return copy.unitVector(dimension)
    }
}
