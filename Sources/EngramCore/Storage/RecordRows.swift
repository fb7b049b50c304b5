import Foundation

/// Row operations on the audit trail, statistics, and whole tables of a user: export, import, erasure, cleanup.
public protocol RecordRows {
    /// The highest audit line number of the user, 0 when there is none. The user's audit trail is locked until the
    /// transaction ends, so that concurrent writers number their lines in turn (audit lines are written last).
    func lastAuditID(userID: String) async throws -> Int64
    /// Inserts audit lines as they are.
    func insertAuditEntries(_ entries: [AuditEntry]) async throws
    /// The user's audit lines, newest first, at most `limit`, below line `before` when set.
    func auditEntries(userID: String, before: Int64?, limit: Int) async throws -> [AuditEntry]

    /// Row counts of the user's tables; working facts counted when they expire after `date`.
    func statisticsCounts(userID: String, at date: Date) async throws -> StatisticsCounts
    /// The scoring signals of every memory of the user, for averages.
    func memoryVitals(userID: String) async throws -> [MemoryVitals]

    /// Every row of `table` that belongs to the user, in a stable order of stored columns (memories in insertion
    /// order), so that an export imported elsewhere exports identically.
    func exportRows(of table: StorageTable, userID: String) async throws -> [ExportRecord]
    /// Inserts rows of one table exactly as exported.
    func importRows(_ records: ArraySlice<ExportRecord>) async throws
    /// Deletes every row of `table` that belongs to the user (for `users`, the user row); returns how many.
    func deleteRows(of table: StorageTable, userID: String) async throws -> Int
    /// Makes deleted rows unrecoverable from the database files where the engine can (overwrites freed pages,
    /// rewrites the full-text index, truncates the write-ahead log after commit).
    func scrubDeletedData() async throws
    /// Deletes the user's rows whose memory or session is gone and clears dangling parents; returns the rows it
    /// deleted, and the memories whose parent it cleared as they were before (any order).
    func deleteOrphans(userID: String) async throws -> [ExportRecord]
}

/// Row counts of one user's tables, as a driver counts them.
public struct StatisticsCounts: Sendable, Hashable {
    public var memories = 0
    public var memoriesBySector: [String: Int] = [:]
    public var memoriesByContextType: [String: Int] = [:]
    public var entities = 0
    public var embeddings = 0
    public var links = 0
    public var linksByType: [String: Int] = [:]
    public var sessions = 0
    public var messages = 0
    public var activeWorkingFacts = 0
    public var emotions = 0
    public var feedback = 0

    public init() {}
}

/// The signals of one memory that statistics average.
public struct MemoryVitals: Sendable, Hashable {
    public var salience: Double
    public var strength: Double
    public var decayRate: Double
    public var lastReinforcedAt: Date
    public var createdAt: Date
    public var validTo: Date?

    public init(
        salience: Double, strength: Double, decayRate: Double, lastReinforcedAt: Date, createdAt: Date, validTo: Date?
    ) {
        self.salience = salience
        self.strength = strength
        self.decayRate = decayRate
        self.lastReinforcedAt = lastReinforcedAt
        self.createdAt = createdAt
        self.validTo = validTo
    }
}
