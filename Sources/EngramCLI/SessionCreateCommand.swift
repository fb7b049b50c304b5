import ArgumentParser
import EngramCore

/// `engram session create`: creates a session of the user.
struct SessionCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a session; prints its id.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The session id (default: a new UUID).")
    var id: String?

    @Option(help: "The session's title.")
    var title: String?

    @Option(help: "The agent the session is with.")
    var agent: String?

    mutating func run() async throws {
        try await global.withService(.write) { store in
            let session = try await store.createSession(
                SessionDraft(userID: global.userID, id: id, agentID: agent, title: title))
            if global.json {
                try Output.json(session)
            } else {
                Output.line("created session \(session.id)")
            }
        }
    }

    /// Returns the session `id` of `userID`, creating it when it does not exist.
    @discardableResult
    static func ensureSession(
        store: MemoryService, userID: String, id: String, title: String? = nil
    ) async throws -> Session {
        do {
            return try await store.session(userID: userID, id: id)
        } catch let error as EngramError where error.code == .sessionNotFound {
            return try await store.createSession(SessionDraft(userID: userID, id: id, title: title))
        }
    }
}
