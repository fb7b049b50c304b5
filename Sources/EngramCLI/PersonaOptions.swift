import ArgumentParser
import EngramCore

/// The persona options of `engram agent create` and `engram agent update`.
struct PersonaOptions: ParsableArguments {
    @Option(help: "The persona's prompt template (with update, an empty value clears it, as for each option here).")
    var template: String?

    @Option(help: "How the persona runs, such as reactive or autonomous (at most 50 bytes).")
    var mode: String?

    @Option(help: "How often an autonomous persona runs its loop, such as 5m (at most 50 bytes).")
    var loopFrequency: String?

    @Option(help: "The message the persona opens a conversation with.")
    var firstMessage: String?

    @Option(help: "A path or URL of the persona's picture (at most 500 bytes).")
    var imagePath: String?

    /// The fields as given.
    var fields: PersonaFields {
        PersonaFields(
            template: template, mode: mode, loopFrequency: loopFrequency, firstMessage: firstMessage,
            imagePath: imagePath)
    }
}
