import Foundation

/// An agent or persona of a user's multi-agent system.
public struct Agent: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    public var name: String
    public var description: String?
    /// The persona's system instructions.
    public var instructions: String?
    /// The persona's prompt template, into which an agent runtime splices its modules.
    public var template: String?
    /// How the persona runs, as its runtime names it (say, `reactive` or `autonomous`).
    public var mode: String?
    /// How often an autonomous persona runs its loop, as its runtime reads it (say, `5m`).
    public var loopFrequency: String?
    /// The message the persona opens a conversation with.
    public var firstMessage: String?
    /// A path or URL of the persona's picture.
    public var imagePath: String?
    public var isActive: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, userID: String, name: String, description: String?, instructions: String?,
        persona: PersonaFields = .init(), isActive: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.description = description
        self.instructions = instructions
        self.template = persona.template
        self.mode = persona.mode
        self.loopFrequency = persona.loopFrequency
        self.firstMessage = persona.firstMessage
        self.imagePath = persona.imagePath
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The agent's persona fields.
    public var persona: PersonaFields {
        get {
            PersonaFields(
                template: template, mode: mode, loopFrequency: loopFrequency, firstMessage: firstMessage,
                imagePath: imagePath)
        }
        set {
            template = newValue.template
            mode = newValue.mode
            loopFrequency = newValue.loopFrequency
            firstMessage = newValue.firstMessage
            imagePath = newValue.imagePath
        }
    }
}

/// What makes an agent a persona (seed 003): its template, mode, loop frequency, first message and picture. Every
/// field is optional. In a patch, `nil` leaves a field as it is and an empty string clears it.
public struct PersonaFields: Sendable, Hashable {
    public var template: String?
    public var mode: String?
    public var loopFrequency: String?
    public var firstMessage: String?
    public var imagePath: String?

    public init(
        template: String? = nil, mode: String? = nil, loopFrequency: String? = nil, firstMessage: String? = nil,
        imagePath: String? = nil
    ) {
        self.template = template
        self.mode = mode
        self.loopFrequency = loopFrequency
        self.firstMessage = firstMessage
        self.imagePath = imagePath
    }

    /// These fields as a patch of `current`: each field set here replaces the current one, an empty one clears it.
    public func applied(to current: PersonaFields) -> PersonaFields {
        let merge = patchedText
        return PersonaFields(
            template: merge(template, current.template), mode: merge(mode, current.mode),
            loopFrequency: merge(loopFrequency, current.loopFrequency),
            firstMessage: merge(firstMessage, current.firstMessage), imagePath: merge(imagePath, current.imagePath))
    }

    /// Whether no field is set.
    public var isEmpty: Bool { self == PersonaFields() }
}

/// What a caller supplies to create an agent.
public struct AgentDraft: Sendable, Hashable {
    public var userID: String
    /// Optional caller-chosen id; a UUID is generated when `nil`.
    public var id: String?
    public var name: String
    public var description: String?
    public var instructions: String?
    public var persona: PersonaFields
    public var isActive: Bool

    public init(
        userID: String, id: String? = nil, name: String, description: String? = nil, instructions: String? = nil,
        persona: PersonaFields = .init(), isActive: Bool = true
    ) {
        self.userID = userID
        self.id = id
        self.name = name
        self.description = description
        self.instructions = instructions
        self.persona = persona
        self.isActive = isActive
    }
}

/// Changes to an agent; `nil` leaves a field as it is (and an empty persona field clears it).
public struct AgentPatch: Sendable, Hashable {
    public var name: String?
    public var description: String?
    public var instructions: String?
    public var persona: PersonaFields
    public var isActive: Bool?

    public init(
        name: String? = nil, description: String? = nil, instructions: String? = nil,
        persona: PersonaFields = .init(), isActive: Bool? = nil
    ) {
        self.name = name
        self.description = description
        self.instructions = instructions
        self.persona = persona
        self.isActive = isActive
    }
}
