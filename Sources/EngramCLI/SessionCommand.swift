import ArgumentParser
import EngramCore

/// `engram session`: the sessions (chats) of a user.
struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Create, list, show, rename and delete sessions (chats).",
        subcommands: [SessionCreateCommand.self, SessionListCommand.self, Show.self, Rename.self, Delete.self])

    /// `engram session show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one session.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The session id.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.read) { store in
                let session = try await store.session(userID: global.userID, id: id)
                if global.json { return try Output.json(session) }
                Output.printFields([
                    ("id", session.id), ("title", session.title ?? ""), ("agent", session.agentID ?? ""),
                    ("messages", "\(session.messageCount)"), ("metadata", session.metadata.jsonText),
                    ("created", Output.date(session.createdAt)), ("last updated", Output.date(session.lastUpdatedAt)),
                ])
            }
        }
    }

    /// `engram session rename ID TITLE`.
    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a session a new title (or none, with --clear).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The session id.")
        var id: String

        @Argument(help: "The new title.")
        var title: String?

        @Flag(help: "Remove the title.")
        var clear = false

        func validate() throws {
            if (title == nil) == !clear { throw ValidationError("Pass a new title, or --clear to remove it.") }
        }

        mutating func run() async throws {
            try await global.withService(.write) { store in
                let session = try await store.renameSession(userID: global.userID, id: id, title: clear ? nil : title)
                if global.json { return try Output.json(session) }
                Output.line("renamed session \(session.id)" + (session.title.map { " to \"\($0)\"" } ?? " (no title)"))
            }
        }
    }

    /// `engram session delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a session with its messages, working facts and state; its memories stay.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The session id.")
        var id: String

        mutating func run() async throws {
            try await global.withService(.write) { store in
                try await store.deleteSession(userID: global.userID, id: id)
                if global.json { return try Output.json(["deleted": id]) }
                Output.line("deleted session \(id)")
            }
        }
    }
}
