import ArgumentParser
import EngramCore

/// `engram module`: the modules of the user's personas.
struct ModuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "module",
        abstract: "Add, list, show, update, delete and match the modules of the user's personas.",
        discussion: """
            A module is prompt text (type simple) or a script (type advanced) that a persona's runtime runs at a \
            stage of a turn (--execution-context immediate, post_response or on_demand), lowest --stage-priority \
            first, when its --trigger-pattern (a regular expression, matched case-insensitively) matches what was \
            said. `engram module match TEXT` lists the active modules a text triggers.
            """,
        subcommands: [Add.self, List.self, Show.self, Update.self, Delete.self, Match.self],
        defaultSubcommand: List.self)

    /// The options of a module that `add` and `update` share.
    struct Fields: ParsableArguments {
        @Option(help: "What the module is for.")
        var description: String?

        @Option(help: "The text the module contributes (a simple module needs it).")
        var content: String?

        @Option(help: "simple (prompt text) or advanced (a script).")
        var type: String?

        @Option(help: "A regular expression; the module fires when a text matches it (case-insensitively).")
        var triggerPattern: String?

        @Option(help: "The script an advanced module runs.")
        var script: String?

        @Option(help: "immediate, post_response or on_demand.")
        var executionContext: String?

        @Option(
            name: .customLong("requires-ai-inference"),
            help: "true or false: whether the module needs a model's inference.")
        var requiresAIInference: Bool?

        @Option(help: "Lower runs first (0 or more; 100 when added without one).")
        var stagePriority: Int?

        /// The fields as a patch (`nil` leaves a field as it is; an empty text clears it).
        func patch(name: String? = nil, isActive: Bool? = nil) throws -> ModulePatch {
            try .parsing(
                name: name, description: description, content: content, type: type, triggerPattern: triggerPattern,
                script: script, executionContext: executionContext, requiresAIInference: requiresAIInference,
                stagePriority: stagePriority, isActive: isActive)
        }
    }

    /// `engram module add NAME`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a module; prints its id.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The module's name, unique among the user's modules.")
        var name: String

        @Option(help: "The module id (default: a new UUID).")
        var id: String?

        @OptionGroup(title: "Module") var fields: Fields

        @Flag(help: "Add it inactive.")
        var inactive = false

        mutating func run() async throws {
            let draft = ModuleDraft(
                userID: global.userID, id: id, name: name, fields: try fields.patch(isActive: !inactive))
            try await global.withService(.write) { store in
                let module = try await store.createModule(draft)
                if global.json { return try Output.json(module) }
                Output.line("created module \(module.id)")
            }
        }
    }

    /// `engram module list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the user's active modules, by stage priority then name.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Include inactive modules.")
        var all = false

        mutating func run() async throws {
            try await global.withService(.read) { store in
                let modules = try await store.modules(userID: global.userID, includeInactive: all)
                if global.json { return try Output.json(modules) }
                ModuleCommand.printTable(modules, empty: "No modules.")
            }
        }
    }

    /// `engram module show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one module.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The module id.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.read) { store in
                let module = try await store.module(userID: global.userID, id: id)
                if global.json { return try Output.json(module) }
                ModuleCommand.print(module)
            }
        }
    }

    /// `engram module update ID`.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a module; an empty --description, --content, --trigger-pattern or --script clears it.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The module id.")
        var id: String

        @Option(help: "The new name.")
        var name: String?

        @OptionGroup(title: "Module") var fields: Fields

        @Option(help: "true or false: whether the module is active.")
        var active: Bool?

        func validate() throws {
            if name == nil, active == nil, (try? fields.patch())?.isEmpty ?? false {
                throw ValidationError("Pass at least one option to change; see engram module update --help.")
            }
        }

        mutating func run() async throws {
            let patch = try fields.patch(name: name, isActive: active)
            try await global.withService(.write) { store in
                let module = try await store.updateModule(userID: global.userID, id: id, patch)
                if global.json { return try Output.json(module) }
                ModuleCommand.print(module)
            }
        }
    }

    /// `engram module delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a module.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The module id.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.write) { store in
                try await store.deleteModule(userID: global.userID, id: id)
                if global.json { return try Output.json(["deleted": id]) }
                Output.line("deleted module \(id)")
            }
        }
    }

    /// `engram module match TEXT`.
    struct Match: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the active modules whose trigger pattern matches TEXT, by stage priority.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The text of a turn.")
        var text: String

        mutating func run() async throws {
            try await global.withService(.read) { store in
                let modules = try await store.modules(userID: global.userID, matching: text)
                if global.json { return try Output.json(modules) }
                ModuleCommand.printTable(modules, empty: "No module matches.")
            }
        }
    }

    /// Prints modules as a table.
    static func printTable(_ modules: [Module], empty: String) {
        Output.printTable(
            ["ID", "NAME", "TYPE", "STAGE", "CONTEXT", "ACTIVE", "TRIGGER"],
            modules.map {
                [
                    $0.id, $0.name, $0.type.rawValue, String($0.stagePriority), $0.executionContext.rawValue,
                    $0.isActive ? "yes" : "no", Output.truncate($0.triggerPattern ?? "", to: 40),
                ]
            }, empty: empty)
    }

    /// Prints one module as aligned fields.
    static func print(_ module: Module) {
        Output.printFields([
            ("id", module.id), ("name", module.name), ("type", module.type.rawValue),
            ("active", module.isActive ? "yes" : "no"), ("stage priority", String(module.stagePriority)),
            ("execution context", module.executionContext.rawValue),
            ("requires AI inference", module.requiresAIInference ? "yes" : "no"),
            ("trigger pattern", module.triggerPattern ?? ""), ("description", module.description ?? ""),
            ("content", module.content ?? ""), ("script", module.script ?? ""),
            ("created", Output.date(module.createdAt)), ("updated", Output.date(module.updatedAt)),
        ])
    }
}
