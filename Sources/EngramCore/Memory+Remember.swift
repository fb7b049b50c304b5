import Foundation

/// The rules of `remember` that every backend shares: what a memory becomes when its entity is written
/// again, or its content is remembered again.
extension Memory {
    /// This memory after `draft` wrote the same entity again: entity data merged (the draft's keys win),
    /// the update counted, the draft's content and fields taken, labels and sources united, salience and
    /// importance raised, strength reinforced, and the validity interval reopened.
    public func mergingEntity(_ draft: MemoryDraft, contentHash: String, decay: DecayPolicy, at date: Date) -> Memory {
        var after = self
        after.entityData = (entityData ?? .emptyObject).merging(draft.entityData ?? .emptyObject)
        after.entityUpdateCount += 1
        after.entity?.type = draft.entity?.type ?? entity?.type
        after.content = draft.content
        after.contentHash = contentHash
        after.contentJSON = draft.contentJSON ?? contentJSON
        after.summary = draft.summary ?? summary
        after.metadata = metadata.merging(draft.metadata)
        after.validTo = nil
        after.absorb(draft, decay: decay, at: date, from: self)
        return after
    }

    /// This memory after the same content was remembered again: strength reinforced, the access counted,
    /// labels and sources united, salience and importance raised.
    public func reinforced(by draft: MemoryDraft, decay: DecayPolicy, at date: Date) -> Memory {
        var after = self
        after.accessCount += 1
        after.lastAccessedAt = date
        after.absorb(draft, decay: decay, at: date, from: self)
        return after
    }

    /// What both paths share.
    private mutating func absorb(_ draft: MemoryDraft, decay: DecayPolicy, at date: Date, from before: Memory) {
        strength = decay.reinforced(before, at: date)
        lastReinforcedAt = date
        salience = max(before.salience, draft.salience)
        importance = max(before.importance, draft.importance)
        tags = Self.union(before.tags, draft.tags)
        keywords = Self.union(before.keywords, draft.keywords)
        sourceMessageIDs = Self.union(before.sourceMessageIDs, draft.sourceMessageIDs)
        updatedAt = date
    }

    /// `first` followed by the elements of `second` it lacks, in order.
    static func union(_ first: [String], _ second: [String]) -> [String] {
        var seen = Set(first)
        return first + second.filter { seen.insert($0).inserted }
    }
}

extension Memory {
    /// This memory with `patch` applied: new content is re-hashed, a new sector takes that sector's decay rate,
    /// fields the patch leaves `nil` stay as they are.
    public func applying(_ patch: MemoryPatch, decay: DecayPolicy, at date: Date) -> Memory {
        var after = self
        if let content = patch.content {
            after.content = content
            after.contentHash = ContentHash.of(content)
        }
        if let sector = patch.sector {
            after.sector = sector
            after.decayRate = decay.rate(for: sector)
        }
        after.summary = patch.summary ?? summary
        after.contextType = patch.contextType ?? contextType
        after.salience = patch.salience ?? salience
        after.importance = patch.importance ?? importance
        after.tags = patch.tags ?? tags
        after.keywords = patch.keywords ?? keywords
        after.category = patch.category ?? category
        after.metadata = patch.metadata ?? metadata
        after.updatedAt = date
        return after
    }
}
