import Foundation

/// Checks of JSON fields, filters and keys, and of rows arriving by import: an imported row passes the same checks
/// as the write that would have made it.
extension InputValidator {
    /// A JSON object (metadata, info, entity data) of at most `maxContentBytes` as text.
    public func jsonObject(_ value: JSONValue, field: String) throws -> JSONValue {
        guard case .object = value else {
            throw EngramError(.invalidArgument, "\(field) must be a JSON object, such as {\"key\": \"value\"}.")
        }
        _ = try optionalText(value.jsonText, field: field)
        return value
    }

    /// Validated recall or listing filters.
    public func filters(_ filters: RecallFilters) throws -> RecallFilters {
        var filters = filters
        filters.tags = Set(try labels(Array(filters.tags), field: "tags"))
        filters.sessionID = try optionalIdentifier(filters.sessionID, field: "session id")
        filters.agentID = try optionalIdentifier(filters.agentID, field: "agent id")
        filters.viewer = try optionalIdentifier(filters.viewer, field: "viewer")
        return filters
    }

    /// A validated module-state key; an absent agent or module is the empty string.
    public func stateKey(_ key: SessionStateKey) throws -> SessionStateKey {
        SessionStateKey(
            userID: try identifier(key.userID, field: "user id"),
            sessionID: try identifier(key.sessionID, field: "session id"),
            agentID: try optionalIdentifier(key.agentID, field: "agent id") ?? "",
            module: try optionalIdentifier(key.module, field: "module") ?? "",
            key: try identifier(key.key, field: "state key"))
    }

    /// A validated emotional annotation.
    public func emotion(_ emotion: Emotion) throws -> Emotion {
        var emotion = emotion
        emotion.userID = try identifier(emotion.userID, field: "user id")
        emotion.memoryID = try identifier(emotion.memoryID, field: "memory id")
        emotion.valence = try number(emotion.valence, field: "valence", in: -1...1)
        emotion.arousal = try number(emotion.arousal, field: "arousal")
        emotion.dominance = try number(emotion.dominance, field: "dominance", in: -1...1)
        emotion.confidence = try number(emotion.confidence, field: "confidence")
        emotion.primaryEmotion = try optionalIdentifier(emotion.primaryEmotion, field: "primary emotion")
        for (name, score) in emotion.discreteEmotions {
            _ = try identifier(name, field: "emotion name")
            _ = try number(score, field: "emotion score")
        }
        return emotion
    }

    /// An imported row, checked as the write that made it was (and its content hash recomputed).
    public func record(_ record: ExportRecord) throws -> ExportRecord {
        switch record {
        case .user(var user):
            user.id = try identifier(user.id, field: "user id")
            user.name = try content(user.name, field: "name")
            user.info = try jsonObject(user.info, field: "info")
            for (name, value) in [
                ("memory count", user.counters.memories), ("link count", user.counters.links),
                ("session count", user.counters.sessions), ("message count", user.counters.messages),
            ] {
                _ = try count(value, field: name, in: 0...Int(Int32.max))
            }
            return .user(user)
        case .agent(var agent):
            agent.userID = try identifier(agent.userID, field: "user id")
            agent.id = try identifier(agent.id, field: "agent id")
            agent.name = try content(agent.name, field: "name")
            agent.description = try optionalText(agent.description, field: "description")
            agent.instructions = try optionalText(agent.instructions, field: "instructions")
            agent.persona = try persona(agent.persona)
            return .agent(agent)
        case .module(let module):
            return .module(try self.module(module))
        case .session(var session):
            session.userID = try identifier(session.userID, field: "user id")
            session.id = try identifier(session.id, field: "session id")
            session.agentID = try optionalIdentifier(session.agentID, field: "agent id")
            session.title = try optionalText(session.title, field: "title")
            session.metadata = try jsonObject(session.metadata, field: "metadata")
            session.messageCount = try count(session.messageCount, field: "message count", in: 0...Int(Int32.max))
            return .session(session)
        case .message(var message):
            message.userID = try identifier(message.userID, field: "user id")
            message.id = try identifier(message.id, field: "message id")
            message.sessionID = try identifier(message.sessionID, field: "session id")
            message.sequence = try count(message.sequence, field: "sequence", in: 1...Int(Int32.max))
            message.content = try content(message.content)
            message.thinking = try optionalText(message.thinking, field: "thinking")
            message.metadata = try jsonObject(message.metadata, field: "metadata")
            for (name, tokens) in [("input tokens", message.inputTokens), ("output tokens", message.outputTokens)] {
                if let tokens { _ = try count(tokens, field: name, in: 0...Int(Int32.max)) }
            }
            return .message(message)
        case .workingFact(var fact):
            fact.userID = try identifier(fact.userID, field: "user id")
            fact.id = try identifier(fact.id, field: "fact id")
            fact.sessionID = try optionalIdentifier(fact.sessionID, field: "session id")
            fact.agentID = try optionalIdentifier(fact.agentID, field: "agent id")
            fact.content = try content(fact.content)
            fact.confidence = try number(fact.confidence, field: "confidence")
            fact.sourceMessageIDs = try fact.sourceMessageIDs.map { try identifier($0, field: "source message id") }
            return .workingFact(fact)
        case .memory(let memory):
            return .memory(try self.memory(memory))
        case .embedding(var embedding):
            embedding.userID = try identifier(embedding.userID, field: "user id")
            embedding.memoryID = try identifier(embedding.memoryID, field: "memory id")
            embedding.model = try identifier(embedding.model, field: "model")
            embedding.dimension = try count(embedding.dimension, field: "dimension", in: 1...65_535)
            try VectorMath.validate(embedding.vector, dimension: embedding.dimension)
            return .embedding(embedding)
        case .link(var link):
            link.userID = try identifier(link.userID, field: "user id")
            link.id = try identifier(link.id, field: "link id")
            link.sourceID = try identifier(link.sourceID, field: "source memory id")
            link.targetID = try identifier(link.targetID, field: "target memory id")
            guard link.sourceID != link.targetID else {
                throw EngramError(.invalidArgument, "A memory cannot link to itself.")
            }
            link.weight = try number(link.weight, field: "weight")
            link.traversalCount = try count(link.traversalCount, field: "traversal count", in: 0...Int(Int32.max))
            link.metadata = try jsonObject(link.metadata, field: "metadata")
            return .link(link)
        case .emotion(let emotion):
            return .emotion(try self.emotion(emotion))
        case .sessionState(var state):
            let key = try stateKey(
                SessionStateKey(
                    userID: state.userID, sessionID: state.sessionID, agentID: state.agentID, module: state.module,
                    key: state.key))
            (state.userID, state.sessionID, state.agentID, state.module, state.key) =
                (key.userID, key.sessionID, key.agentID, key.module, key.key)
            _ = try optionalText(state.value.jsonText, field: "state value")
            return .sessionState(state)
        case .entityAlias(var alias):
            alias.userID = try identifier(alias.userID, field: "user id")
            alias.alias = try name(alias.alias, field: "alias", maxBytes: 512)
            alias.memoryID = try identifier(alias.memoryID, field: "memory id")
            return .entityAlias(alias)
        case .feedback(var feedback):
            feedback.userID = try identifier(feedback.userID, field: "user id")
            feedback.id = try identifier(feedback.id, field: "feedback id")
            feedback.memoryID = try identifier(feedback.memoryID, field: "memory id")
            feedback.query = try optionalText(feedback.query, field: "query")
            return .feedback(feedback)
        case .audit(var entry):
            entry.userID = try identifier(entry.userID, field: "user id")
            guard entry.id >= 1 else { throw EngramError(.invalidArgument, "An audit line number must be positive.") }
            entry.actor = try identifier(entry.actor, field: "actor")
            entry.action = try identifier(entry.action, field: "action")
            entry.targetType = try identifier(entry.targetType, field: "target type")
            entry.targetID = try identifier(entry.targetID, field: "target id")
            return .audit(entry)
        }
    }

    /// A stored memory as an import brings it: every field in range, the content hash recomputed.
    func memory(_ memory: Memory) throws -> Memory {
        var memory = memory
        memory.userID = try identifier(memory.userID, field: "user id")
        memory.id = try identifier(memory.id, field: "memory id")
        memory.agentID = try optionalIdentifier(memory.agentID, field: "agent id")
        memory.sessionID = try optionalIdentifier(memory.sessionID, field: "session id")
        memory.parentID = try optionalIdentifier(memory.parentID, field: "parent id")
        memory.content = try content(memory.content)
        memory.summary = try optionalText(memory.summary, field: "summary")
        memory.category = try optionalIdentifier(memory.category, field: "category")
        memory.salience = try number(memory.salience, field: "salience")
        memory.importance = try number(memory.importance, field: "importance")
        memory.strength = try number(memory.strength, field: "strength")
        memory.decayRate = try number(memory.decayRate, field: "decay rate", in: 0...1_000)
        memory.accessCount = try count(memory.accessCount, field: "access count", in: 0...Int(Int32.max))
        memory.entityUpdateCount = try count(
            memory.entityUpdateCount, field: "entity update count", in: 0...Int(Int32.max))
        memory.tags = try labels(memory.tags, field: "tags")
        memory.keywords = try labels(memory.keywords, field: "keywords")
        memory.metadata = try jsonObject(memory.metadata, field: "metadata")
        _ = try optionalText(memory.contentJSON?.jsonText, field: "content JSON")
        if let entity = memory.entity {
            memory.entity = EntityReference(
                system: try identifier(entity.system, field: "entity system"),
                id: try identifier(entity.id, field: "entity id"),
                type: try optionalIdentifier(entity.type, field: "entity type"))
        }
        if let data = memory.entityData { memory.entityData = try jsonObject(data, field: "entity data") }
        memory.sourceMessageIDs = try memory.sourceMessageIDs.map { try identifier($0, field: "source message id") }
        memory.contentHash = ContentHash.of(memory.content)
        return memory
    }
}
