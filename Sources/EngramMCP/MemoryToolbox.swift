import EngramCore
import Foundation

/// Runs the tools for one user: reads each call's arguments, calls ``MemoryService`` and reports what it did.
struct MemoryToolbox: Sendable {
    let service: MemoryService
    let userID: String

    private typealias Defaults = MemoryTool.Defaults

    /// Runs `tool` with `arguments`.
    func call(_ tool: MemoryTool, _ arguments: ToolArguments) async throws -> ToolOutput {
        switch tool {
        case .remember: try await remember(arguments)
        case .recall: try await recall(arguments)
        case .forget: try await forget(arguments)
        case .observe: try await observe(arguments)
        case .context: try await context(arguments)
        case .facts: try await facts(arguments)
        case .addFact: try await addFact(arguments)
        case .link: try await link(arguments)
        case .neighbours: try await neighbours(arguments)
        case .stats: try await stats()
        }
    }

    private func remember(_ arguments: ToolArguments) async throws -> ToolOutput {
        var draft = MemoryDraft(
            userID: userID, content: try arguments.string("content"),
            sessionID: try arguments.optionalString("session"),
            sector: try arguments.enumeration("sector", default: Defaults.memory.sector),
            contextType: try arguments.enumeration("context_type", default: Defaults.memory.contextType),
            salience: try arguments.double("salience", default: Defaults.memory.salience),
            importance: try arguments.double("importance", default: Defaults.memory.importance),
            tags: try arguments.strings("tags"), category: try arguments.optionalString("category"))
        switch (try arguments.optionalString("entity_system"), try arguments.optionalString("entity_id")) {
        case (let system?, let id?):
            draft.entity = EntityReference(system: system, id: id, type: try arguments.optionalString("entity_type"))
            draft.entityData = try arguments.object("entity_data")
        case (nil, nil):
            guard try arguments.optionalString("entity_type") == nil, try arguments.object("entity_data") == nil else {
                throw EngramError(
                    .invalidArgument, "entity_type and entity_data need an entity; add entity_system and entity_id.")
            }
        default:
            throw EngramError(.invalidArgument, "Pass entity_system and entity_id together to name an entity.")
        }
        let outcome = try await service.remember(draft)
        let memory = outcome.memory
        let what =
            switch outcome.action {
            case .created: "Created memory \(memory.id) (\(memory.sector.rawValue))."
            case .reinforced: "Reinforced memory \(memory.id): the same content was already stored."
            case .merged: "Merged into memory \(memory.id): the same entity was already stored."
            }
        return try ToolOutput(what, RememberReport(action: outcome.action, memory: memory))
    }

    private func recall(_ arguments: ToolArguments) async throws -> ToolOutput {
        let filters = RecallFilters(
            sectors: try arguments.enumerations("sectors", as: Sector.self),
            contextTypes: try arguments.enumerations("context_types", as: ContextType.self),
            tags: Set(try arguments.strings("tags")), sessionID: try arguments.optionalString("session"),
            includeInvalid: try arguments.bool("include_invalid", default: Defaults.recall.filters.includeInvalid))
        let results = try await service.recall(
            RecallQuery(
                userID: userID, text: try arguments.string("query"),
                k: try arguments.int("k", default: Defaults.recall.k),
                filters: filters, minScore: try arguments.optionalDouble("min_score"),
                reinforce: try arguments.bool("reinforce", default: Defaults.recall.reinforce)))
        let report = RecallReport(results: RankedResult.ranking(results))
        let lines = report.results.map { result in
            "\(result.rank). [score \(Self.decimal(result.score.composite)), \(result.memory.sector.rawValue), id \(result.memory.id)] \(result.memory.content)"
        }
        let summary =
            lines.isEmpty
            ? "No memories matched." : "\(lines.count) memories, best first:\n" + lines.joined(separator: "\n")
        return try ToolOutput(summary, report)
    }

    private func forget(_ arguments: ToolArguments) async throws -> ToolOutput {
        let id = try arguments.string("id")
        let mode = try arguments.enumeration("mode", default: Defaults.forget)
        try await service.forget(userID: userID, id: id, mode: mode)
        let summary =
            switch mode {
            case .soft: "Forgot memory \(id): kept for history, no longer recalled."
            case .hard: "Erased memory \(id) with its vectors, links and emotion."
            }
        return try ToolOutput(summary, ForgetReport(id: id, mode: mode))
    }

    /// Appends a turn; a named session that does not exist is created with that id, and no session means a new one.
    private func observe(_ arguments: ToolArguments) async throws -> ToolOutput {
        let content = try arguments.string("content")
        let role = try arguments.enumeration("role", default: Defaults.role)
        let speaker = try arguments.optionalString("speaker")
        let title = try arguments.optionalString("title")
        // Refuse bad content before a session is created for it.
        _ = try InputValidator(configuration: service.configuration).content(content)
        func append(to sessionID: String) async throws -> Observation {
            try await service.observe(
                ObservationDraft(userID: userID, sessionID: sessionID, role: role, speaker: speaker, content: content))
        }
        var created = false
        let observation: Observation
        if let sessionID = try arguments.optionalString("session") {
            do {
                observation = try await append(to: sessionID)
            } catch let error as EngramError where error.code == .sessionNotFound {
                do {
                    _ = try await service.createSession(SessionDraft(userID: userID, id: sessionID, title: title))
                    created = true
                } catch let error as EngramError where error.code == .alreadyExists {
                    // Another call created it in the meantime.
                }
                observation = try await append(to: sessionID)
            }
        } else {
            let session = try await service.createSession(SessionDraft(userID: userID, title: title))
            created = true
            observation = try await append(to: session.id)
        }
        let message = observation.message
        let summary =
            "Recorded turn \(message.sequence) (\(message.role.rawValue), id \(message.id)) in session \(message.sessionID)"
            + (created ? ", a new session" : "")
            + "; \(observation.facts.count) facts and \(observation.entities.count) entities extracted."
        return try ToolOutput(
            summary,
            ObserveReport(
                message: message, sessionCreated: created, memoryID: observation.memory.id, facts: observation.facts,
                entities: observation.entities.map(\.content)))
    }

    private func context(_ arguments: ToolArguments) async throws -> ToolOutput {
        let sessionID = try arguments.string("session")
        let window = service.configuration.contextWindow
        let messages = try await service.activeContext(
            userID: userID, sessionID: sessionID,
            window: ContextWindow(
                turns: try arguments.int("turns", default: window.turns),
                ttl: try arguments.double("max_age_hours", default: window.ttl / 3600) * 3600))
        let lines = messages.map { "#\($0.sequence) \($0.role.rawValue): \($0.content)" }
        let summary =
            lines.isEmpty
            ? "No turns of session \(sessionID) are in the active context."
            : "Session \(sessionID), \(lines.count) turns, oldest first:\n" + lines.joined(separator: "\n")
        return try ToolOutput(summary, ContextReport(sessionID: sessionID, messages: messages))
    }

    private func facts(_ arguments: ToolArguments) async throws -> ToolOutput {
        let facts = try await service.facts(
            userID: userID, sessionID: try arguments.optionalString("session"),
            includeExpired: try arguments.bool("include_expired", default: false))
        let lines = facts.map { fact in
            "- [\(fact.factType.rawValue), confidence \(Self.decimal(fact.confidence)), expires \(fact.expiresAt.formatted(.iso8601)), id \(fact.id)] \(fact.content)"
        }
        let summary =
            lines.isEmpty ? "No working facts." : "\(lines.count) working facts:\n" + lines.joined(separator: "\n")
        return try ToolOutput(summary, FactsReport(facts: facts))
    }

    private func addFact(_ arguments: ToolArguments) async throws -> ToolOutput {
        let fact = try await service.addFact(
            WorkingFactDraft(
                userID: userID, sessionID: try arguments.optionalString("session"),
                factType: try arguments.enumeration("type", default: Defaults.fact.factType),
                content: try arguments.string("content"),
                confidence: try arguments.double("confidence", default: Defaults.fact.confidence),
                sourceMessageIDs: try arguments.strings("source_message_ids"),
                ttl: try arguments.optionalDouble("ttl_hours").map { $0 * 3600 }))
        return try ToolOutput(
            "Added working fact \(fact.id) (\(fact.factType.rawValue)), expires \(fact.expiresAt.formatted(.iso8601)).",
            FactReport(fact: fact))
    }

    private func link(_ arguments: ToolArguments) async throws -> ToolOutput {
        let link = try await service.link(
            LinkDraft(
                userID: userID, sourceID: try arguments.string("source_id"),
                targetID: try arguments.string("target_id"),
                type: try arguments.enumeration("type", default: Defaults.link.type),
                weight: try arguments.double("weight", default: Defaults.link.weight)))
        return try ToolOutput(
            "Linked \(link.sourceID) → \(link.targetID) as \(link.type.rawValue), weight \(Self.decimal(link.weight)) (link \(link.id)).",
            LinkReport(link: link))
    }

    private func neighbours(_ arguments: ToolArguments) async throws -> ToolOutput {
        let id = try arguments.string("id")
        let neighbours = try await service.neighbours(
            userID: userID, memoryID: id, depth: try arguments.int("depth", default: Defaults.depth),
            types: try arguments.enumerations("types", as: LinkType.self))
        let lines = neighbours.map { neighbour in
            "- depth \(neighbour.depth) via \(neighbour.link.type.rawValue) (weight \(Self.decimal(neighbour.link.weight))): [id \(neighbour.memory.id)] \(neighbour.memory.content)"
        }
        let summary =
            lines.isEmpty
            ? "No memories are linked to \(id)."
            : "\(lines.count) memories linked to \(id):\n" + lines.joined(separator: "\n")
        return try ToolOutput(summary, NeighboursReport(memoryID: id, neighbours))
    }

    private func stats() async throws -> ToolOutput {
        let stats = try await service.statistics(userID: userID)
        let sectors = stats.memoriesBySector.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        let summary = """
            \(stats.memories) memories (\(stats.validMemories) valid\(sectors.isEmpty ? "" : ": " + sectors.joined(separator: ", "))), \
            \(stats.links) links, \(stats.sessions) sessions, \(stats.messages) turns, \
            \(stats.activeWorkingFacts) active working facts; average salience \(Self.decimal(stats.averageSalience)), \
            average strength \(Self.decimal(stats.averageStrength)).
            """
        return try ToolOutput(summary, stats)
    }

    /// A score or weight with three decimals.
    private static func decimal(_ value: Double) -> String { String(format: "%.3f", value) }
}
