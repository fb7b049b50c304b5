import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    public func export(userID: String) async throws -> [ExportRecord] {
        let userID = try validator.identifier(userID, field: "user id")
        return try await transaction(userID: userID) { connection in
            guard
                let user = try await connection.first(
                    "SELECT * FROM users WHERE id = \(userID)", logger: self.logger, Decode.user)
            else { throw EngramError.userNotFound }
            var records: [ExportRecord] = [.user(user)]
            func rows<T>(_ query: PostgresQuery, _ decode: (PostgresRow) throws -> T) async throws -> [T] {
                try await connection.rows(query, logger: self.logger, decode)
            }
            // Parents before children; within a table an order of stored columns only (memories by their row
            // number, which an import reproduces), so export → import → export is identical.
            records += try await rows(
                "SELECT * FROM agents WHERE user_id = \(userID) ORDER BY created_at, id COLLATE \"C\"", Decode.agent
            ).map(ExportRecord.agent)
            records += try await rows(
                "SELECT * FROM sessions WHERE user_id = \(userID) ORDER BY created_at, id COLLATE \"C\"", Decode.session
            ).map(ExportRecord.session)
            records += try await rows(
                "SELECT * FROM messages WHERE user_id = \(userID) ORDER BY created_at, session_id COLLATE \"C\", sequence, id COLLATE \"C\"",
                Decode.message
            ).map(ExportRecord.message)
            records += try await rows(
                "SELECT * FROM working_facts WHERE user_id = \(userID) ORDER BY created_at, id COLLATE \"C\"",
                Decode.fact
            ).map(ExportRecord.workingFact)
            records += try await rows(
                "SELECT \(unescaped: Decode.memoryColumns) FROM memories WHERE user_id = \(userID) ORDER BY seq",
                Decode.memory
            ).map(ExportRecord.memory)
            records += try await rows(
                """
                SELECT e.* FROM embeddings e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                WHERE e.user_id = \(userID) ORDER BY m.seq, e.sector COLLATE "C", e.model COLLATE "C", e.dimension
                """, Decode.embedding
            ).map(ExportRecord.embedding)
            records += try await rows(
                "SELECT * FROM links WHERE user_id = \(userID) ORDER BY created_at, id COLLATE \"C\"", Decode.link
            ).map(ExportRecord.link)
            records += try await rows(
                """
                SELECT e.* FROM emotions e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                WHERE e.user_id = \(userID) ORDER BY m.seq
                """, Decode.emotion
            ).map(ExportRecord.emotion)
            records += try await rows(
                """
                SELECT * FROM session_state WHERE user_id = \(userID)
                ORDER BY created_at, session_id COLLATE "C", agent_id COLLATE "C", module COLLATE "C", key COLLATE "C"
                """, Decode.state
            ).map(ExportRecord.sessionState)
            records += try await rows(
                "SELECT * FROM feedback WHERE user_id = \(userID) ORDER BY created_at, id COLLATE \"C\"",
                Decode.feedback
            ).map(ExportRecord.feedback)
            records += try await rows(
                "SELECT * FROM audit_log WHERE user_id = \(userID) ORDER BY id", Decode.audit
            ).map(ExportRecord.audit)
            return records
        }
    }

    public func importRecords(_ records: [ExportRecord]) async throws -> ImportReport {
        for (index, record) in records.enumerated() {
            do {
                _ = try validator.identifier(record.userID, field: "user id")
            } catch let error as EngramError {
                throw EngramError(.malformedImport, "Record \(index + 1): \(error.message) Nothing was imported.")
            }
        }
        // Vector indexes are DDL: ensure them before the data transaction, one per model and dimension.
        var models: Set<String> = []
        for case .embedding(let embedding) in records
        where models.insert("\(embedding.dimension):\(embedding.model)").inserted {
            try await ensureVectorIndex(model: embedding.model, dimension: embedding.dimension)
        }
        return try await transaction(userID: nil) { connection in
            var imported: [String: Int] = [:]
            var users: [User] = []
            var sessions: [Session] = []
            for run in Self.runs(of: records) {
                let table = records[run.lowerBound].table
                do {
                    try await self.insert(connection, records[run])
                } catch {
                    let cause = self.translate(error)
                    let position =
                        run.count == 1
                        ? "Record \(run.lowerBound + 1)" : "Records \(run.lowerBound + 1)–\(run.upperBound)"
                    throw EngramError(
                        cause.code,
                        "\(position) (table \(table)) \(run.count == 1 ? "was" : "were") rejected: \(cause.message) Nothing was imported."
                    )
                }
                imported[table, default: 0] += run.count
                for record in records[run] {
                    if case .user(let user) = record { users.append(user) }
                    if case .session(let session) = record { sessions.append(session) }
                }
            }
            // Triggers counted the rows as they came; restore the exported values exactly.
            for user in users {
                try await connection.query(
                    """
                    UPDATE users SET memory_count = \(user.counters.memories), link_count = \(user.counters.links),
                        session_count = \(user.counters.sessions), message_count = \(user.counters.messages),
                        last_activity_at = \(user.lastActivityAt.timestamp), updated_at = \(user.updatedAt.timestamp)
                    WHERE id = \(user.id)
                    """, logger: self.logger)
            }
            for session in sessions {
                try await connection.query(
                    """
                    UPDATE sessions SET message_count = \(session.messageCount),
                        last_updated_at = \(session.lastUpdatedAt.timestamp)
                    WHERE user_id = \(session.userID) AND id = \(session.id)
                    """, logger: self.logger)
            }
            return ImportReport(imported: imported)
        }
    }

    /// The records in runs that one statement inserts: up to 1,000 consecutive memories, embeddings or audit
    /// lines (the bulk tables); every other record alone.
    static func runs(of records: [ExportRecord]) -> [Range<Int>] {
        let bulk: Set<String> = ["memories", "embeddings", "audit_log"]
        var runs: [Range<Int>] = []
        var start = 0
        for index in records.indices.dropFirst() {
            let table = records[index].table
            if table != records[start].table || !bulk.contains(table) || index - start == 1_000 {
                runs.append(start..<index)
                start = index
            }
        }
        if !records.isEmpty { runs.append(start..<records.count) }
        return runs
    }

    /// Inserts exported rows of one table verbatim.
    private func insert(_ connection: PostgresConnection, _ records: ArraySlice<ExportRecord>) async throws {
        var memories: [Memory] = []
        var embeddings: [StoredEmbedding] = []
        var entries: [AuditEntry] = []
        for record in records {
            switch record {
            case .memory(let memory): memories.append(memory)
            case .embedding(let embedding):
                guard embedding.vector.count == embedding.dimension, embedding.vector.allSatisfy(\.isFinite) else {
                    throw EngramError(
                        .invalidVector, "An embedding's vector does not match its dimension or is not finite.")
                }
                embeddings.append(embedding)
            case .audit(let entry): entries.append(entry)
            default: try await insert(connection, record)
            }
        }
        try await insertMemories(connection, memories)
        try await insertEmbeddings(connection, embeddings)
        for chunk in entries.indices.chunked(by: 1_000) {
            var query = PostgresQuery(
                unsafeSQL: """
                    INSERT INTO audit_log (user_id, id, actor, action, target_type, target_id, before_digest,
                        after_digest, created_at) VALUES
                    """)
            for index in chunk {
                let entry = entries[index]
                query.sql += index == chunk.lowerBound ? " " : ", "
                query.sql += try query.row(
                    entry.userID, entry.id, entry.actor, entry.action, entry.targetType, entry.targetID,
                    entry.beforeDigest, entry.afterDigest, entry.createdAt.timestamp)
            }
            try await connection.query(query, logger: logger)
        }
    }

    /// Inserts one exported row of a table without a bulk path, verbatim.
    private func insert(_ connection: PostgresConnection, _ record: ExportRecord) async throws {
        switch record {
        case .user(let user):
            try await connection.query(
                """
                INSERT INTO users (id, name, role, info, created_at, updated_at, last_activity_at)
                VALUES (\(user.id), \(user.name), \(user.role.rawValue), \(user.info.jsonb),
                    \(user.createdAt.timestamp), \(user.updatedAt.timestamp), \(user.lastActivityAt.timestamp))
                """, logger: logger)
        case .agent(let agent):
            try await connection.query(
                """
                INSERT INTO agents (user_id, id, name, description, instructions, is_active, created_at, updated_at)
                VALUES (\(agent.userID), \(agent.id), \(agent.name), \(agent.description), \(agent.instructions),
                    \(agent.isActive), \(agent.createdAt.timestamp), \(agent.updatedAt.timestamp))
                """, logger: logger)
        case .session(let session):
            try await connection.query(
                """
                INSERT INTO sessions (user_id, id, agent_id, title, metadata, created_at, last_updated_at)
                VALUES (\(session.userID), \(session.id), \(session.agentID), \(session.title),
                    \(session.metadata.jsonb), \(session.createdAt.timestamp), \(session.lastUpdatedAt.timestamp))
                """, logger: logger)
        case .message(let message):
            try await connection.query(
                """
                INSERT INTO messages (user_id, id, session_id, sequence, role, content, thinking, metadata,
                    input_tokens, output_tokens, created_at)
                VALUES (\(message.userID), \(message.id), \(message.sessionID), \(message.sequence),
                    \(message.role.rawValue), \(message.content), \(message.thinking), \(message.metadata.jsonb),
                    \(message.inputTokens), \(message.outputTokens), \(message.createdAt.timestamp))
                """, logger: logger)
        case .workingFact(let fact): try await insertFact(connection, fact)
        case .memory, .embedding, .audit:
            try await insert(connection, [record][...])
        case .link(let link): try await insertLink(connection, link)
        case .emotion(let emotion): try await upsertEmotion(connection, emotion)
        case .sessionState(let state): try await insertState(connection, state)
        case .feedback(let feedback): try await insertFeedback(connection, feedback)
        }
    }
}
