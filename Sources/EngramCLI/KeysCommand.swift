import ArgumentParser
import EngramCore

/// `engram keys`: the API keys the HTTP server accepts as bearer tokens.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the API keys of the HTTP server.",
        discussion: """
            A user key acts as its user only; an admin key manages users and keys and acts on any user. Engram \
            stores only a digest of each secret: the secret is printed once, when the key is created.
            """,
        subcommands: [Create.self, List.self, Revoke.self],
        defaultSubcommand: List.self)

    /// `engram keys create (--user ID | --admin) [--name NAME]`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key that acts as --user ID, or an admin key (--admin); prints its secret once.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Create an admin key (it acts on every user) instead of a user key.")
        var admin = false

        @Option(help: "A label that says where the key is used.")
        var name = "default"

        func validate() throws {
            if admin, global.user != nil {
                throw ValidationError("Pass either --user ID (a key that acts as that user) or --admin, not both.")
            }
            if !admin, global.explicitUser == nil {
                throw ValidationError(
                    "Pass --user ID (or set ENGRAM_USER) for a key that acts as that user, or --admin for an admin key."
                )
            }
        }

        mutating func run() async throws {
            let userID = admin ? nil : global.explicitUser
            try await global.withService(.write) { store in
                let issued = try await store.createAPIKey(userID: userID, name: name)
                if global.json { return try Output.json(issued) }
                Output.line(
                    issued.key.userID.map { "created key \(issued.key.id) for user \($0)" }
                        ?? "created admin key \(issued.key.id)")
                Output.line("secret: \(issued.secret)")
                Output.line("Store this secret now: Engram keeps only its digest and cannot show it again.")
            }
        }
    }

    /// `engram keys list [--user ID]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the keys (every key, or --user's), newest first, revoked ones too; never their secrets.")

        @OptionGroup var global: GlobalOptions

        mutating func run() async throws {
            try await global.withService(.read) { store in
                let keys = try await store.apiKeys(userID: global.explicitUser)
                if global.json { return try Output.json(keys) }
                Output.printTable(
                    ["ID", "USER", "NAME", "PREFIX", "CREATED", "REVOKED"],
                    keys.map {
                        [
                            $0.id, $0.userID ?? "(admin)", Output.truncate($0.name, to: 40), $0.prefix + "…",
                            Output.date($0.createdAt), Output.date($0.revokedAt),
                        ]
                    },
                    empty: "No keys.")
            }
        }
    }

    /// `engram keys revoke KEY_ID`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key: it authenticates nothing from now on (revoking it again changes nothing).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The key id (key_…), as keys list shows it.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.write) { store in
                let key = try await store.revokeAPIKey(id: id)
                if global.json { return try Output.json(key) }
                Output.line("revoked key \(key.id) at \(Output.date(key.revokedAt))")
            }
        }
    }
}
