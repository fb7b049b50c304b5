import EngramCore

// The `structuredContent` of each tool: Engram's own records, wrapped in an object.

/// What `remember` did, and the memory.
struct RememberReport: Encodable {
    var action: RememberAction
    var memory: Memory
}

/// The ranked results of `recall`.
struct RecallReport: Encodable {
    var results: [RankedResult]
}

/// The memory `forget` forgot, and how.
struct ForgetReport: Encodable {
    var id: String
    var mode: ForgetMode
}

/// The turn `observe` recorded, and whether the call created its session.
struct ObserveReport: Encodable {
    var message: Message
    var sessionCreated: Bool
    /// The turn as a recallable memory.
    var memoryID: String
    /// Working facts extracted from the turn (or reinforced by it).
    var facts: [WorkingFact]
    /// Names of the entities the turn mentions.
    var entities: [String]
}

/// The active context of a session, oldest turn first.
struct ContextReport: Encodable {
    var sessionID: String
    var messages: [Message]
}

/// Working facts, newest first.
struct FactsReport: Encodable {
    var facts: [WorkingFact]
}

/// The working fact `add_fact` added.
struct FactReport: Encodable {
    var fact: WorkingFact
}

/// The link `link` made or updated.
struct LinkReport: Encodable {
    var link: Link
}

/// The memories linked to one memory.
struct NeighboursReport: Encodable {
    /// One memory reached, the link that reached it, and how many hops away it is.
    struct Entry: Encodable {
        var depth: Int
        var link: Link
        var memory: Memory
    }

    var memoryID: String
    var neighbours: [Entry]

    init(memoryID: String, _ neighbours: [Neighbour]) {
        self.memoryID = memoryID
        self.neighbours = neighbours.map { Entry(depth: $0.depth, link: $0.link, memory: $0.memory) }
    }
}
