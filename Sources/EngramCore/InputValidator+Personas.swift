import Foundation

extension InputValidator {
    /// The longest mode or loop frequency of a persona, in UTF-8 bytes.
    public static let maxPersonaLabelBytes = 50
    /// The longest image path of a persona, in UTF-8 bytes.
    public static let maxImagePathBytes = 500
    /// The longest module name, in UTF-8 bytes.
    public static let maxModuleNameBytes = 255
    /// The longest trigger pattern of a module, in UTF-8 bytes.
    public static let maxTriggerPatternBytes = 500

    /// Persona fields, checked: the template and first message are text of at most `maxContentBytes`; the mode and
    /// loop frequency one trimmed line of at most 50 bytes, the image path of at most 500. A blank field becomes an
    /// empty string when `clearing` (a patch that clears it), else `nil`.
    public func persona(_ fields: PersonaFields, clearing: Bool = false) throws -> PersonaFields {
        func blank(_ value: String?) -> Bool {
            value.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? false
        }
        func text(_ value: String?, _ field: String) throws -> String? {
            if blank(value) { return clearing ? "" : nil }
            return try optionalText(value, field: field)
        }
        func label(_ value: String?, _ field: String, _ maxBytes: Int) throws -> String? {
            if blank(value) { return clearing ? "" : nil }
            return try value.map { try name($0, field: field, maxBytes: maxBytes) }
        }
        return PersonaFields(
            template: try text(fields.template, "template"),
            mode: try label(fields.mode, "mode", Self.maxPersonaLabelBytes),
            loopFrequency: try label(fields.loopFrequency, "loop frequency", Self.maxPersonaLabelBytes),
            firstMessage: try text(fields.firstMessage, "first message"),
            imagePath: try label(fields.imagePath, "image path", Self.maxImagePathBytes))
    }

    /// A validated module draft: its name, texts, trigger pattern and stage priority checked, blank optional texts
    /// dropped, and the rules of its type met.
    public func module(_ draft: ModuleDraft) throws -> ModuleDraft {
        var draft = draft
        draft.name = try moduleName(draft.name)
        draft.description = try moduleText(draft.description, field: "description") ?? nil
        draft.content = try moduleText(draft.content, field: "content") ?? nil
        draft.triggerPattern = try triggerPattern(draft.triggerPattern) ?? nil
        draft.script = try moduleText(draft.script, field: "script") ?? nil
        draft.stagePriority = try stagePriority(draft.stagePriority)
        try moduleRules(type: draft.type, content: draft.content, script: draft.script)
        return draft
    }

    /// A validated module patch; blank optional texts become empty strings, which clear the field. The rules of the
    /// module's type are checked on the patched module (``moduleRules(_:)``).
    public func module(_ patch: ModulePatch) throws -> ModulePatch {
        var patch = patch
        patch.name = try patch.name.map(moduleName)
        patch.description = try moduleText(patch.description, field: "description").map { $0 ?? "" }
        patch.content = try moduleText(patch.content, field: "content").map { $0 ?? "" }
        patch.triggerPattern = try triggerPattern(patch.triggerPattern).map { $0 ?? "" }
        patch.script = try moduleText(patch.script, field: "script").map { $0 ?? "" }
        patch.stagePriority = try patch.stagePriority.map(stagePriority)
        return patch
    }

    /// A stored module as an import brings it: every field checked as a write would.
    func module(_ module: Module) throws -> Module {
        var module = module
        module.userID = try identifier(module.userID, field: "user id")
        module.id = try identifier(module.id, field: "module id")
        let draft = try self.module(
            ModuleDraft(
                userID: module.userID, name: module.name, description: module.description, content: module.content,
                type: module.type, triggerPattern: module.triggerPattern, script: module.script,
                stagePriority: module.stagePriority))
        (module.name, module.description, module.content, module.triggerPattern, module.script) =
            (draft.name, draft.description, draft.content, draft.triggerPattern, draft.script)
        return module
    }

    /// Throws unless the module's content and script fit its type: a `simple` module has content and no script, an
    /// `advanced` one has a script.
    public func moduleRules(_ module: Module) throws {
        try moduleRules(type: module.type, content: module.content, script: module.script)
    }

    private func moduleRules(type: ModuleType, content: String?, script: String?) throws {
        switch type {
        case .simple:
            guard content != nil else {
                throw EngramError(
                    .invalidArgument, "A simple module needs content; give it content, or make it advanced.")
            }
            guard script == nil else {
                throw EngramError(
                    .invalidArgument, "A simple module runs no script; remove the script, or make it advanced.")
            }
        case .advanced:
            guard script != nil else {
                throw EngramError(.invalidArgument, "An advanced module needs a script; give it one.")
            }
        }
    }

    /// A module name: one trimmed line of at most 255 bytes.
    func moduleName(_ value: String) throws -> String {
        try name(value, field: "module name", maxBytes: Self.maxModuleNameBytes)
    }

    /// An optional text of a module: `nil` when absent, `.some(nil)` when blank, else the text, at most
    /// `maxContentBytes`.
    private func moduleText(_ value: String?, field: String) throws -> String?? {
        guard let value else { return nil }
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .some(nil) }
        return .some(try optionalText(value, field: field))
    }

    /// A trigger pattern: `nil` when absent, `.some(nil)` when blank, else a regular expression that compiles, of at
    /// most 500 bytes.
    private func triggerPattern(_ value: String?) throws -> String?? {
        guard let value else { return nil }
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .some(nil) }
        guard value.utf8.count <= Self.maxTriggerPatternBytes else {
            throw EngramError(
                .invalidArgument,
                "The trigger pattern is longer than \(Self.maxTriggerPatternBytes) bytes; shorten it.")
        }
        _ = try ModuleTrigger(value)
        return .some(value)
    }

    /// A stage priority: a whole number from 0 (runs first) up.
    func stagePriority(_ value: Int) throws -> Int {
        try count(value, field: "stage priority", in: 0...Int(Int32.max))
    }
}

/// A module's trigger pattern, compiled: an ICU regular expression matched case-insensitively anywhere in a text.
struct ModuleTrigger {
    private let expression: NSRegularExpression

    /// Compiles `pattern`, or throws `invalid_argument`.
    init(_ pattern: String) throws {
        do {
            expression = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        } catch {
            throw EngramError(
                .invalidArgument,
                "The trigger pattern is not a valid regular expression; check its brackets, parentheses and escapes.")
        }
    }

    /// Whether the pattern matches somewhere in `text`.
    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
