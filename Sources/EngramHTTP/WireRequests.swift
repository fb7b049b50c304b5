import EngramCore
import Foundation

// The bodies the API reads. Field names are those of Engram's models; enumerations arrive as strings and are
// parsed by the models' own `parse`, so that a wrong value gets `invalid_enum_value` with the allowed values.

/// `POST /v1/users`.
struct CreateUserBody: Decodable {
    var id: String
    var name: String?
    var role: String?
    var info: JSONValue?

    func draft() throws -> UserDraft {
        UserDraft(id: id, name: name, role: try role.map(UserRole.parse) ?? .user, info: info ?? .emptyObject)
    }
}

/// `PATCH /v1/users/{user}`.
struct UpdateUserBody: Decodable {
    var name: String?
    var role: String?
    var info: JSONValue?

    func patch() throws -> UserPatch {
        UserPatch(name: name, role: try role.map(UserRole.parse), info: info)
    }
}

/// `POST /v1/users/{user}/agents`.
struct CreateAgentBody: Decodable {
    var id: String?
    var name: String
    var description: String?
    var instructions: String?
    var template: String?
    var mode: String?
    var loopFrequency: String?
    var firstMessage: String?
    var imagePath: String?
    var isActive: Bool?

    func draft(userID: String) -> AgentDraft {
        AgentDraft(
            userID: userID, id: id, name: name, description: description, instructions: instructions,
            persona: PersonaFields(
                template: template, mode: mode, loopFrequency: loopFrequency, firstMessage: firstMessage,
                imagePath: imagePath),
            isActive: isActive ?? true)
    }
}

/// `PATCH /v1/users/{user}/agents/{agent}`.
struct UpdateAgentBody: Decodable {
    var name: String?
    var description: String?
    var instructions: String?
    /// An empty string clears the template; so for the other persona fields.
    var template: String?
    var mode: String?
    var loopFrequency: String?
    var firstMessage: String?
    var imagePath: String?
    var isActive: Bool?

    var patch: AgentPatch {
        AgentPatch(
            name: name, description: description, instructions: instructions,
            persona: PersonaFields(
                template: template, mode: mode, loopFrequency: loopFrequency, firstMessage: firstMessage,
                imagePath: imagePath),
            isActive: isActive)
    }
}

/// `POST /v1/users/{user}/modules`.
struct CreateModuleBody: Decodable {
    var id: String?
    var name: String
    var description: String?
    var content: String?
    var type: String?
    var triggerPattern: String?
    var script: String?
    var executionContext: String?
    var requiresAIInference: Bool?
    var stagePriority: Int?
    var isActive: Bool?

    func draft(userID: String) throws -> ModuleDraft {
        ModuleDraft(
            userID: userID, id: id, name: name,
            fields: try .parsing(
                description: description, content: content, type: type, triggerPattern: triggerPattern,
                script: script, executionContext: executionContext, requiresAIInference: requiresAIInference,
                stagePriority: stagePriority, isActive: isActive))
    }
}

/// `PATCH /v1/users/{user}/modules/{module}`.
struct UpdateModuleBody: Decodable {
    var name: String?
    /// An empty string clears the description; so for `content`, `triggerPattern` and `script`.
    var description: String?
    var content: String?
    var type: String?
    var triggerPattern: String?
    var script: String?
    var executionContext: String?
    var requiresAIInference: Bool?
    var stagePriority: Int?
    var isActive: Bool?

    func patch() throws -> ModulePatch {
        try .parsing(
            name: name, description: description, content: content, type: type, triggerPattern: triggerPattern,
            script: script, executionContext: executionContext, requiresAIInference: requiresAIInference,
            stagePriority: stagePriority, isActive: isActive)
    }
}

/// `POST /v1/users/{user}/modules/match`.
struct MatchModulesBody: Decodable {
    /// The text of a turn.
    var text: String
}

/// `POST /v1/users/{user}/sessions`.
struct CreateSessionBody: Decodable {
    var id: String?
    var agentID: String?
    var title: String?
    var metadata: JSONValue?

    func draft(userID: String) -> SessionDraft {
        SessionDraft(userID: userID, id: id, agentID: agentID, title: title, metadata: metadata ?? .emptyObject)
    }
}

/// `PATCH /v1/users/{user}/sessions/{session}`: a new title, or none.
struct UpdateSessionBody: Decodable {
    var title: String?
}

/// `POST /v1/users/{user}/sessions/{session}/messages`.
struct AppendMessageBody: Decodable {
    var role: String
    var content: String
    var thinking: String?
    var metadata: JSONValue?
    var inputTokens: Int?
    var outputTokens: Int?
    /// When the turn happened (replaying a conversation); now when absent. Never before the session's last message.
    var createdAt: Date?

    func draft(userID: String, sessionID: String) throws -> MessageDraft {
        MessageDraft(
            userID: userID, sessionID: sessionID, role: try MessageRole.parse(role), content: content,
            thinking: thinking, metadata: metadata ?? .emptyObject, inputTokens: inputTokens,
            outputTokens: outputTokens, createdAt: createdAt)
    }
}

/// `POST /v1/users/{user}/sessions/{session}/observe`.
struct ObserveBody: Decodable {
    var content: String
    var role: String?
    var speaker: String?
    var agentID: String?
    var createdAt: Date?
    var imageCaption: String?
    var metadata: JSONValue?
    var visibility: String?

    func draft(userID: String, sessionID: String) throws -> ObservationDraft {
        ObservationDraft(
            userID: userID, sessionID: sessionID, agentID: agentID, role: try role.map(MessageRole.parse) ?? .user,
            speaker: speaker, content: content, createdAt: createdAt, imageCaption: imageCaption,
            metadata: metadata ?? .emptyObject, visibility: try visibility.map(Visibility.parse) ?? .shared)
    }
}

/// `POST /v1/users/{user}/facts`.
struct AddFactBody: Decodable {
    var content: String
    var sessionID: String?
    var agentID: String?
    var factType: String?
    var confidence: Double?
    var sourceMessageIDs: [String]?
    /// Seconds until the fact expires (default: the server's working-fact TTL).
    var ttlSeconds: Double?

    func draft(userID: String) throws -> WorkingFactDraft {
        WorkingFactDraft(
            userID: userID, sessionID: sessionID, agentID: agentID,
            factType: try factType.map(FactType.parse) ?? .fact, content: content, confidence: confidence ?? 0.5,
            sourceMessageIDs: sourceMessageIDs ?? [], ttl: ttlSeconds)
    }
}

/// `POST /v1/users/{user}/memories`, and each item of a bulk create.
struct RememberBody: Decodable {
    var content: String
    var contentJSON: JSONValue?
    var summary: String?
    var sector: String?
    var contextType: String?
    var salience: Double?
    var importance: Double?
    var tags: [String]?
    var keywords: [String]?
    var category: String?
    var metadata: JSONValue?
    var entity: EntityReference?
    var entityData: JSONValue?
    var parentID: String?
    var isAtomic: Bool?
    var sourceMessageIDs: [String]?
    var validFrom: Date?
    var agentID: String?
    var sessionID: String?
    var visibility: String?
    /// A vector of the store's active model, to store instead of embedding the content. Read as `Double`s and
    /// narrowed, so that a component beyond `Float`'s range is refused as `invalid_vector` (and one too small for
    /// it becomes 0) rather than failing to decode.
    var embedding: [Double]?

    func draft(userID: String) throws -> MemoryDraft {
        MemoryDraft(
            userID: userID, content: content, agentID: agentID, sessionID: sessionID, contentJSON: contentJSON,
            summary: summary, sector: try sector.map(Sector.parse) ?? .semantic,
            contextType: try contextType.map(ContextType.parse) ?? .conversationFact, salience: salience ?? 0.5,
            importance: importance ?? 0.5, tags: tags ?? [], keywords: keywords ?? [], category: category,
            metadata: metadata ?? .emptyObject, entity: entity, entityData: entityData, parentID: parentID,
            isAtomic: isAtomic ?? true, sourceMessageIDs: sourceMessageIDs ?? [], validFrom: validFrom,
            embedding: embedding?.map { Float($0) }, visibility: try visibility.map(Visibility.parse) ?? .shared)
    }
}

/// `POST /v1/users/{user}/memories/bulk`: up to the batch limit, in one transaction.
struct BulkRememberBody: Decodable {
    var memories: [RememberBody]
}

/// `PATCH /v1/users/{user}/memories/{memory}`.
struct UpdateMemoryBody: Decodable {
    var content: String?
    var summary: String?
    var sector: String?
    var contextType: String?
    var salience: Double?
    var importance: Double?
    var tags: [String]?
    var keywords: [String]?
    var category: String?
    var metadata: JSONValue?

    func patch() throws -> MemoryPatch {
        MemoryPatch(
            content: content, summary: summary, sector: try sector.map(Sector.parse),
            contextType: try contextType.map(ContextType.parse), salience: salience, importance: importance,
            tags: tags, keywords: keywords, category: category, metadata: metadata)
    }
}

/// `POST /v1/users/{user}/recall`.
struct RecallBody: Decodable {
    var query: String
    var k: Int?
    var sectors: [String]?
    var contextTypes: [String]?
    var tags: [String]?
    var createdAfter: Date?
    var createdBefore: Date?
    var sessionID: String?
    var agentID: String?
    var viewer: String?
    var includeInvalid: Bool?
    var weights: RecallWeights?
    var minScore: Double?
    var expandLinks: Bool?
    var reinforce: Bool?

    func query(userID: String) throws -> RecallQuery {
        let filters = RecallFilters(
            sectors: Set(try (sectors ?? []).map(Sector.parse)),
            contextTypes: Set(try (contextTypes ?? []).map(ContextType.parse)), tags: Set(tags ?? []),
            createdAfter: createdAfter, createdBefore: createdBefore, sessionID: sessionID, agentID: agentID,
            includeInvalid: includeInvalid ?? false, viewer: viewer)
        return RecallQuery(
            userID: userID, text: query, k: k ?? 10, filters: filters, weights: weights, minScore: minScore,
            expandLinks: expandLinks ?? true, reinforce: reinforce ?? true)
    }
}

/// `POST /v1/users/{user}/links`.
struct LinkBody: Decodable {
    var sourceID: String
    var targetID: String
    var type: String?
    var weight: Double?
    var metadata: JSONValue?

    func draft(userID: String) throws -> LinkDraft {
        LinkDraft(
            userID: userID, sourceID: sourceID, targetID: targetID, type: try type.map(LinkType.parse) ?? .relatesTo,
            weight: weight ?? 1.0, origin: .explicit, metadata: metadata ?? .emptyObject)
    }
}

/// `PUT /v1/users/{user}/memories/{memory}/emotion`.
struct EmotionBody: Decodable {
    var valence: Double
    var arousal: Double
    var dominance: Double
    var discreteEmotions: [String: Double]?
    var primaryEmotion: String?
    var confidence: Double?

    func emotion(userID: String, memoryID: String) -> Emotion {
        Emotion(
            memoryID: memoryID, userID: userID, valence: valence, arousal: arousal, dominance: dominance,
            discreteEmotions: discreteEmotions ?? [:], primaryEmotion: primaryEmotion, confidence: confidence ?? 1.0,
            updatedAt: Date())
    }
}

/// `POST /v1/users/{user}/memories/{memory}/feedback`.
struct FeedbackBody: Decodable {
    var useful: Bool
    var query: String?
}

/// `PUT /v1/users/{user}/sessions/{session}/state/{key}`.
struct StateBody: Decodable {
    var value: JSONValue
}

/// `POST /v1/users/{user}/maintenance`; every field optional, defaults as `engram maintain`.
struct MaintenanceBody: Decodable {
    var consolidate: Bool?
    var decaySweep: Bool?
    var expireWorkingFacts: Bool?
    var messageRetentionSeconds: Double?
    var removeOrphans: Bool?
    var purgeOlderThanSeconds: Double?
    var purgeContextTypes: [String]?

    func options() throws -> MaintenanceOptions {
        MaintenanceOptions(
            consolidate: consolidate ?? true, decaySweep: decaySweep ?? true,
            expireWorkingFacts: expireWorkingFacts ?? true,
            messageRetention: messageRetentionSeconds, removeOrphans: removeOrphans ?? true,
            purgeOlderThan: purgeOlderThanSeconds,
            purgeContextTypes: Set(try (purgeContextTypes ?? []).map(ContextType.parse)))
    }
}

/// `POST /v1/keys`: a key for `userID`, or an admin key when it is absent.
struct CreateKeyBody: Decodable {
    var userID: String?
    var name: String
}
