import Foundation

extension MemoryService {
    /// One memory.
    public func memory(userID: String, id: String) async throws -> Memory {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "memory id")
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await self.requireMemory(tx, userID: userID, id)
        }
    }

    /// Memories matching `filters`, newest first, a page of `limit` from `offset`.
    public func memories(userID: String, filters: RecallFilters, limit: Int, offset: Int) async throws -> [Memory] {
        let userID = try validator.identifier(userID, field: "user id")
        let filters = try validator.filters(filters)
        let limit = try validator.count(limit, field: "limit", in: 1...100_000)
        let offset = try validator.count(offset, field: "offset", in: 0...Int(Int32.max))
        let date = now()
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            return try await tx.memories(userID: userID, filters: filters, at: date, limit: limit, offset: offset)
        }
    }

    /// Changes a memory; new content is re-hashed and re-embedded, a new sector takes that sector's decay rate.
    public func updateMemory(userID: String, id: String, _ patch: MemoryPatch) async throws -> Memory {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "memory id")
        let patch = try validator.patch(patch)
        var vectors = DraftVectors()
        if let content = patch.content {
            let models = try await writeModels()
            try await driver.prepareVectorIndexes(for: models)
            let current = try await read(.user(userID)) { tx in
                try await self.requireUser(tx, userID)
                return try await self.requireMemory(tx, userID: userID, id)
            }
            let draft = MemoryDraft(
                userID: userID, content: content, sessionID: current.sessionID,
                sourceMessageIDs: current.sourceMessageIDs)
            vectors = try await draftVectors([draft], at: [0], models: models)
        }
        let date = now()
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let before = try await self.requireMemory(tx, userID: userID, id, forUpdate: true)
            let after = before.applying(patch, decay: self.configuration.decay, at: date)
            try await tx.updateMemories([after])
            if patch.content != nil {
                try await tx.replaceEmbeddings(
                    userID: userID, memoryIDs: [id], with: vectors.embeddings(of: after, source: 0, at: date))
            } else if after.sector != before.sector {
                try await tx.moveEmbeddings(userID: userID, memoryID: id, to: after.sector)
            }
            try await tx.touchUser(userID, at: date)
            try await self.audit(
                tx, userID: userID, AuditEvent("memory.update", "memory", id, before: before, after: after), at: date)
            return after
        }
    }

    /// Soft-forgets (closes `valid_to`; the memory stays, out of recall) or hard-erases a memory (its children lose
    /// their parent; its vectors, links, emotion and feedback go with it).
    public func forget(userID: String, id: String, mode: ForgetMode) async throws {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "memory id")
        let date = now()
        try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let before = try await self.requireMemory(tx, userID: userID, id, forUpdate: true)
            switch mode {
            case .soft:
                var after = before
                after.validTo = before.validTo.map { min($0, date) } ?? date
                after.updatedAt = date
                try await tx.updateMemories([after])
                try await self.audit(
                    tx, userID: userID, AuditEvent("memory.forget", "memory", id, before: before, after: after),
                    at: date)
            case .hard:
                try await tx.clearParent(userID: userID, parentID: id)
                try await tx.deleteMemory(userID: userID, id: id)
                try await self.audit(
                    tx, userID: userID, AuditEvent("memory.erase", "memory", id, before: before, after: nil), at: date)
            }
        }
    }

    /// Sets the emotional annotation of a memory.
    public func setEmotion(_ emotion: Emotion) async throws -> Emotion {
        var emotion = try validator.emotion(emotion)
        let date = now()
        emotion.updatedAt = date
        let stored = emotion
        return try await write(.user(stored.userID)) { tx in
            try await self.requireUser(tx, stored.userID)
            _ = try await self.requireMemory(tx, userID: stored.userID, stored.memoryID)
            let before = try await tx.emotion(userID: stored.userID, memoryID: stored.memoryID)
            try await tx.upsertEmotion(stored)
            try await self.audit(
                tx, userID: stored.userID,
                AuditEvent("emotion.set", "memory", stored.memoryID, before: before, after: stored), at: date)
            return stored
        }
    }

    /// The emotional annotation of a memory, if any.
    public func emotion(userID: String, memoryID: String) async throws -> Emotion? {
        let userID = try validator.identifier(userID, field: "user id")
        let memoryID = try validator.identifier(memoryID, field: "memory id")
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            _ = try await self.requireMemory(tx, userID: userID, memoryID)
            return try await tx.emotion(userID: userID, memoryID: memoryID)
        }
    }

    /// Records whether a recalled memory was useful; a useful result gains 0.05 salience, a useless one loses it.
    public func feedback(userID: String, memoryID: String, query: String?, useful: Bool) async throws -> Feedback {
        let userID = try validator.identifier(userID, field: "user id")
        let memoryID = try validator.identifier(memoryID, field: "memory id")
        let query = try validator.optionalText(query, field: "query")
        let date = now()
        let feedback = Feedback(
            id: newID(), userID: userID, memoryID: memoryID, query: query, useful: useful, createdAt: date)
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let before = try await self.requireMemory(tx, userID: userID, memoryID, forUpdate: true)
            var after = before
            after.salience = min(1, max(0, before.salience + (useful ? 0.05 : -0.05)))
            after.updatedAt = date
            try await tx.insertFeedback(feedback)
            try await tx.updateMemories([after])
            try await self.audit(
                tx, userID: userID,
                AuditEvent(
                    "memory.feedback", "memory", memoryID, before: before, after: after,
                    reason: useful ? "useful feedback" : "not useful feedback"),
                at: date)
            return feedback
        }
    }

    // MARK: Links

    /// Links two memories of one user; linking the same pair and type again updates the weight and origin and
    /// merges the metadata.
    public func link(_ draft: LinkDraft) async throws -> Link {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let sourceID = try validator.identifier(draft.sourceID, field: "source memory id")
        let targetID = try validator.identifier(draft.targetID, field: "target memory id")
        guard sourceID != targetID else {
            throw EngramError(.invalidArgument, "A memory cannot link to itself; pass two different memory ids.")
        }
        let weight = try validator.number(draft.weight, field: "weight")
        let metadata = try validator.jsonObject(draft.metadata, field: "metadata")
        let date = now()
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let ends = try await tx.memories(userID: userID, ids: [sourceID, targetID])
            guard ends.count == 2 else { throw EngramError.memoryNotFound }
            var before = try await tx.links(userID: userID, sourceID: sourceID, targetID: targetID, type: draft.type)
                .first
            if before == nil {
                let created = Link(
                    id: self.newID(), userID: userID, sourceID: sourceID, targetID: targetID, type: draft.type,
                    weight: weight, origin: draft.origin, traversalCount: 0, metadata: metadata, createdAt: date)
                if try await tx.insertLink(created) {
                    try await tx.touchUser(userID, at: date)
                    try await self.audit(
                        tx, userID: userID, AuditEvent("link.create", "link", created.id, before: nil, after: created),
                        at: date)
                    return created
                }
                // A concurrent writer linked the pair first: update its link.
                before = try await tx.links(userID: userID, sourceID: sourceID, targetID: targetID, type: draft.type)
                    .first
            }
            guard let before else { throw EngramError.memoryNotFound }
            var after = before
            after.weight = weight
            after.origin = draft.origin
            after.metadata = before.metadata.merging(metadata)
            try await tx.updateLink(after)
            try await tx.touchUser(userID, at: date)
            try await self.audit(
                tx, userID: userID,
                AuditEvent("link.update", "link", after.id, before: before, after: after),
                at: date)
            return after
        }
    }

    /// Removes links from `sourceID` to `targetID` (of `type`, or of every type); returns how many.
    public func unlink(userID: String, sourceID: String, targetID: String, type: LinkType?) async throws -> Int {
        let userID = try validator.identifier(userID, field: "user id")
        let sourceID = try validator.identifier(sourceID, field: "source memory id")
        let targetID = try validator.identifier(targetID, field: "target memory id")
        let date = now()
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            let links = try await tx.links(userID: userID, sourceID: sourceID, targetID: targetID, type: type)
            for link in links { try await tx.deleteLink(userID: userID, id: link.id) }
            try await self.audit(
                tx, userID: userID, links.map { AuditEvent("link.delete", "link", $0.id, before: $0, after: nil) },
                at: date)
            return links.count
        }
    }

    /// Memories reachable from `memoryID` in 1…`depth` hops along links in either direction (of `types`, or of
    /// any type), nearest first; at each depth by the strongest link.
    public func neighbours(
        userID: String, memoryID: String, depth: Int, types: Set<LinkType>
    ) async throws -> [Neighbour] {
        let userID = try validator.identifier(userID, field: "user id")
        let memoryID = try validator.identifier(memoryID, field: "memory id")
        let depth = try validator.count(depth, field: "depth", in: 1...5)
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            _ = try await self.requireMemory(tx, userID: userID, memoryID)
            var visited: Set<String> = [memoryID]
            var frontier = [memoryID]
            var result: [Neighbour] = []
            for level in 1...depth where !frontier.isEmpty {
                let current = Set(frontier)
                var reached: [(id: String, link: Link)] = []
                for link in try await tx.links(userID: userID, touching: frontier, types: types) {
                    for (from, to) in [(link.sourceID, link.targetID), (link.targetID, link.sourceID)]
                    where current.contains(from) && !visited.contains(to) {
                        visited.insert(to)
                        reached.append((to, link))
                    }
                }
                let memories = Dictionary(
                    try await tx.memories(userID: userID, ids: reached.map(\.id)).map { ($0.id, $0) },
                    uniquingKeysWith: { first, _ in first })
                for (id, link) in reached {
                    if let memory = memories[id] { result.append(Neighbour(memory: memory, link: link, depth: level)) }
                }
                frontier = reached.map(\.id)
            }
            return result
        }
    }
}
