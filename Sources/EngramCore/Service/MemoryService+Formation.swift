import Foundation

/// The pieces of memory formation that `observe` and consolidation share: sectors, automatic links, working facts.
extension MemoryService {
    /// The sector of a turn: the extraction's rule evidence with the turn's similarity to each sector's prototypes.
    func sector(of extraction: TurnExtraction?, vector: [Float]) async throws -> Sector {
        guard let extraction else { return SectorClassifier.defaultSector }
        let prototypes = try await sectorPrototypeVectors()
        let similarity = prototypes.mapValues { vectors in
            vectors.map { Double(VectorMath.dot(vector, $0)) }.max() ?? 0
        }
        return SectorClassifier.classify(evidence: extraction.sectorEvidence, prototypeSimilarity: similarity)
    }

    /// The configured embedder's vectors of the sector prototypes, embedded once per service.
    private func sectorPrototypeVectors() async throws -> [Sector: [[Float]]] {
        let model = EmbeddingModel(embedder)
        if let cached = sectorPrototypes.withLock({ $0[model] }) { return cached }
        let sentences = SectorClassifier.prototypes.sorted { $0.key.rawValue < $1.key.rawValue }
        let vectors = try await embedder.embed(sentences.flatMap(\.value))
        var result: [Sector: [[Float]]] = [:]
        var offset = 0
        for (sector, texts) in sentences {
            result[sector] = Array(vectors[offset..<offset + texts.count])
            offset += texts.count
        }
        sectorPrototypes.withLock { $0[model] = result }
        return result
    }

    /// The automatic waypoints of a new memory: temporal (and causal, when the text says so) from the previous turn,
    /// and semantic to up to `maxSemanticLinks` similar memories (analogical to the closest when the text compares).
    func autoLinks(
        _ tx: any StorageTransaction, userID: String, from memory: Memory, vector: [Float], previous: Memory?,
        cues: Set<WaypointCue>, skipping: Set<String>, at date: Date
    ) async throws -> [Link] {
        var links: [Link] = []
        if let previous, previous.id != memory.id {
            if let link = try await autoLink(
                tx, userID: userID, from: previous.id, to: memory.id, type: .temporal, weight: 0.8, reason: "next turn",
                at: date)
            {
                links.append(link)
            }
            if cues.contains(.causal),
                let link = try await autoLink(
                    tx, userID: userID, from: previous.id, to: memory.id, type: .causal, weight: 0.7,
                    reason: "stated cause", at: date)
            {
                links.append(link)
            }
        }
        let settings = configuration.formation
        guard settings.maxSemanticLinks > 0 else { return links }
        var excluded = skipping.union([memory.id])
        if let previous { excluded.insert(previous.id) }
        let neighbours = try await tx.vectorCandidates(
            userID: userID, vector: vector, model: EmbeddingModel(embedder), filters: RecallFilters(), at: date,
            limit: settings.maxSemanticLinks + excluded.count + 4)
        let close = neighbours.filter {
            !excluded.contains($0.memoryID) && ($0.vectorScore ?? 0) >= settings.semanticLinkThreshold
        }.prefix(settings.maxSemanticLinks)
        for (rank, neighbour) in close.enumerated() {
            let type: LinkType = rank == 0 && cues.contains(.analogical) ? .analogical : .semantic
            let weight = min(1, max(0, neighbour.vectorScore ?? 0))
            if let link = try await autoLink(
                tx, userID: userID, from: memory.id, to: neighbour.memoryID, type: type, weight: weight,
                reason: "similar", at: date)
            {
                links.append(link)
            }
        }
        return links
    }

    /// Writes one automatic link (unless one of the same ends and type exists) with its audit line.
    func autoLink(
        _ tx: any StorageTransaction, userID: String, from sourceID: String, to targetID: String, type: LinkType,
        weight: Double, reason: String, at date: Date
    ) async throws -> Link? {
        guard sourceID != targetID else { return nil }
        let link = Link(
            id: newID(), userID: userID, sourceID: sourceID, targetID: targetID, type: type, weight: weight,
            origin: .auto, traversalCount: 0, metadata: .object(["reason": .string(reason)]), createdAt: date)
        guard try await tx.insertLink(link) else { return nil }
        try await audit(
            tx, userID: userID, AuditEvent("link.auto", "link", link.id, before: nil, after: link), at: date)
        return link
    }

    /// Writes extracted facts as working facts: a fact a working fact already states (same subject, predicate and
    /// value) reinforces it instead.
    func writeFacts(
        _ extracted: [ExtractedFact], in tx: any StorageTransaction, userID: String, sessionID: String?,
        agentID: String?, sources: some Collection<String>, at date: Date
    ) async throws -> [WorkingFact] {
        guard !extracted.isEmpty else { return [] }
        // A working fact lives `workingFactTTL` from when Engram learned it: a replayed turn dated last year
        // still gets its week in working memory.
        let expiresAt = max(date, now()).addingTimeInterval(configuration.workingFactTTL).roundedToMillisecond
        let subjects = Set(extracted.compactMap(\.subject)).sorted()
        var known = try await tx.facts(userID: userID, subjects: subjects, at: date)
        var written: [WorkingFact] = []
        for fact in extracted {
            let parts = Self.parts(of: fact)
            let content = try validator.content(fact.content)
            if let parts,
                let index = known.firstIndex(where: {
                    $0.parts?.key == parts.key && $0.parts?.sameValue(as: parts) == true
                })
            {
                let before = known[index]
                var after = before
                after.reinforcementCount += 1
                after.confidence = min(1, 1 - (1 - before.confidence) * (1 - fact.confidence))
                after.sourceMessageIDs = Memory.union(before.sourceMessageIDs, Array(sources))
                after.keywords = Memory.union(before.keywords, fact.keywords)
                after.updatedAt = date
                after.expiresAt = max(before.expiresAt, expiresAt)
                try await tx.updateFact(after)
                try await audit(
                    tx, userID: userID,
                    AuditEvent("fact.reinforce", "working_fact", after.id, before: before, after: after),
                    at: date)
                known[index] = after
                if !written.contains(where: { $0.id == after.id }) { written.append(after) }
                continue
            }
            let created = WorkingFact(
                id: newID(), userID: userID, sessionID: sessionID, agentID: agentID, factType: fact.type,
                content: content, confidence: min(1, max(0, fact.confidence)), sourceMessageIDs: Array(sources),
                createdAt: date, updatedAt: date, expiresAt: expiresAt,
                parts: parts, keywords: fact.keywords, entityKeys: fact.entityKeys,
                occurredAt: fact.occurredAt?.roundedToMillisecond)
            try await tx.insertFact(created)
            try await audit(
                tx, userID: userID, AuditEvent("fact.create", "working_fact", created.id, before: nil, after: created),
                at: date)
            known.append(created)
            written.append(created)
        }
        return written
    }

    /// The parts of an extracted fact, when it has all three and they fit.
    static func parts(of fact: ExtractedFact) -> FactParts? {
        guard let subject = fact.subject, let predicate = fact.predicate, let value = fact.value,
            !subject.isEmpty, !predicate.isEmpty, !value.isEmpty, subject.utf8.count <= 256,
            predicate.utf8.count <= 128, value.utf8.count <= 1024
        else { return nil }
        return FactParts(subject: subject, predicate: predicate, value: value)
    }
}

extension MemoryService {
    /// Confirms a working fact (the user or the agent vouches for it): the next consolidation promotes it.
    public func confirmFact(userID: String, id: String) async throws -> WorkingFact {
        let userID = try validator.identifier(userID, field: "user id")
        let id = try validator.identifier(id, field: "fact id")
        let date = now()
        return try await write(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            guard let before = try await tx.fact(userID: userID, id: id) else { throw EngramError.factNotFound }
            var after = before
            after.confirmed = true
            after.updatedAt = date
            try await tx.updateFact(after)
            try await self.audit(
                tx, userID: userID, AuditEvent("fact.confirm", "working_fact", id, before: before, after: after),
                at: date)
            return after
        }
    }
}
