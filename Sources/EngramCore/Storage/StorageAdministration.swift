import Foundation

/// What a driver does outside user transactions: migrations, vector indexes and the connection check.
public protocol StorageAdministration: Sendable {
    /// The migrations this build ships for the driver, by version.
    var migrations: [Migration] { get }
    /// Whether the database was opened for reading only: every write then fails with `database_read_only`.
    var isReadOnly: Bool { get }

    /// The migrations recorded as applied, read without locks (an empty list on a new database).
    func appliedMigrations() async throws -> [AppliedMigration]
    /// Runs `body` in one transaction that holds the store's migration lock, so that concurrent migrators wait.
    func migrating<T: Sendable>(_ body: (any MigrationTransaction) async throws -> T) async throws -> T

    /// Makes sure the vectors of `models` can be searched, before a transaction writes them (PostgreSQL creates
    /// an HNSW index per model, which is DDL and must not run inside a user's transaction).
    func prepareVectorIndexes(for models: [EmbeddingModel]) async throws
    /// The vector indexes of the store; empty when the driver searches vectors in memory.
    func vectorIndexStatistics() async throws -> [VectorIndexStatistics]
    /// Rebuilds one vector index per model and dimension, with `method` or each index's current one.
    func rebuildVectorIndexes(method: VectorIndexMethod?) async throws -> [VectorIndexStatistics]
    /// Drops the approximate vector indexes of `models` for a large load, so that its vectors go in without
    /// index upkeep, until ``buildDeferredVectorIndexes()`` builds them again; meanwhile these models' vectors are
    /// searched exactly and ``prepareVectorIndexes(for:)`` leaves them alone. A driver without such indexes does
    /// nothing.
    func deferVectorIndexes(for models: [EmbeddingModel]) async throws
    /// Builds every index ``deferVectorIndexes(for:)`` dropped (with the method it had), over every vector stored.
    func buildDeferredVectorIndexes() async throws

    /// The connection test: can the database be reached, what is it, and what is wrong with it.
    func health() async -> DriverHealth
}

/// A driver's answer to the connection test, before ``MemoryService`` adds migrations and embeddings.
public struct DriverHealth: Sendable, Hashable {
    /// The database file or name.
    public var database: String
    /// The engine and its version, such as `SQLite 3.40.1` or `PostgreSQL 18.1`; `nil` when it cannot be reached.
    public var version: String?
    /// The server's host and port (PostgreSQL); `nil` for a file.
    public var host: String?
    public var port: Int?
    /// Checks of the backend, such as `journal_mode` or `pgvector`.
    public var details: [String: String]
    /// What is wrong, each with what to do; empty when the database is healthy.
    public var problems: [String]

    public init(
        database: String, version: String?, host: String? = nil, port: Int? = nil, details: [String: String] = [:],
        problems: [String] = []
    ) {
        self.database = database
        self.version = version
        self.host = host
        self.port = port
        self.details = details
        self.problems = problems
    }
}

/// The operations of one migration step, inside the transaction ``StorageAdministration/migrating(_:)`` opened.
public protocol MigrationTransaction {
    /// The migrations recorded as applied (an empty list on a new database).
    func appliedMigrations() async throws -> [AppliedMigration]
    /// Runs a migration's SQL script.
    func execute(_ script: String) async throws
    /// Records `migration` as applied at `date`.
    func recordApplied(_ migration: Migration, at date: Date) async throws
    /// Removes the record of migration `version`.
    func removeRecord(version: Int) async throws
}

/// The pgvector access method of an embedding index.
public enum VectorIndexMethod: String, Codable, Sendable, CaseIterable {
    /// Hierarchical navigable small worlds: the default; good recall without tuning, slower to build.
    case hnsw
    /// Inverted lists: quick to build and small; `lists ≈ √rows`, so rebuild it after the table grows.
    case ivfflat
}

/// One vector index of the `embeddings` table (seed 001's `get_vector_index_stats`).
public struct VectorIndexStatistics: Codable, Sendable, Equatable {
    /// The index's name.
    public var name: String
    /// The embedding model whose vectors it indexes.
    public var model: String
    /// The vectors' dimension.
    public var dimension: Int
    /// `hnsw` or `ivfflat`.
    public var method: VectorIndexMethod
    /// How many vectors of this model and dimension the table holds.
    public var rows: Int
    /// The index's size on disk, in bytes.
    public var sizeBytes: Int64
    /// How many scans used the index since the statistics were last reset.
    public var scans: Int64
    /// The number of inverted lists of an `ivfflat` index; `nil` for `hnsw`.
    public var lists: Int?
    /// Whether the database can use the index (an interrupted concurrent build leaves it invalid).
    public var isValid: Bool

    public init(
        name: String, model: String, dimension: Int, method: VectorIndexMethod, rows: Int, sizeBytes: Int64,
        scans: Int64, lists: Int? = nil, isValid: Bool = true
    ) {
        self.name = name
        self.model = model
        self.dimension = dimension
        self.method = method
        self.rows = rows
        self.sizeBytes = sizeBytes
        self.scans = scans
        self.lists = lists
        self.isValid = isValid
    }
}
