import Foundation
import Synchronization

/// The accesses of one memory that recall recorded, written together.
public struct MemoryAccess: Sendable, Hashable {
    public var id: String
    /// The strength after the last of them.
    public var strength: Double
    /// How many recalls returned the memory.
    public var count: Int
    /// When the last of them happened.
    public var at: Date

    public init(id: String, strength: Double, count: Int, at: Date) {
        self.id = id
        self.strength = strength
        self.count = count
        self.at = at
    }
}

/// How many times recall followed one link to a result.
public struct LinkTraversal: Sendable, Hashable {
    public var id: String
    public var count: Int

    public init(id: String, count: Int) {
        self.id = id
        self.count = count
    }
}

/// Recall's reinforcement waiting to be written: recall answers from what it read and hands its writes (accesses,
/// traversals, their audit lines) to one background writer, which writes whatever accumulated in one transaction
/// per user. Every other operation of the service first waits for the queue to be written, so a caller always
/// reads its own recalls' effects; only recall itself reads past it (its scores may lag by the writes in flight).
struct ReinforcementQueue: Sendable {
    /// One recall's writes: the memories as recall read them and as reinforced, and the links it followed.
    /// Their audit lines (digests of each row) are made by the writer, off the read path.
    struct Entry: Sendable {
        var userID: String
        var memories: [(before: Memory, after: Memory)]
        var traversedLinks: [Link]
        var date: Date

        /// `memory.reinforce` per memory and `link.traverse` per link, in id order.
        var events: [AuditEvent] {
            memories.sorted { $0.before.id < $1.before.id }.map {
                AuditEvent(
                    "memory.reinforce", "memory", $0.before.id, before: $0.before, after: $0.after,
                    reason: "recall reinforcement")
            }
                + traversedLinks.sorted { $0.id < $1.id }.map { link in
                    var after = link
                    after.traversalCount += 1
                    return AuditEvent(
                        "link.traverse", "link", link.id, before: link, after: after, reason: "recall traversal")
                }
        }
    }

    /// Recalls queued before a recall waits for the writer.
    static let maxPending = 1_000

    var pending: [Entry] = []
    /// The writer while it runs: it ends when it finds the queue empty.
    var writer: Task<Void, Never>?
}

extension MemoryService {
    /// Queues one recall's reinforcement and starts the writer unless it runs. When recalls outpace the writer
    /// (``ReinforcementQueue/maxPending`` queued), the recall waits for the queue to be written: backpressure
    /// instead of a queue that grows without bound.
    func enqueueReinforcement(_ entry: ReinforcementQueue.Entry) async {
        let backlog = reinforcements.withLock { queue in
            queue.pending.append(entry)
            if queue.writer == nil {
                queue.writer = Task { await self.writeReinforcements() }
            }
            return queue.pending.count
        }
        if backlog >= ReinforcementQueue.maxPending { await flushReinforcements() }
    }

    /// Waits until every reinforcement queued so far is written (or, on a storage failure, dropped and logged).
    /// Operations call it before they run; call it before closing the driver.
    public func flushReinforcements() async {
        while let writer = reinforcements.withLock({ $0.writer }) {
            await writer.value
        }
    }

    /// The writer: takes everything queued, writes one transaction per user, until the queue is empty.
    private func writeReinforcements() async {
        while true {
            let batch = reinforcements.withLock { queue -> [ReinforcementQueue.Entry] in
                let batch = queue.pending
                queue.pending = []
                if batch.isEmpty { queue.writer = nil }
                return batch
            }
            guard !batch.isEmpty else { return }
            let users = Dictionary(grouping: batch, by: \.userID)
            for userID in users.keys.sorted() {
                let entries = users[userID] ?? []
                do {
                    try await ready()
                    try await driver.write(.user(userID)) { tx in
                        try await Self.writeReinforcement(tx, userID: userID, entries, service: self)
                    }
                } catch {
                    // Access statistics only: the memories and their content are untouched. Logged, not retried.
                    logger.warning(
                        "recall reinforcement not written",
                        metadata: [
                            "user": "\(userID)", "recalls": "\(entries.count)",
                            "error": "\((error as? EngramError)?.code.rawValue ?? "\(type(of: error))")",
                        ])
                }
            }
        }
    }

    /// One user's queued recalls merged: each memory's and link's rows written once, in id order, so that
    /// concurrent writers lock them in one order; then every recall's audit lines in the order recalled.
    private static func writeReinforcement(
        _ tx: any StorageTransaction, userID: String, _ entries: [ReinforcementQueue.Entry], service: MemoryService
    ) async throws {
        var accesses: [String: MemoryAccess] = [:]
        var traversals: [String: Int] = [:]
        for entry in entries {
            for (_, memory) in entry.memories {
                let access = MemoryAccess(id: memory.id, strength: memory.strength, count: 1, at: entry.date)
                if let earlier = accesses[access.id] {
                    accesses[access.id] = MemoryAccess(
                        id: access.id, strength: access.strength, count: earlier.count + access.count,
                        at: max(earlier.at, access.at))
                } else {
                    accesses[access.id] = access
                }
            }
            for link in entry.traversedLinks { traversals[link.id, default: 0] += 1 }
        }
        try await tx.recordAccesses(userID: userID, accesses.values.sorted { $0.id < $1.id })
        if !traversals.isEmpty {
            try await tx.countTraversals(
                userID: userID, traversals.map { LinkTraversal(id: $0.key, count: $0.value) }.sorted { $0.id < $1.id })
        }
        for entry in entries {
            try await service.audit(tx, userID: userID, entry.events, at: entry.date)
        }
    }
}
