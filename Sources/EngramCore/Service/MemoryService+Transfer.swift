import Foundation

/// Whose rows an import may write.
public enum ImportScope: Sendable, Hashable {
    /// Only rows of this user; a row of any other user refuses the whole import.
    case user(String)
    /// Rows of any users: an administrative action (restoring a whole store, moving users between stores).
    case allUsers
}

extension MemoryService {
    /// Every row of every table of one user, parents before children, in a stable order: an export imported into
    /// an empty store (of either backend) exports identically, followed by the import's own audit lines.
    public func export(userID: String) async throws -> [ExportRecord] {
        let userID = try validator.identifier(userID, field: "user id")
        return try await read(.user(userID)) { tx in
            try await self.requireUser(tx, userID)
            var records: [ExportRecord] = []
            for table in StorageTable.exportOrder {
                records += try await tx.exportRows(of: table, userID: userID)
            }
            return records
        }
    }

    /// Writes exported rows exactly as they are (ids, users, times, audit lines), all or nothing, and audits each
    /// row it wrote (`memory.import`, `message.import`…, reason `import`) after the user's imported audit lines.
    ///
    /// Every row passes the checks a write would (`content_too_large`, `empty_content`, ranges, JSON objects…), named
    /// by its position; with a user `scope`, a row of any other user refuses the import. Rows with the same keys as
    /// existing ones fail with `already_exists`. Memories that come without a vector of a model the store writes
    /// (say, a file cut short, or made with another embedder) are embedded, so that recall finds them.
    public func importRecords(_ records: [ExportRecord], scope: ImportScope) async throws -> ImportReport {
        var scope = scope
        if case .user(let userID) = scope { scope = .user(try validator.identifier(userID, field: "user id")) }
        var checked: [ExportRecord] = []
        checked.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            do {
                checked.append(try validator.record(record))
            } catch let error as EngramError {
                throw EngramError(
                    error.code, "Record \(index + 1) (table \(record.table)): \(error.message) Nothing was imported.")
            }
            if case .user(let userID) = scope, record.userID != userID {
                throw EngramError(
                    .invalidArgument,
                    "Record \(index + 1) (table \(record.table)) belongs to another user than the one importing; import it as that user, or import every user at once (an administrative action). Nothing was imported."
                )
            }
        }
        guard !checked.isEmpty else { return ImportReport(imported: [:]) }
        let models = try await writeModels()
        let present = Self.vectorKeys(checked)
        let vectorless = checked.compactMap { record -> Memory? in
            guard case .memory(let memory) = record else { return nil }
            return models.allSatisfy { present.contains(VectorKey(memory, $0)) } ? nil : memory
        }
        var vectors = DraftVectors()
        if !vectorless.isEmpty {
            let drafts = vectorless.map {
                MemoryDraft(
                    userID: $0.userID, content: $0.content, sessionID: $0.sessionID,
                    sourceMessageIDs: $0.sourceMessageIDs)
            }
            let messages = checked.compactMap { record -> Message? in
                guard case .message(let message) = record else { return nil }
                return message
            }
            vectors = try await draftVectors(drafts, at: Set(drafts.indices), models: models, pending: messages)
        }
        var indexed = Set(models)
        for case .embedding(let embedding) in checked {
            indexed.insert(EmbeddingModel(model: embedding.model, dimension: embedding.dimension))
        }
        let indexedModels = indexed.sorted { ($0.model, $0.dimension) < ($1.model, $1.dimension) }
        let memoryCount = checked.count(where: { if case .memory = $0 { true } else { false } })
        let date = now()
        let storageScope: StorageScope = if case .user(let userID) = scope { .user(userID) } else { .store }
        return try await bulkLoad(memories: memoryCount, models: indexedModels) {
            try await driver.prepareVectorIndexes(for: indexedModels)
            return try await importRows(
                checked, vectorless: vectorless, vectors: vectors, present: present, scope: storageScope, at: date)
        }
    }

    /// Writes the checked rows of an import in one transaction, with the vectors of the memories that came without.
    private func importRows(
        _ checked: [ExportRecord], vectorless: [Memory], vectors: DraftVectors, present: Set<VectorKey>,
        scope storageScope: StorageScope, at date: Date
    ) async throws -> ImportReport {
        try await write(storageScope) { tx in
            var imported: [String: Int] = [:]
            for run in Self.runs(of: checked) {
                let table = checked[run.lowerBound].table
                do {
                    try await tx.importRows(checked[run])
                } catch let error as EngramError {
                    let position =
                        run.count == 1
                        ? "Record \(run.lowerBound + 1)" : "Records \(run.lowerBound + 1)–\(run.upperBound)"
                    throw EngramError(
                        error.code,
                        "\(position) (table \(table)) \(run.count == 1 ? "was" : "were") rejected: \(error.message) Nothing was imported."
                    )
                }
                imported[table, default: 0] += run.count
            }
            let embeddings = vectorless.enumerated().flatMap { position, memory in
                vectors.embeddings(of: memory, source: position, at: date).filter {
                    !present.contains(VectorKey(memory, EmbeddingModel(model: $0.model, dimension: $0.dimension)))
                }
            }
            for user in Set(embeddings.map(\.userID)).sorted() {
                let rows = embeddings.filter { $0.userID == user }
                try await tx.replaceEmbeddings(userID: user, memoryIDs: [], with: rows)
            }
            // The conversation context is derived, not exported: index the imported memories' turns again.
            let memories = checked.compactMap { record -> Memory? in
                if case .memory(let memory) = record { memory } else { nil }
            }
            for (user, rows) in Dictionary(grouping: memories, by: \.userID).sorted(by: { $0.key < $1.key }) {
                try await self.indexConversations(tx, userID: user, of: rows)
            }
            // Triggers counted the rows as they came; restore the exported values exactly.
            for case .user(let user) in checked { try await tx.restoreCounters(of: user) }
            for case .session(let session) in checked { try await tx.restoreCounters(of: session) }
            try await self.auditImport(tx, checked, at: date)
            return ImportReport(imported: imported, embedded: vectorless.count)
        }
    }

    /// One `*.import` line per imported row (audit lines excepted: they are the trail itself), numbered after the
    /// imported lines of its user; users in id order, each user's rows in file order.
    private func auditImport(_ tx: any StorageTransaction, _ records: [ExportRecord], at date: Date) async throws {
        var events: [String: [AuditEvent]] = [:]
        for record in records {
            if case .audit = record { continue }
            events[record.userID, default: []].append(record.auditEvent("import", removed: false, reason: "import"))
        }
        for userID in events.keys.sorted() { try await audit(tx, userID: userID, events[userID] ?? [], at: date) }
    }

    /// The records in runs of one table, at most 1,000 rows each: what one statement of a driver inserts.
    static func runs(of records: [ExportRecord]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start = 0
        for index in records.indices.dropFirst()
        where records[index].storageTable != records[start].storageTable || index - start == 1_000 {
            runs.append(start..<index)
            start = index
        }
        if !records.isEmpty { runs.append(start..<records.count) }
        return runs
    }

    /// The (memory, sector, model) of every vector among `records`.
    static func vectorKeys(_ records: [ExportRecord]) -> Set<VectorKey> {
        var keys: Set<VectorKey> = []
        for case .embedding(let embedding) in records {
            keys.insert(
                VectorKey(
                    userID: embedding.userID, memoryID: embedding.memoryID, sector: embedding.sector,
                    model: EmbeddingModel(model: embedding.model, dimension: embedding.dimension)))
        }
        return keys
    }
}

/// A vector's key: the memory, the sector it is filed under, and its model.
struct VectorKey: Hashable {
    var userID: String
    var memoryID: String
    var sector: Sector
    var model: EmbeddingModel

    init(userID: String, memoryID: String, sector: Sector, model: EmbeddingModel) {
        self.userID = userID
        self.memoryID = memoryID
        self.sector = sector
        self.model = model
    }

    /// The key of `memory`'s vector of `model`, under the memory's own sector.
    init(_ memory: Memory, _ model: EmbeddingModel) {
        self.init(userID: memory.userID, memoryID: memory.id, sector: memory.sector, model: model)
    }
}
