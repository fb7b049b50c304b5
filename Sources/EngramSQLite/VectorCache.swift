import CEngramSQLite
import EngramCore
import Foundation
import GRDB
import Logging
import Synchronization

/// Per-user in-memory int8 code matrices (``FlatVectorIndex``) for SIMD top-k, and for users with many vectors an
/// HNSW graph over the same codes (``VectorGraph``), kept in step with the database.
///
/// Each user's matrix is tagged with the user's `vector_version`, which triggers bump on every
/// change to that user's embeddings, from this process or any other. A reader compares versions
/// and reloads on mismatch; a writer that knows the version before and after its own transaction
/// applies its change in place instead of reloading.
final class VectorCache: Sendable {
    private let entries = Mutex<[Key: Entry]>([:])
    /// Users' graphs, which outlive a reload of their matrices (a reload syncs the graph, at the cost of the
    /// differences).
    private let graphs = Mutex<[Key: GraphState]>([:])
    let graphSettings: VectorGraphSettings
    /// Where graphs are saved, so that a process opening the store loads them instead of building them (nil: never
    /// saved). A saved graph is a cache: it is synced to the store's rows after loading, and deleted when any of
    /// its user's vectors is removed (a forget or an erasure must not leave their codes on disk).
    let folder: URL?
    /// A user's vector version as the store has it now (0 when the user is gone, nil when it cannot be read): a
    /// graph is saved only while it reflects the store.
    private let currentVersion: @Sendable (String) -> Int64?
    private let logger: Logger

    init(
        graphSettings: VectorGraphSettings, folder: URL?, logger: Logger,
        currentVersion: @escaping @Sendable (String) -> Int64?
    ) {
        self.graphSettings = graphSettings
        self.folder = folder
        self.logger = logger
        self.currentVersion = currentVersion
    }

    /// The file of a user's saved graphs: the user's hash, then the model's.
    private func file(for key: Key) -> URL? {
        let model = ContentHash.hex(Data("\(key.model.model)/\(key.model.dimension)".utf8)).prefix(16)
        return folder?.appendingPathComponent("\(Self.filePrefix(key.userID))\(model).hnsw")
    }

    private static func filePrefix(_ userID: String) -> String {
        "u" + ContentHash.hex(Data(userID.utf8)).prefix(20) + "-"
    }

    /// Deletes the saved graphs of `userID`, or of every user.
    private func deleteFiles(of userID: String?) {
        guard let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasSuffix(".hnsw") || name.hasSuffix(".hnsw.part") {
            if let userID, !name.hasPrefix(Self.filePrefix(userID)) { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Saves `graph` as the graph of `key` if it reflects the user's vectors as the store has them. A writer that
    /// removes vectors deletes the file after its commit: checking the version again after the write leaves no
    /// moment at which a removed vector's codes stay saved.
    private func save(_ graph: VectorGraph, for key: Key) {
        guard let file = file(for: key), currentVersion(key.userID) == graph.version else { return }
        do {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            logger.warning("cannot create the vector graph folder", metadata: ["error": "\(error)"])
            return
        }
        if !graph.save(to: file) {
            logger.warning("cannot save a vector graph; it is rebuilt when the store is opened again")
        } else if currentVersion(key.userID) != graph.version {
            try? FileManager.default.removeItem(at: file)
        }
    }

    /// Saves every graph that changed since it was saved (when the driver closes).
    func saveGraphs() {
        guard folder != nil else { return }
        let ready = graphs.withLock { graphs in
            graphs.compactMap { key, state -> (Key, VectorGraph)? in
                if case .ready(let graph) = state { (key, graph) } else { nil }
            }
        }
        for (key, graph) in ready where graph.isUnsaved { save(graph, for: key) }
    }

    /// One matrix per user and model.
    struct Key: Hashable {
        var userID: String
        var model: EmbeddingModel
    }

    /// A user's matrix as of `version`, and the graph in step with it when the user has one.
    struct Entry: Sendable {
        var version: Int64
        var index: FlatVectorIndex
        var graph: VectorGraph?
    }

    private enum GraphState {
        /// A build numbered so is running in the background.
        case building(UInt64)
        case ready(VectorGraph)
    }

    private let builds = Atomic<UInt64>(0)
    /// Saves running in the background.
    private let saves = Atomic<Int>(0)
    /// Graphs this cache built from nothing, and graphs it loaded from a file (for tests and logs).
    let graphsBuilt = Atomic<Int>(0)
    let graphsLoaded = Atomic<Int>(0)

    /// The user's current vector version, read in `db`'s transaction.
    static func version(_ db: Database, userID: String) throws -> Int64 {
        try db.value("SELECT vector_version FROM users WHERE id = \(userID)", as: Int64.self) ?? 0
    }

    /// The user's matrix (and graph) of `model` as of `db`'s snapshot when this cache holds it already; `nil` when
    /// it would have to be loaded (or loaded again).
    func loadedIndex(_ db: Database, userID: String, model: EmbeddingModel) throws -> Entry? {
        cached(Key(userID: userID, model: model), version: try Self.version(db, userID: userID))
    }

    /// The cached entry of `key` when it is as of `version`.
    private func cached(_ key: Key, version: Int64) -> Entry? {
        entries.withLock { $0[key] }.flatMap { $0.version == version ? $0 : nil }
    }

    /// The user's matrix (and graph) of `model` as of `db`'s snapshot, loading it when the cached one is stale.
    func index(_ db: Database, userID: String, model: EmbeddingModel) throws -> Entry {
        let key = Key(userID: userID, model: model)
        let version = try Self.version(db, userID: userID)
        if let entry = cached(key, version: version) { return entry }
        var index = FlatVectorIndex(dimension: model.dimension)
        // Room for every memory, and for the last batch's unused rows: batches of at most 4,096 rows, and no larger
        // than the user needs (a small user's index would otherwise hold a whole batch: 1.5 MiB at 384 dimensions).
        let memories = try db.value("SELECT memory_count FROM users WHERE id = \(userID)", as: Int.self) ?? 0
        let batch = min(4_096, max(0, memories) + 1)
        index.reserveCapacity(max(0, memories) + batch)
        // The codes the triggers keep (009_vector_codes.sql), in row order: a quarter of the vectors' bytes, copied
        // by SQLite's own loop (engram_read_vector_codes) rather than one Swift call per row.
        let statement = try db.cachedStatement(
            sql: "SELECT seq, codes FROM vector_codes WHERE user_id = ? AND model = ? AND dimension = ?")
        try statement.setArguments([userID, model.model, model.dimension])
        let dimension = model.dimension
        try index.appendRows(batch: batch) { keys, scales, codes in
            var count = 0
            let code = engram_read_vector_codes(
                statement.sqliteStatement, dimension, batch, keys, scales, codes, &count)
            switch code {
            case ResultCode.SQLITE_ROW.rawValue: return (count, true)
            case ResultCode.SQLITE_DONE.rawValue: return (count, false)
            default: throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage)
            }
        }
        let entry = Entry(version: version, index: index, graph: graph(for: key, index: index, version: version))
        entries.withLock { $0[key] = entry }
        return entry
    }

    /// The user's graph, synced to `index` at `version`, when the user has enough vectors for one and it is ready;
    /// starts building it when there is none.
    private func graph(for key: Key, index: FlatVectorIndex, version: Int64) -> VectorGraph? {
        guard index.count >= graphSettings.threshold else {
            graphs.withLock { $0[key] = nil }
            return nil
        }
        enum Next {
            case sync(VectorGraph)
            case build(UInt64)
            case wait
        }
        let next = graphs.withLock { graphs -> Next in
            switch graphs[key] {
            case .ready(let graph): return .sync(graph)
            case .building: return .wait
            case nil:
                let build = builds.add(1, ordering: .relaxed).newValue
                graphs[key] = .building(build)
                return .build(build)
            }
        }
        switch next {
        case .wait:
            return nil
        case .sync(let graph):
            do {
                try graph.sync(to: index, version: version, threads: 1)
                return graph
            } catch {
                logger.warning("cannot update a vector graph; searches scan instead", metadata: ["error": "\(error)"])
                graphs.withLock { $0[key] = nil }
                return nil
            }
        case .build(let build):
            guard graphSettings.buildsInBackground else {
                return self.build(build, key: key, index: index, version: version)
            }
            Thread.detachNewThread { [self] in _ = self.build(build, key: key, index: index, version: version) }
            return nil
        }
    }

    /// Builds the graph of `index` for build number `build` and installs it, unless the user's matrices were
    /// invalidated meanwhile. Returns it.
    private func build(_ build: UInt64, key: Key, index: FlatVectorIndex, version: Int64) -> VectorGraph? {
        let started = ContinuousClock.now
        // A saved graph, synced to the rows, costs the differences; else a new one.
        let saved = file(for: key).flatMap {
            VectorGraph(loading: $0, dimension: index.dimension, settings: graphSettings)
        }
        let graph = saved ?? VectorGraph(dimension: index.dimension, settings: graphSettings)
        let changed: Int
        do {
            guard let graph else { throw VectorGraphError.outOfMemory }
            changed = try graph.sync(
                to: index, version: version, threads: ProcessInfo.processInfo.activeProcessorCount)
        } catch {
            logger.warning("cannot build a vector graph; searches scan instead", metadata: ["error": "\(error)"])
            graphs.withLock { if case .building(build) = $0[key] { $0[key] = nil } }
            return nil
        }
        guard let graph else { return nil }
        let installed = graphs.withLock { graphs in
            guard case .building(build) = graphs[key] else { return false }
            graphs[key] = .ready(graph)
            return true
        }
        guard installed else { return nil }
        logger.debug(
            saved == nil ? "built a vector graph" : "loaded a saved vector graph",
            metadata: [
                "rows": "\(index.count)", "changed": "\(changed)", "duration": "\(ContinuousClock.now - started)",
            ])
        if saved == nil {
            graphsBuilt.add(1, ordering: .relaxed)
        } else {
            graphsLoaded.add(1, ordering: .relaxed)
        }
        if saved == nil || changed > index.count / 100 {
            // On a thread of its own: the save reads the store, and this may run inside a read of it.
            saves.add(1, ordering: .relaxed)
            Thread.detachNewThread { [self] in
                save(graph, for: key)
                saves.subtract(1, ordering: .relaxed)
            }
        }
        // The cached matrix takes the graph if it is still at the graph's version; otherwise it goes, and the next
        // search reloads it and syncs the graph to it.
        entries.withLock { entries in
            guard let entry = entries[key] else { return }
            if entry.version == version {
                entries[key]?.graph = graph
            } else {
                entries[key] = nil
            }
        }
        return graph
    }

    /// Whether the user has a graph of `model` ready.
    func hasGraph(userID: String, model: EmbeddingModel) -> Bool {
        graphs.withLock { if case .ready = $0[Key(userID: userID, model: model)] { true } else { false } }
    }

    /// How many vectors the cached index of the user's `model` has room for (`nil` when none is cached).
    func capacity(userID: String, model: EmbeddingModel) -> Int? {
        entries.withLock { $0[Key(userID: userID, model: model)]?.index.capacity }
    }

    /// Whether no graph is being built or saved (for measurements and tests, which wait for them).
    var graphsAreSettled: Bool {
        saves.load(ordering: .relaxed) == 0
            && graphs.withLock { graphs in !graphs.values.contains { if case .building = $0 { true } else { false } } }
    }

    /// Applies a committed change made between versions `before` and `after`: `upserts` per model, `removals`
    /// from every model. Drops the user's matrices when another writer changed the user's vectors in between.
    func apply(
        userID: String, before: Int64, after: Int64, upserts: [EmbeddingModel: [(Int64, [Float])]],
        removals: [Int64]
    ) {
        // A removed vector's codes leave the disk with it.
        if !removals.isEmpty { deleteFiles(of: userID) }
        // The graphs first, outside the lock that every search takes: an insertion costs far more than a matrix row.
        // A graph not at `before` (or out of memory) is synced, or rebuilt, on the next load.
        let graphs = entries.withLock { entries in
            entries.filter { $0.key.userID == userID }.compactMap { key, entry in entry.graph.map { (key, $0) } }
        }
        var stale: Set<Key> = []
        for (key, graph) in graphs {
            let applied =
                (try? graph.apply(before: before, after: after) { writer in
                    for seq in removals { writer.remove(seq) }
                    for (seq, vector) in upserts[key.model] ?? [] { try writer.upsert(seq, vector) }
                }) ?? false
            if !applied { stale.insert(key) }
        }
        entries.withLock { entries in
            // Keys copied out first: iterating `entries.keys` while mutating would copy the dictionary, and with
            // it every matrix.
            for key in Array(entries.keys.filter { $0.userID == userID }) {
                guard var entry = entries[key], entry.version == before, !stale.contains(key) else {
                    entries[key] = nil
                    continue
                }
                entries[key] = nil  // release the stored copy so the update happens in place
                for seq in removals { entry.index.remove(seq) }
                for (seq, vector) in upserts[key.model] ?? [] { entry.index.upsert(seq, vector) }
                entry.version = after
                entries[key] = entry
            }
        }
    }

    /// Forgets the user's matrices and graphs; the next read reloads them.
    func invalidate(userID: String) {
        entries.withLock { entries in
            for key in Array(entries.keys.filter { $0.userID == userID }) { entries[key] = nil }
        }
        graphs.withLock { graphs in
            for key in Array(graphs.keys.filter { $0.userID == userID }) { graphs[key] = nil }
        }
        deleteFiles(of: userID)
    }

    /// Forgets every matrix and graph (after a model switch or a whole-store change).
    func invalidateAll() {
        entries.withLock { $0.removeAll() }
        graphs.withLock { $0.removeAll() }
        deleteFiles(of: nil)
    }
}
