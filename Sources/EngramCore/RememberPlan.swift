import Foundation

extension Memory {
    /// A new memory from a validated draft: full strength, the sector's decay rate, valid from the draft's
    /// `validFrom` or now. `contentHash`, when the caller has it, is `ContentHash.of(draft.content)`.
    public static func created(
        from draft: MemoryDraft, id: String = UUID.newID(), decay: DecayPolicy, at date: Date,
        contentHash: String? = nil
    ) -> Memory {
        Memory(
            id: id, userID: draft.userID, agentID: draft.agentID, sessionID: draft.sessionID, content: draft.content,
            contentJSON: draft.contentJSON, summary: draft.summary, sector: draft.sector,
            contextType: draft.contextType, salience: draft.salience, importance: draft.importance, strength: 1,
            decayRate: decay.rate(for: draft.sector), accessCount: 0, lastAccessedAt: nil, lastReinforcedAt: date,
            createdAt: date, updatedAt: date, validFrom: draft.validFrom?.roundedToMillisecond ?? date, validTo: nil,
            tags: draft.tags, keywords: draft.keywords, category: draft.category, metadata: draft.metadata,
            entity: draft.entity, entityData: draft.entityData, entityUpdateCount: 0, parentID: draft.parentID,
            isAtomic: draft.isAtomic, sourceMessageIDs: draft.sourceMessageIDs,
            contentHash: contentHash ?? ContentHash.of(draft.content), visibility: draft.visibility, parts: draft.parts)
    }

}

/// What a batch of `remember` drafts does, worked out in memory: the rows to insert and update, the vectors
/// to write and the audit events. ``MemoryService`` locks and loads the rows the drafts can touch (``keys(of:)``),
/// then applies the drafts in order, so a later draft reinforces or merges into an earlier one exactly as
/// consecutive `remember` calls would; then the driver writes the plan in a few multi-row statements.
public struct RememberPlan: Sendable {
    /// One outcome per draft, in order.
    public private(set) var outcomes: [RememberOutcome] = []
    /// Audit lines, in order. Their digests are computed here, when asked for: a plan made only to see what
    /// drafts will do (which ones to embed) never pays for them.
    public var events: [AuditEvent] {
        changes.map {
            AuditEvent($0.name, "memory", $0.after.id, before: $0.before, after: $0.after, reason: $0.reason)
        }
    }
    /// Memories whose vectors to write, each with the position of the draft whose content they embed: new
    /// memories, and entities whose content changed.
    public private(set) var vectorSources: [String: Int] = [:]

    private var memories: [String: Memory] = [:]
    private var newIDs: [String] = []
    private var touchedIDs: [String] = []
    private var byEntity: [EntityKey: String] = [:]
    private var byHash: [String: String] = [:]
    private var changes: [Change] = []
    private let decay: DecayPolicy

    /// What an audit line records: the action, the memory before (absent when created) and after, and why.
    private struct Change: Sendable {
        var name: String
        var before: Memory?
        var after: Memory
        var reason: String?
    }

    private struct EntityKey: Hashable {
        var system: String
        var id: String
    }

    /// A plan over `existing`: the rows that ``keys(of:)`` names, oldest first.
    public init(existing: [Memory], decay: DecayPolicy) {
        self.decay = decay
        for memory in existing {
            memories[memory.id] = memory
            if let entity = memory.entity {
                byEntity[EntityKey(system: entity.system, id: entity.id)] = memory.id
            } else if byHash[memory.contentHash] == nil {
                byHash[memory.contentHash] = memory.id
            }
        }
    }

    /// The lock keys and lookups a batch needs: the entities it writes and the content hashes of the rest.
    public static func keys(of drafts: [MemoryDraft]) -> (locks: [String], entityIDs: [String], hashes: [String]) {
        var locks: Set<String> = []
        var entityIDs: Set<String> = []
        var hashes: Set<String> = []
        for draft in drafts {
            if let entity = draft.entity {
                locks.insert("entity:\(draft.userID):\(entity.system):\(entity.id)")
                entityIDs.insert(entity.id)
            } else {
                let hash = ContentHash.of(draft.content)
                locks.insert("\(draft.userID):\(hash)")
                hashes.insert(hash)
            }
        }
        return (locks.sorted(), entityIDs.sorted(), hashes.sorted())
    }

    /// New memories, in their final state, in creation order.
    public var created: [Memory] { newIDs.compactMap { memories[$0] } }
    /// Existing memories the batch changed, in their final state.
    public var updated: [Memory] { touchedIDs.compactMap { memories[$0] } }

    /// Applies the validated draft at position `index` of the batch: merges into its entity, reinforces a live
    /// memory of the same content, or creates a memory.
    public mutating func apply(_ draft: MemoryDraft, index: Int, at date: Date) {
        let hash = ContentHash.of(draft.content)
        if let entity = draft.entity {
            let key = EntityKey(system: entity.system, id: entity.id)
            if let id = byEntity[key], let before = memories[id] {
                let after = before.mergingEntity(draft, contentHash: hash, decay: decay, at: date)
                if before.contentHash != hash { vectorSources[id] = index }
                record(.merged, "memory.merge", before: before, after: after, reason: "same entity remembered again")
            } else {
                let memory = create(draft, index: index, hash: hash, at: date)
                byEntity[key] = memory.id
            }
        } else if let id = byHash[hash], let before = memories[id], before.validTo.map({ $0 > date }) ?? true {
            record(
                .reinforced, "memory.reinforce", before: before,
                after: before.reinforced(by: draft, decay: decay, at: date), reason: "same content remembered again")
        } else {
            byHash[hash] = create(draft, index: index, hash: hash, at: date).id
        }
    }

    private mutating func create(_ draft: MemoryDraft, index: Int, hash: String, at date: Date) -> Memory {
        let memory = Memory.created(from: draft, decay: decay, at: date, contentHash: hash)
        newIDs.append(memory.id)
        vectorSources[memory.id] = index
        record(.created, "memory.create", before: nil, after: memory)
        return memory
    }

    private mutating func record(
        _ action: RememberAction, _ name: String, before: Memory?, after: Memory, reason: String? = nil
    ) {
        if before != nil, !newIDs.contains(after.id), !touchedIDs.contains(after.id) { touchedIDs.append(after.id) }
        memories[after.id] = after
        outcomes.append(RememberOutcome(memory: after, action: action))
        changes.append(Change(name: name, before: before, after: after, reason: reason))
    }
}

extension Range<Int> {
    /// Consecutive sub-ranges of at most `size` elements: how stores split bulk writes into statements.
    public func chunked(by size: Int) -> [Range<Int>] {
        stride(from: lowerBound, to: upperBound, by: size).map { $0..<Swift.min($0 + size, upperBound) }
    }
}
