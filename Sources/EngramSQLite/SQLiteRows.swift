import EngramCore
import Foundation
import GRDB

/// Dates are stored as integer milliseconds since 1970: exact, sortable and identical in exports.
extension Date {
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
    /// This date truncated to what the database stores.
    var stored: Date { Date(millis: millis) }
}

/// Column encodings shared by every table.
enum Column {
    static func json(_ value: JSONValue?) -> String? { value?.jsonText }

    static func json(_ text: String?) -> JSONValue? {
        guard let text else { return nil }
        return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }

    static func strings(_ values: [String]) -> String {
        JSONValue.array(values.map(JSONValue.string)).jsonText
    }

    static func strings(_ text: String?) -> [String] {
        guard let text, let data = text.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }

    static func vector(_ vector: [Float]) -> Data {
        vector.withUnsafeBufferPointer { Data(buffer: $0) }
    }

    static func vector(_ data: Data) -> [Float] {
        data.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)) }
    }

    static func date(_ row: Row, _ column: String) -> Date { Date(millis: row[column]) }

    static func optionalDate(_ row: Row, _ column: String) -> Date? {
        (row[column] as Int64?).map(Date.init(millis:))
    }
}

/// Turns rows into domain values. Enum columns are guarded by CHECK constraints, so a
/// value outside the enum means a corrupted file: reported as a storage failure.
enum Decode {
    static func enumValue<E: EngramEnum>(_ row: Row, _ column: String) throws -> E {
        guard let value = E(rawValue: row[column]) else {
            throw EngramError(.storageFailure, "The database holds an unknown \(E.fieldName); run engram doctor.")
        }
        return value
    }

    static func user(_ row: Row) throws -> User {
        User(
            id: row["id"], name: row["name"], role: try enumValue(row, "role"),
            info: Column.json(row["info"] as String?) ?? .emptyObject,
            createdAt: Column.date(row, "created_at"), updatedAt: Column.date(row, "updated_at"),
            lastActivityAt: Column.date(row, "last_activity_at"),
            counters: UserCounters(
                memories: row["memory_count"], links: row["link_count"], sessions: row["session_count"],
                messages: row["message_count"]))
    }

    static func agent(_ row: Row) throws -> Agent {
        Agent(
            id: row["id"], userID: row["user_id"], name: row["name"], description: row["description"],
            instructions: row["instructions"],
            persona: PersonaFields(
                template: row["template"], mode: row["mode"], loopFrequency: row["loop_frequency"],
                firstMessage: row["first_message"], imagePath: row["image_path"]),
            isActive: row["is_active"], createdAt: Column.date(row, "created_at"),
            updatedAt: Column.date(row, "updated_at"))
    }

    static func module(_ row: Row) throws -> Module {
        Module(
            id: row["id"], userID: row["user_id"], name: row["name"], description: row["description"],
            content: row["content"], type: try enumValue(row, "type"), triggerPattern: row["trigger_pattern"],
            script: row["script"], executionContext: try enumValue(row, "execution_context"),
            requiresAIInference: row["requires_ai_inference"], stagePriority: row["stage_priority"],
            isActive: row["is_active"], createdAt: Column.date(row, "created_at"),
            updatedAt: Column.date(row, "updated_at"))
    }

    static func session(_ row: Row) throws -> Session {
        Session(
            id: row["id"], userID: row["user_id"], agentID: row["agent_id"], title: row["title"],
            messageCount: row["message_count"], metadata: Column.json(row["metadata"] as String?) ?? .emptyObject,
            createdAt: Column.date(row, "created_at"), lastUpdatedAt: Column.date(row, "last_updated_at"),
            episodeID: row["episode_id"], consolidatedAt: Column.optionalDate(row, "consolidated_at"))
    }

    static func message(_ row: Row) throws -> Message {
        Message(
            id: row["id"], userID: row["user_id"], sessionID: row["session_id"], sequence: row["sequence"],
            role: try enumValue(row, "role"), content: row["content"], thinking: row["thinking"],
            metadata: Column.json(row["metadata"] as String?) ?? .emptyObject, inputTokens: row["input_tokens"],
            outputTokens: row["output_tokens"], createdAt: Column.date(row, "created_at"))
    }

    static func fact(_ row: Row) throws -> WorkingFact {
        WorkingFact(
            id: row["id"], userID: row["user_id"], sessionID: row["session_id"], agentID: row["agent_id"],
            factType: try enumValue(row, "fact_type"), content: row["content"], confidence: row["confidence"],
            sourceMessageIDs: Column.strings(row["source_message_ids"] as String?),
            createdAt: Column.date(row, "created_at"), updatedAt: Column.date(row, "updated_at"),
            expiresAt: Column.date(row, "expires_at"), parts: parts(row),
            keywords: Column.strings(row["keywords"] as String?),
            entityKeys: Column.strings(row["entity_keys"] as String?),
            occurredAt: Column.optionalDate(row, "occurred_at"), reinforcementCount: row["reinforcement_count"],
            confirmed: row["confirmed"], promotedMemoryID: row["promoted_memory_id"])
    }

    static func memory(_ row: Row) throws -> Memory {
        let entity: EntityReference? =
            if let system = row["entity_system"] as String?, let id = row["entity_id"] as String? {
                EntityReference(system: system, id: id, type: row["entity_type"])
            } else {
                nil
            }
        return Memory(
            id: row["id"], userID: row["user_id"], agentID: row["agent_id"], sessionID: row["session_id"],
            content: row["content"], contentJSON: Column.json(row["content_json"] as String?), summary: row["summary"],
            sector: try enumValue(row, "sector"), contextType: try enumValue(row, "context_type"),
            salience: row["salience"], importance: row["importance"], strength: row["strength"],
            decayRate: row["decay_rate"], accessCount: row["access_count"],
            lastAccessedAt: Column.optionalDate(row, "last_accessed_at"),
            lastReinforcedAt: Column.date(row, "last_reinforced_at"), createdAt: Column.date(row, "created_at"),
            updatedAt: Column.date(row, "updated_at"), validFrom: Column.date(row, "valid_from"),
            validTo: Column.optionalDate(row, "valid_to"), tags: Column.strings(row["tags"] as String?),
            keywords: Column.strings(row["keywords"] as String?), category: row["category"],
            metadata: Column.json(row["metadata"] as String?) ?? .emptyObject, entity: entity,
            entityData: Column.json(row["entity_data"] as String?), entityUpdateCount: row["entity_update_count"],
            parentID: row["parent_id"], isAtomic: row["is_atomic"],
            sourceMessageIDs: Column.strings(row["source_message_ids"] as String?), contentHash: row["content_hash"],
            visibility: try enumValue(row, "visibility"), parts: parts(row))
    }

    /// Subject, predicate and value, when the row has all three.
    static func parts(_ row: Row) -> FactParts? {
        guard let subject = row["subject"] as String?, let predicate = row["predicate"] as String?,
            let value = row["value"] as String?
        else { return nil }
        return FactParts(subject: subject, predicate: predicate, value: value)
    }

    static func embedding(_ row: Row) throws -> StoredEmbedding {
        StoredEmbedding(
            memoryID: row["memory_id"], userID: row["user_id"], sector: try enumValue(row, "sector"),
            model: row["model"], dimension: row["dimension"], vector: Column.vector(row["vector"]),
            createdAt: Column.date(row, "created_at"))
    }

    static func link(_ row: Row) throws -> Link {
        Link(
            id: row["id"], userID: row["user_id"], sourceID: row["source_id"], targetID: row["target_id"],
            type: try enumValue(row, "type"), weight: row["weight"], origin: try enumValue(row, "origin"),
            traversalCount: row["traversal_count"], metadata: Column.json(row["metadata"] as String?) ?? .emptyObject,
            createdAt: Column.date(row, "created_at"))
    }

    static func emotion(_ row: Row) throws -> Emotion {
        var discrete: [String: Double] = [:]
        if case .object(let members)? = Column.json(row["discrete_emotions"] as String?) {
            for (name, value) in members { if case .number(let score) = value { discrete[name] = score } }
        }
        return Emotion(
            memoryID: row["memory_id"], userID: row["user_id"], valence: row["valence"], arousal: row["arousal"],
            dominance: row["dominance"], discreteEmotions: discrete, primaryEmotion: row["primary_emotion"],
            confidence: row["confidence"], updatedAt: Column.date(row, "updated_at"))
    }

    static func state(_ row: Row) throws -> SessionState {
        SessionState(
            userID: row["user_id"], sessionID: row["session_id"], agentID: row["agent_id"], module: row["module"],
            key: row["key"], value: Column.json(row["value"] as String?) ?? .null,
            createdAt: Column.date(row, "created_at"), updatedAt: Column.date(row, "updated_at"))
    }

    static func feedback(_ row: Row) throws -> Feedback {
        Feedback(
            id: row["id"], userID: row["user_id"], memoryID: row["memory_id"], query: row["query"],
            useful: row["useful"], createdAt: Column.date(row, "created_at"))
    }

    static func audit(_ row: Row) throws -> AuditEntry {
        AuditEntry(
            id: row["id"], userID: row["user_id"], actor: row["actor"], action: row["action"],
            targetType: row["target_type"], targetID: row["target_id"], beforeDigest: row["before_digest"],
            afterDigest: row["after_digest"], reason: row["reason"], createdAt: Column.date(row, "created_at"))
    }
}
