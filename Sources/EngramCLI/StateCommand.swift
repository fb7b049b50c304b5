import ArgumentParser
import EngramCore

/// `engram state`: per-session module state (key → JSON value), seed 003's module state.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Set, get or delete a module's state value (JSON) in a session.",
        subcommands: [Set.self, Get.self, Delete.self])

    /// Which state value: session, agent, module and key.
    struct Key: ParsableArguments {
        @Option(help: "The session id.")
        var session: String

        @Option(help: "The agent the value belongs to (default: none, shared by all agents).")
        var agent: String?

        @Option(help: "The module the value belongs to (default: none).")
        var module: String?

        @Argument(help: "The state key.")
        var key: String

        func key(of userID: String) -> SessionStateKey {
            SessionStateKey(userID: userID, sessionID: session, agentID: agent ?? "", module: module ?? "", key: key)
        }
    }

    /// `engram state set --session S KEY JSON`.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a state value to a JSON value.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var key: Key

        @Argument(help: "The value: any JSON, such as '\"draft\"', 3 or '{\"step\": 2}'.")
        var value: String

        mutating func run() async throws {
            let value = try JSONValue.parse(self.value, field: "the state value")
            let key = key.key(of: global.userID)
            try await global.withService(.write) { store in
                let state = try await store.setState(key, value: value)
                if global.json { return try Output.json(state) }
                Output.line("set \(state.key) = \(state.value.jsonText)")
            }
        }
    }

    /// `engram state get --session S KEY`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a state value as JSON (null when it is not set).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var key: Key

        mutating func run() async throws {
            let key = key.key(of: global.userID)
            try await global.withService(.read) { store in
                let state = try await store.state(key)
                if global.json { return try Output.json(state) }
                Output.line(state?.value.jsonText ?? "null")
            }
        }
    }

    /// `engram state delete --session S KEY`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a state value.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var key: Key

        mutating func run() async throws {
            let key = key.key(of: global.userID)
            try await global.withService(.write) { store in
                let existed = try await store.deleteState(key)
                if global.json { return try Output.json(["deleted": existed]) }
                Output.line(existed ? "deleted \(key.key)" : "\(key.key) was not set")
            }
        }
    }
}
