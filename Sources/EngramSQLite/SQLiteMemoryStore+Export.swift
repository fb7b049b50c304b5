import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
    public func export(userID: String) async throws -> [ExportRecord] {
        let userID = try validator.identifier(userID, field: "user id")
        return try await read { db in
            var records: [ExportRecord] = [.user(try self.fetchUser(db, userID))]
            func rows(_ sql: String) throws -> [Row] { try Row.fetchAll(db, cached: sql, arguments: [userID]) }
            // Parents before children; within a table, by time then key (memories by insertion), the same order
            // on every backend, so that exports compare line by line across backends.
            records += try rows("SELECT * FROM agents WHERE user_id = ? ORDER BY created_at, id").map {
                .agent(try Decode.agent($0))
            }
            records += try rows("SELECT * FROM sessions WHERE user_id = ? ORDER BY created_at, id").map {
                .session(try Decode.session($0))
            }
            records += try rows(
                "SELECT * FROM messages WHERE user_id = ? ORDER BY created_at, session_id, sequence, id"
            ).map {
                .message(try Decode.message($0))
            }
            records += try rows("SELECT * FROM working_facts WHERE user_id = ? ORDER BY created_at, id").map {
                .workingFact(try Decode.fact($0))
            }
            records += try rows("SELECT * FROM memories WHERE user_id = ? ORDER BY seq").map {
                .memory(try Decode.memory($0))
            }
            records += try rows(
                """
                SELECT e.* FROM embeddings e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                WHERE e.user_id = ? ORDER BY m.seq, e.sector, e.model, e.dimension
                """
            ).map {
                .embedding(try Decode.embedding($0))
            }
            records += try rows("SELECT * FROM links WHERE user_id = ? ORDER BY created_at, id").map {
                .link(try Decode.link($0))
            }
            records += try rows(
                """
                SELECT e.* FROM emotions e JOIN memories m ON m.user_id = e.user_id AND m.id = e.memory_id
                WHERE e.user_id = ? ORDER BY m.seq
                """
            ).map {
                .emotion(try Decode.emotion($0))
            }
            records += try rows(
                "SELECT * FROM session_state WHERE user_id = ? ORDER BY created_at, session_id, agent_id, module, key"
            ).map {
                .sessionState(try Decode.state($0))
            }
            records += try rows("SELECT * FROM feedback WHERE user_id = ? ORDER BY created_at, id").map {
                .feedback(try Decode.feedback($0))
            }
            records += try rows("SELECT * FROM audit_log WHERE user_id = ? ORDER BY id").map {
                .audit(try Decode.audit($0))
            }
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
        let report = try await write { db in
            var imported: [String: Int] = [:]
            var users: [User] = []
            var sessions: [Session] = []
            for (index, record) in records.enumerated() {
                do {
                    try self.insert(db, record)
                } catch {
                    let cause = self.translate(error)
                    throw EngramError(
                        cause.code,
                        "Record \(index + 1) (table \(record.table)) was rejected: \(cause.message) Nothing was imported."
                    )
                }
                imported[record.table, default: 0] += 1
                if case .user(let user) = record { users.append(user) }
                if case .session(let session) = record { sessions.append(session) }
            }
            // Triggers counted the rows as they came; restore the exported values exactly.
            for user in users {
                try db.run(
                    sql: """
                        UPDATE users SET memory_count = ?, link_count = ?, session_count = ?, message_count = ?,
                            last_activity_at = ?, updated_at = ? WHERE id = ?
                        """,
                    arguments: [
                        user.counters.memories, user.counters.links, user.counters.sessions, user.counters.messages,
                        user.lastActivityAt.millis, user.updatedAt.millis, user.id,
                    ])
            }
            for session in sessions {
                try db.run(
                    sql: "UPDATE sessions SET message_count = ?, last_updated_at = ? WHERE user_id = ? AND id = ?",
                    arguments: [session.messageCount, session.lastUpdatedAt.millis, session.userID, session.id])
            }
            return ImportReport(imported: imported)
        }
        for userID in Set(records.map(\.userID)) { vectors.invalidate(userID: userID) }
        return report
    }

    private func insert(_ db: Database, _ record: ExportRecord) throws {
        switch record {
        case .user(let user):
            try db.run(
                sql: """
                    INSERT INTO users (id, name, role, info, created_at, updated_at, last_activity_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    user.id, user.name, user.role.rawValue, user.info.jsonText, user.createdAt.millis,
                    user.updatedAt.millis, user.lastActivityAt.millis,
                ])
        case .agent(let agent):
            try db.run(
                sql: """
                    INSERT INTO agents (user_id, id, name, description, instructions, is_active, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    agent.userID, agent.id, agent.name, agent.description, agent.instructions, agent.isActive,
                    agent.createdAt.millis, agent.updatedAt.millis,
                ])
        case .session(let session):
            try db.run(
                sql: """
                    INSERT INTO sessions (user_id, id, agent_id, title, metadata, created_at, last_updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.userID, session.id, session.agentID, session.title, session.metadata.jsonText,
                    session.createdAt.millis, session.lastUpdatedAt.millis,
                ])
        case .message(let message):
            try db.run(
                sql: """
                    INSERT INTO messages (user_id, id, session_id, sequence, role, content, thinking, metadata,
                        input_tokens, output_tokens, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    message.userID, message.id, message.sessionID, message.sequence, message.role.rawValue,
                    message.content, message.thinking, message.metadata.jsonText, message.inputTokens,
                    message.outputTokens, message.createdAt.millis,
                ])
        case .workingFact(let fact): try insertFact(db, fact)
        case .memory(let memory): try insertMemory(db, memory)
        case .embedding(let embedding):
            guard embedding.vector.count == embedding.dimension, embedding.vector.allSatisfy(\.isFinite) else {
                throw EngramError(
                    .invalidVector, "An embedding's vector does not match its dimension or is not finite.")
            }
            try insertEmbedding(db, embedding)
        case .link(let link): try insertLink(db, link)
        case .emotion(let emotion): try upsertEmotion(db, emotion)
        case .sessionState(let state): try insertState(db, state)
        case .feedback(let feedback): try insertFeedback(db, feedback)
        case .audit(let entry):
            try db.run(
                sql: """
                    INSERT INTO audit_log (user_id, id, actor, action, target_type, target_id, before_digest,
                        after_digest, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.userID, entry.id, entry.actor, entry.action, entry.targetType, entry.targetID,
                    entry.beforeDigest, entry.afterDigest, entry.createdAt.millis,
                ])
        }
    }
}
