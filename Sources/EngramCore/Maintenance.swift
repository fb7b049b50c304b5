import Foundation

/// What a maintenance pass should do. Each step runs in its own transaction.
public struct MaintenanceOptions: Sendable, Hashable {
    /// Consolidate first: extract deferred turns, promote working facts, summarise finished sessions.
    public var consolidate: Bool
    /// Persist decayed strengths and soft-forget memories below the forget threshold.
    public var decaySweep: Bool
    /// Delete working facts past their expiry.
    public var expireWorkingFacts: Bool
    /// Delete messages older than this (seconds); `nil` keeps every message.
    public var messageRetention: TimeInterval?
    /// Delete rows that point at memories or sessions that no longer exist.
    public var removeOrphans: Bool
    /// Hard-delete memories created longer ago than this (seconds); `nil` deletes none.
    public var purgeOlderThan: TimeInterval?
    /// Restrict the purge to these context types; empty means every type.
    public var purgeContextTypes: Set<ContextType>

    public init(
        consolidate: Bool = true, decaySweep: Bool = true, expireWorkingFacts: Bool = true,
        messageRetention: TimeInterval? = nil,
        removeOrphans: Bool = true, purgeOlderThan: TimeInterval? = nil, purgeContextTypes: Set<ContextType> = []
    ) {
        self.consolidate = consolidate
        self.decaySweep = decaySweep
        self.expireWorkingFacts = expireWorkingFacts
        self.messageRetention = messageRetention
        self.removeOrphans = removeOrphans
        self.purgeOlderThan = purgeOlderThan
        self.purgeContextTypes = purgeContextTypes
    }
}

/// What a maintenance pass did.
public struct MaintenanceReport: Sendable, Hashable, Codable {
    /// What consolidation did (nothing when it was skipped).
    public var consolidation = ConsolidationReport()
    /// Memories whose decayed strength was written back.
    public var decayed: Int = 0
    /// Memories soft-forgotten because their strength fell below the threshold.
    public var forgotten: Int = 0
    public var expiredWorkingFacts: Int = 0
    public var expiredMessages: Int = 0
    public var removedOrphans: Int = 0
    /// Memories hard-deleted by age and context type.
    public var purged: Int = 0

    public init() {}
}

/// What erasing a user deleted: rows per table.
public struct ErasureReceipt: Sendable, Hashable, Codable {
    public var userID: String
    /// Table name → rows deleted.
    public var deleted: [String: Int]
    public var erasedAt: Date

    public init(userID: String, deleted: [String: Int], erasedAt: Date) {
        self.userID = userID
        self.deleted = deleted
        self.erasedAt = erasedAt
    }

    /// Rows deleted across all tables.
    public var total: Int { deleted.values.reduce(0, +) }
}
