import Foundation

/// A module of a user's personas (seed 003): a piece of prompt or a script that an agent runtime runs at a stage of a
/// turn, when its trigger pattern matches what was said (or when asked for, `on_demand`).
public struct Module: Sendable, Hashable, Codable {
    public var id: String
    public var userID: String
    /// Unique among the user's modules; a persona's template refers to a module by it.
    public var name: String
    public var description: String?
    /// The text the module contributes; may be absent for an `advanced` module that only runs a script.
    public var content: String?
    public var type: ModuleType
    /// A regular expression (ICU syntax, matched case-insensitively) that fires the module when a text matches it.
    public var triggerPattern: String?
    /// The script an `advanced` module runs.
    public var script: String?
    public var executionContext: ExecutionContext
    /// Whether the module needs a model's inference when it runs.
    public var requiresAIInference: Bool
    /// Lower runs first; 100 by default.
    public var stagePriority: Int
    public var isActive: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, userID: String, name: String, description: String? = nil, content: String? = nil,
        type: ModuleType, triggerPattern: String? = nil, script: String? = nil,
        executionContext: ExecutionContext = .immediate, requiresAIInference: Bool = false,
        stagePriority: Int = Module.defaultStagePriority, isActive: Bool = true, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.description = description
        self.content = content
        self.type = type
        self.triggerPattern = triggerPattern
        self.script = script
        self.executionContext = executionContext
        self.requiresAIInference = requiresAIInference
        self.stagePriority = stagePriority
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The stage priority of a module that names none.
    public static let defaultStagePriority = 100
}

/// What a caller supplies to create a module.
public struct ModuleDraft: Sendable, Hashable {
    public var userID: String
    /// Optional caller-chosen id; a UUID is generated when `nil`.
    public var id: String?
    public var name: String
    public var description: String?
    public var content: String?
    public var type: ModuleType
    public var triggerPattern: String?
    public var script: String?
    public var executionContext: ExecutionContext
    public var requiresAIInference: Bool
    public var stagePriority: Int
    public var isActive: Bool

    public init(
        userID: String, id: String? = nil, name: String, description: String? = nil, content: String? = nil,
        type: ModuleType = .simple, triggerPattern: String? = nil, script: String? = nil,
        executionContext: ExecutionContext = .immediate, requiresAIInference: Bool = false,
        stagePriority: Int = Module.defaultStagePriority, isActive: Bool = true
    ) {
        self.userID = userID
        self.id = id
        self.name = name
        self.description = description
        self.content = content
        self.type = type
        self.triggerPattern = triggerPattern
        self.script = script
        self.executionContext = executionContext
        self.requiresAIInference = requiresAIInference
        self.stagePriority = stagePriority
        self.isActive = isActive
    }
}

/// Changes to a module: `nil` leaves a field as it is; an empty description, content, trigger pattern or script
/// clears it.
public struct ModulePatch: Sendable, Hashable {
    public var name: String?
    public var description: String?
    public var content: String?
    public var type: ModuleType?
    public var triggerPattern: String?
    public var script: String?
    public var executionContext: ExecutionContext?
    public var requiresAIInference: Bool?
    public var stagePriority: Int?
    public var isActive: Bool?

    public init(
        name: String? = nil, description: String? = nil, content: String? = nil, type: ModuleType? = nil,
        triggerPattern: String? = nil, script: String? = nil, executionContext: ExecutionContext? = nil,
        requiresAIInference: Bool? = nil, stagePriority: Int? = nil, isActive: Bool? = nil
    ) {
        self.name = name
        self.description = description
        self.content = content
        self.type = type
        self.triggerPattern = triggerPattern
        self.script = script
        self.executionContext = executionContext
        self.requiresAIInference = requiresAIInference
        self.stagePriority = stagePriority
        self.isActive = isActive
    }

    /// Whether the patch changes nothing.
    public var isEmpty: Bool { self == ModulePatch() }

    /// `module` with this patch applied (the times untouched).
    public func applied(to module: Module) -> Module {
        let merge = patchedText
        var after = module
        after.name = name ?? module.name
        after.description = merge(description, module.description)
        after.content = merge(content, module.content)
        after.type = type ?? module.type
        after.triggerPattern = merge(triggerPattern, module.triggerPattern)
        after.script = merge(script, module.script)
        after.executionContext = executionContext ?? module.executionContext
        after.requiresAIInference = requiresAIInference ?? module.requiresAIInference
        after.stagePriority = stagePriority ?? module.stagePriority
        after.isActive = isActive ?? module.isActive
        return after
    }
}

extension ModuleDraft {
    /// A draft with the fields that `fields` sets, and the defaults for the others.
    public init(userID: String, id: String? = nil, name: String, fields: ModulePatch) {
        self.init(
            userID: userID, id: id, name: name, description: fields.description, content: fields.content,
            type: fields.type ?? .simple, triggerPattern: fields.triggerPattern, script: fields.script,
            executionContext: fields.executionContext ?? .immediate,
            requiresAIInference: fields.requiresAIInference ?? false,
            stagePriority: fields.stagePriority ?? Module.defaultStagePriority, isActive: fields.isActive ?? true)
    }
}

extension ModulePatch {
    /// A patch whose type and execution context arrive as text (from the command line or a request), parsed by
    /// their enumerations (`invalid_enum_value` with the allowed values).
    public static func parsing(
        name: String? = nil, description: String?, content: String?, type: String?, triggerPattern: String?,
        script: String?, executionContext: String?, requiresAIInference: Bool?, stagePriority: Int?, isActive: Bool?
    ) throws -> ModulePatch {
        ModulePatch(
            name: name, description: description, content: content, type: try type.map(ModuleType.parse),
            triggerPattern: triggerPattern, script: script,
            executionContext: try executionContext.map(ExecutionContext.parse),
            requiresAIInference: requiresAIInference, stagePriority: stagePriority, isActive: isActive)
    }
}

/// What a module is: prompt text, or a script.
public enum ModuleType: String, EngramEnum {
    /// Text spliced into the persona's prompt: needs content, runs no script.
    case simple
    /// A script the runtime runs, with or without content of its own.
    case advanced
    public static let fieldName = "module type"
}

/// The stage of a turn at which a module runs (seed 003's staged execution).
public enum ExecutionContext: String, EngramEnum {
    /// Before the response, as the turn is built.
    case immediate
    /// After the response is written.
    case postResponse = "post_response"
    /// Only when the runtime asks for it.
    case onDemand = "on_demand"
    public static let fieldName = "execution context"
}

/// A patch's optional text over the current one: `nil` keeps the current text, an empty string clears it.
func patchedText(_ patch: String?, _ current: String?) -> String? {
    guard let patch else { return current }
    return patch.isEmpty ? nil : patch
}
