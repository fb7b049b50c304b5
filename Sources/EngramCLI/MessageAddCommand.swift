import ArgumentParser
import EngramCore
import Foundation

/// `engram message add TEXT`: appends a message to a session.
struct MessageAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Append a message to a session (create it with `session create`, or pass --create-session).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The message text.")
    var text: String

    @Option(help: "The session id.")
    var session: String

    @Option(help: "user, assistant, system or tool.")
    var role = MessageRole.user.rawValue

    @Option(help: "The model's reasoning for this turn.")
    var thinking: String?

    @Option(name: .customLong("input-tokens"), help: "Tokens the model read for this turn.")
    var inputTokens: Int?

    @Option(name: .customLong("output-tokens"), help: "Tokens the model wrote for this turn.")
    var outputTokens: Int?

    @Option(help: "Metadata as a JSON object.")
    var metadata: String?

    @Option(
        name: .customLong("at"),
        help: "When the turn happened (ISO-8601; replaying a conversation), not before the session's last message.",
        transform: ArgumentValues.date)
    var createdAt: Date?

    @Flag(name: .customLong("create-session"), help: "Create the session first when it does not exist.")
    var createSession = false

    mutating func run() async throws {
        let draft = MessageDraft(
            userID: global.userID, sessionID: session, role: try MessageRole.parse(role), content: text,
            thinking: thinking, metadata: try ArgumentValues.json(metadata, field: "--metadata") ?? .emptyObject,
            inputTokens: inputTokens, outputTokens: outputTokens, createdAt: createdAt)
        try await global.withService(.write) { store in
            if createSession {
                try await SessionCreateCommand.ensureSession(store: store, userID: global.userID, id: session)
            }
            let message = try await store.appendMessage(draft)
            if global.json {
                try Output.json(message)
            } else {
                Output.line("appended #\(message.sequence) \(message.id)")
            }
        }
    }
}
