import ArgumentParser
import EngramCore

/// `engram agent`: the agents (personas) of a user.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Create, list, show, update and delete agents (personas) of the user.",
        subcommands: [Create.self, List.self, Show.self, Update.self, Delete.self],
        defaultSubcommand: List.self)

    /// `engram agent create NAME`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an agent; prints its id.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The agent's name.")
        var name: String

        @Option(help: "The agent id (default: a new UUID).")
        var id: String?

        @Option(help: "What the agent is for.")
        var description: String?

        @Option(help: "The persona's system instructions.")
        var instructions: String?

        @OptionGroup(title: "Persona") var persona: PersonaOptions

        @Flag(help: "Create it inactive.")
        var inactive = false

        mutating func run() async throws {
            let draft = AgentDraft(
                userID: global.userID, id: id, name: name, description: description, instructions: instructions,
                persona: persona.fields, isActive: !inactive)
            try await global.withService(.write) { store in
                let agent = try await store.createAgent(draft)
                if global.json { return try Output.json(agent) }
                Output.line("created agent \(agent.id)")
            }
        }
    }

    /// `engram agent list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the user's agents, by name.")

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await global.withService(.read) { store in
                let agents = try await store.agents(userID: global.userID)
                if global.json { return try Output.json(agents) }
                Output.printTable(
                    ["ID", "NAME", "ACTIVE", "DESCRIPTION"],
                    agents.map { [$0.id, $0.name, $0.isActive ? "yes" : "no", Output.truncate($0.description ?? "")] },
                    empty: "No agents.")
            }
        }
    }

    /// `engram agent show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one agent.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The agent id.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.read) { store in
                let agent = try await store.agent(userID: global.userID, id: id)
                if global.json { return try Output.json(agent) }
                AgentCommand.print(agent)
            }
        }
    }

    /// `engram agent update ID`.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an agent's name, description, instructions, persona fields or state.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The agent id.")
        var id: String

        @Option(help: "The new name.")
        var name: String?

        @Option(help: "The new description.")
        var description: String?

        @Option(help: "The new instructions.")
        var instructions: String?

        @OptionGroup(title: "Persona") var persona: PersonaOptions

        @Option(help: "true or false: whether the agent is active.")
        var active: Bool?

        func validate() throws {
            if name == nil, description == nil, instructions == nil, persona.fields.isEmpty, active == nil {
                throw ValidationError(
                    "Pass at least one of --name, --description, --instructions, --template, --mode, --loop-frequency, --first-message, --image-path, --active."
                )
            }
        }

        mutating func run() async throws {
            let patch = AgentPatch(
                name: name, description: description, instructions: instructions, persona: persona.fields,
                isActive: active)
            try await global.withService(.write) { store in
                let agent = try await store.updateAgent(userID: global.userID, id: id, patch)
                if global.json { return try Output.json(agent) }
                AgentCommand.print(agent)
            }
        }
    }

    /// `engram agent delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an agent; its sessions, memories and facts stay, no longer tied to it.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The agent id.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.write) { store in
                try await store.deleteAgent(userID: global.userID, id: id)
                if global.json { return try Output.json(["deleted": id]) }
                Output.line("deleted agent \(id)")
            }
        }
    }

    /// Prints one agent as aligned fields.
    static func print(_ agent: Agent) {
        Output.printFields([
            ("id", agent.id), ("name", agent.name), ("active", agent.isActive ? "yes" : "no"),
            ("description", agent.description ?? ""), ("instructions", agent.instructions ?? ""),
            ("template", agent.template ?? ""), ("mode", agent.mode ?? ""),
            ("loop frequency", agent.loopFrequency ?? ""), ("first message", agent.firstMessage ?? ""),
            ("image path", agent.imagePath ?? ""),
            ("created", Output.date(agent.createdAt)), ("updated", Output.date(agent.updatedAt)),
        ])
    }
}
