import ArgumentParser
import EngramCore
import Foundation

/// `engram observe TEXT`: one turn of a conversation, formed into memory.
struct ObserveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observe",
        abstract: "Observe a turn: append it, make it recallable, extract facts, entities and emotion, link it.",
        discussion: """
            Prints what the turn formed and the active context. Turns of a session must come in order; give a \
            replayed turn its time with --at.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The turn's text.")
    var text: String

    @Option(help: "The session id.")
    var session: String

    @Option(help: "user, assistant, system or tool.")
    var role = MessageRole.user.rawValue

    @Option(help: "Who said it; first-person pronouns resolve to this name (default: the user's name).")
    var speaker: String?

    @Option(help: "The agent (persona) the turn belongs to.")
    var agent: String?

    @Option(help: "When it was said, ISO 8601 (default: now).")
    var at: String?

    @Option(name: .customLong("image-caption"), help: "A caption of an image shared with the turn.")
    var imageCaption: String?

    @Option(help: "shared (every agent of the user) or private (only --agent).")
    var visibility = Visibility.shared.rawValue

    @Option(help: "Metadata as a JSON object.")
    var metadata: String?

    @Flag(name: .customLong("create-session"), help: "Create the session first when it does not exist.")
    var createSession = false

    mutating func run() async throws {
        let draft = ObservationDraft(
            userID: global.userID, sessionID: session, agentID: agent, role: try MessageRole.parse(role),
            speaker: speaker, content: text, createdAt: try at.map(ArgumentValues.date),
            imageCaption: imageCaption,
            metadata: try ArgumentValues.json(metadata, field: "--metadata") ?? .emptyObject,
            visibility: try Visibility.parse(visibility))
        try await global.withService(.write) { store in
            if createSession {
                try await SessionCreateCommand.ensureSession(store: store, userID: global.userID, id: session)
            }
            let observation = try await store.observe(draft)
            if global.json {
                try Output.json(observation)
                return
            }
            Output.line(
                "turn #\(observation.message.sequence) \(observation.message.id) → memory \(observation.memory.id) (\(observation.memory.sector.rawValue))"
            )
            for fact in observation.facts {
                let parts = fact.parts.map { " [\($0.subject) · \($0.predicate) · \($0.value)]" } ?? ""
                Output.line(
                    "fact \(fact.factType.rawValue) \(String(format: "%.2f", fact.confidence)): \(fact.content)\(parts)"
                )
            }
            for entity in observation.entities {
                Output.line("entity \(entity.entity?.type ?? "other"): \(entity.content)")
            }
            for link in observation.links { Output.line("link \(link.type.rawValue) → \(link.targetID)") }
            if let emotion = observation.emotion {
                Output.line(
                    "emotion \(emotion.primaryEmotion ?? "none") valence \(String(format: "%.2f", emotion.valence))")
            }
            if observation.extraction == .deferred { Output.line("extraction deferred to the next consolidation") }
            Output.line("context: \(observation.context.count) turns")
        }
    }
}
