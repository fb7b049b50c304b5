import EngramCore
import Foundation
import PostgresNIO

/// Reads named columns of a result row.
struct Columns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    subscript<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) -> T {
        get throws { try row[name].decode(T.self) }
    }

    func date(_ name: String) throws -> Date { try row[name].decode(Timestamp.self).date }
    func optionalDate(_ name: String) throws -> Date? { try row[name].decode(Timestamp?.self)?.date }
    func json(_ name: String) throws -> JSONValue { try row[name].decode(JSONB.self).value }
    func optionalJSON(_ name: String) throws -> JSONValue? { try row[name].decode(JSONB?.self)?.value }

    func enumValue<E: EngramEnum>(_ name: String) throws -> E {
        guard let value = E(rawValue: try row[name].decode(String.self)) else {
            throw EngramError(.storageFailure, "The database holds an unknown \(E.fieldName); run engram doctor.")
        }
        return value
    }
}

/// Turns rows into domain values; the column names are the tables' own (`SELECT *` or a subset).
enum Decode {
    static func user(_ row: PostgresRow) throws -> User {
        let c = Columns(row)
        return User(
            id: try c["id"], name: try c["name"], role: try c.enumValue("role"), info: try c.json("info"),
            createdAt: try c.date("created_at"), updatedAt: try c.date("updated_at"),
            lastActivityAt: try c.date("last_activity_at"),
            counters: UserCounters(
                memories: try c["memory_count", as: Int.self], links: try c["link_count", as: Int.self],
                sessions: try c["session_count", as: Int.self], messages: try c["message_count", as: Int.self]))
    }

    static func agent(_ row: PostgresRow) throws -> Agent {
        let c = Columns(row)
        return Agent(
            id: try c["id"], userID: try c["user_id"], name: try c["name"], description: try c["description"],
            instructions: try c["instructions"],
            persona: PersonaFields(
                template: try c["template"], mode: try c["mode"], loopFrequency: try c["loop_frequency"],
                firstMessage: try c["first_message"], imagePath: try c["image_path"]),
            isActive: try c["is_active"], createdAt: try c.date("created_at"), updatedAt: try c.date("updated_at"))
    }

    static func module(_ row: PostgresRow) throws -> Module {
        let c = Columns(row)
        return Module(
            id: try c["id"], userID: try c["user_id"], name: try c["name"], description: try c["description"],
            content: try c["content"], type: try c.enumValue("type"), triggerPattern: try c["trigger_pattern"],
            script: try c["script"], executionContext: try c.enumValue("execution_context"),
            requiresAIInference: try c["requires_ai_inference"], stagePriority: try c["stage_priority", as: Int.self],
            isActive: try c["is_active"], createdAt: try c.date("created_at"), updatedAt: try c.date("updated_at"))
    }

    static func session(_ row: PostgresRow) throws -> Session {
        let c = Columns(row)
        return Session(
            id: try c["id"], userID: try c["user_id"], agentID: try c["agent_id"], title: try c["title"],
            messageCount: try c["message_count", as: Int.self], metadata: try c.json("metadata"),
            createdAt: try c.date("created_at"), lastUpdatedAt: try c.date("last_updated_at"),
            episodeID: try c["episode_id"], consolidatedAt: try c.optionalDate("consolidated_at"))
    }

    static func message(_ row: PostgresRow) throws -> Message {
        let c = Columns(row)
        return Message(
            id: try c["id"], userID: try c["user_id"], sessionID: try c["session_id"],
            sequence: try c["sequence", as: Int.self], role: try c.enumValue("role"), content: try c["content"],
            thinking: try c["thinking"], metadata: try c.json("metadata"), inputTokens: try c["input_tokens"],
            outputTokens: try c["output_tokens"], createdAt: try c.date("created_at"))
    }

    static func fact(_ row: PostgresRow) throws -> WorkingFact {
        let c = Columns(row)
        return WorkingFact(
            id: try c["id"], userID: try c["user_id"], sessionID: try c["session_id"], agentID: try c["agent_id"],
            factType: try c.enumValue("fact_type"), content: try c["content"], confidence: try c["confidence"],
            sourceMessageIDs: try c["source_message_ids"], createdAt: try c.date("created_at"),
            updatedAt: try c.date("updated_at"), expiresAt: try c.date("expires_at"), parts: try parts(c),
            keywords: try c["keywords"], entityKeys: try c["entity_keys"],
            occurredAt: try c.optionalDate("occurred_at"),
            reinforcementCount: try c["reinforcement_count", as: Int.self], confirmed: try c["confirmed"],
            promotedMemoryID: try c["promoted_memory_id"])
    }

    /// Subject, predicate and value, when the row has all three.
    static func parts(_ c: Columns) throws -> FactParts? {
        guard let subject: String = try c["subject"], let predicate: String = try c["predicate"],
            let value: String = try c["value"]
        else { return nil }
        return FactParts(subject: subject, predicate: predicate, value: value)
    }

    /// The columns of `memories` that ``memory(_:)`` reads (everything but the generated search vector).
    static let memoryColumns = """
        id, user_id, agent_id, session_id, content, content_json, summary, sector, context_type, salience,
        importance, strength, decay_rate, access_count, last_accessed_at, last_reinforced_at, created_at, updated_at,
        valid_from, valid_to, tags, keywords, category, metadata, entity_system, entity_id, entity_type, entity_data,
        entity_update_count, parent_id, is_atomic, source_message_ids, content_hash, visibility, subject, predicate,
        value
        """

    static func memory(_ row: PostgresRow) throws -> Memory {
        let c = Columns(row)
        let system: String? = try c["entity_system"]
        let entityID: String? = try c["entity_id"]
        let entity = try system.flatMap { system in
            try entityID.map { EntityReference(system: system, id: $0, type: try c["entity_type"]) }
        }
        return Memory(
            id: try c["id"], userID: try c["user_id"], agentID: try c["agent_id"], sessionID: try c["session_id"],
            content: try c["content"], contentJSON: try c.optionalJSON("content_json"), summary: try c["summary"],
            sector: try c.enumValue("sector"), contextType: try c.enumValue("context_type"),
            salience: try c["salience"], importance: try c["importance"], strength: try c["strength"],
            decayRate: try c["decay_rate"], accessCount: try c["access_count", as: Int.self],
            lastAccessedAt: try c.optionalDate("last_accessed_at"), lastReinforcedAt: try c.date("last_reinforced_at"),
            createdAt: try c.date("created_at"), updatedAt: try c.date("updated_at"),
            validFrom: try c.date("valid_from"), validTo: try c.optionalDate("valid_to"), tags: try c["tags"],
            keywords: try c["keywords"], category: try c["category"], metadata: try c.json("metadata"), entity: entity,
            entityData: try c.optionalJSON("entity_data"),
            entityUpdateCount: try c["entity_update_count", as: Int.self],
            parentID: try c["parent_id"], isAtomic: try c["is_atomic"], sourceMessageIDs: try c["source_message_ids"],
            contentHash: try c["content_hash"], visibility: try c.enumValue("visibility"), parts: try parts(c))
    }

    static func embedding(_ row: PostgresRow) throws -> StoredEmbedding {
        let c = Columns(row)
        return StoredEmbedding(
            memoryID: try c["memory_id"], userID: try c["user_id"], sector: try c.enumValue("sector"),
            model: try c["model"], dimension: try c["dimension", as: Int.self],
            vector: try c["embedding", as: PGVector.self].values, createdAt: try c.date("created_at"))
    }

    static func link(_ row: PostgresRow) throws -> Link {
        let c = Columns(row)
        return Link(
            id: try c["id"], userID: try c["user_id"], sourceID: try c["source_id"], targetID: try c["target_id"],
            type: try c.enumValue("type"), weight: try c["weight"], origin: try c.enumValue("origin"),
            traversalCount: try c["traversal_count", as: Int.self], metadata: try c.json("metadata"),
            createdAt: try c.date("created_at"))
    }

    static func emotion(_ row: PostgresRow) throws -> Emotion {
        let c = Columns(row)
        var discrete: [String: Double] = [:]
        if case .object(let members) = try c.json("discrete_emotions") {
            for (name, value) in members { if case .number(let score) = value { discrete[name] = score } }
        }
        return Emotion(
            memoryID: try c["memory_id"], userID: try c["user_id"], valence: try c["valence"],
            arousal: try c["arousal"], dominance: try c["dominance"], discreteEmotions: discrete,
            primaryEmotion: try c["primary_emotion"], confidence: try c["confidence"],
            updatedAt: try c.date("updated_at"))
    }

    static func state(_ row: PostgresRow) throws -> SessionState {
        let c = Columns(row)
        return SessionState(
            userID: try c["user_id"], sessionID: try c["session_id"], agentID: try c["agent_id"],
            module: try c["module"], key: try c["key"], value: try c.json("value"), createdAt: try c.date("created_at"),
            updatedAt: try c.date("updated_at"))
    }

    static func feedback(_ row: PostgresRow) throws -> Feedback {
        let c = Columns(row)
        return Feedback(
            id: try c["id"], userID: try c["user_id"], memoryID: try c["memory_id"], query: try c["query"],
            useful: try c["useful"], createdAt: try c.date("created_at"))
    }

    static func audit(_ row: PostgresRow) throws -> AuditEntry {
        let c = Columns(row)
        return AuditEntry(
            id: try c["id", as: Int64.self], userID: try c["user_id"], actor: try c["actor"], action: try c["action"],
            targetType: try c["target_type"], targetID: try c["target_id"], beforeDigest: try c["before_digest"],
            afterDigest: try c["after_digest"], reason: try c["reason"], createdAt: try c.date("created_at"))
    }
}
