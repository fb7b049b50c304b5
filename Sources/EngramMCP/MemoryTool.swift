import EngramCore
import MCP

/// The tools Engram serves over MCP, each over one ``MemoryService`` operation of the server's user.
///
/// The user is fixed when the server is made and is never an argument: a tool cannot name, read or write another
/// user's memory.
enum MemoryTool: String, CaseIterable, Sendable {
    case remember, recall, forget, observe, context, facts
    case addFact = "add_fact"
    case link, neighbours, stats

    /// The tool as `tools/list` describes it, with limits and defaults taken from `configuration`.
    func definition(_ configuration: EngramConfiguration) -> Tool {
        Tool(
            name: rawValue, title: title, description: purpose(configuration),
            inputSchema: inputSchema(configuration), annotations: annotations)
    }

    /// A short display name.
    var title: String {
        switch self {
        case .remember: "Remember"
        case .recall: "Recall"
        case .forget: "Forget"
        case .observe: "Record a conversation turn"
        case .context: "Active conversation context"
        case .facts: "List working facts"
        case .addFact: "Add a working fact"
        case .link: "Link two memories"
        case .neighbours: "Linked memories"
        case .stats: "Memory statistics"
        }
    }

    /// Hints for clients: which tools only read, which erase.
    var annotations: Tool.Annotations {
        switch self {
        case .context, .facts, .neighbours, .stats:
            Tool.Annotations(title: title, readOnlyHint: true, openWorldHint: false)
        case .forget:
            Tool.Annotations(title: title, readOnlyHint: false, destructiveHint: true, openWorldHint: false)
        case .link:
            Tool.Annotations(
                title: title, readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false)
        case .remember, .recall, .observe, .addFact:
            Tool.Annotations(title: title, readOnlyHint: false, destructiveHint: false, openWorldHint: false)
        }
    }

    /// What the tool is for and when to use it, for the model.
    func purpose(_ configuration: EngramConfiguration) -> String {
        let weights = configuration.recall.weights
        let window = configuration.contextWindow
        switch self {
        case .remember:
            return """
                Store a long-term memory about the user: a fact, preference, event, procedure or insight worth \
                keeping beyond this conversation. Write one self-contained statement per call ("The user is \
                vegetarian", not "they said yes"). Storing the same text again reinforces the existing memory \
                instead of duplicating it; naming the same entity again merges its data into one memory. Returns \
                the memory's id, for forget, link and neighbours.
                """
        case .recall:
            return """
                Search the user's long-term memory. Use it before answering anything that may depend on what you \
                learned earlier: preferences, facts about the user, past events, how a task was done. Returns the \
                best matches, ranked by score = \(weights.similarity)·similarity + \(weights.salience)·salience + \
                \(weights.recency)·recency + \(weights.link)·link weight (each 0…1), with their ids. A recall \
                counts as an access and strengthens the memories returned, unless reinforce is false.
                """
        case .forget:
            return """
                Forget one memory by id (from recall or remember) when it is wrong, outdated, or the user asks you \
                to forget it. soft (the default) keeps it for history but out of recall; hard erases it.
                """
        case .observe:
            return """
                Record one conversation turn. It is recallable at once, and facts, entities and emotion are \
                extracted from it and consolidated into long-term memory later. Pass session to add to a \
                conversation: a session that does not exist yet is created with that id. Without session, a new \
                session is created and its id returned: pass it on later calls. Use context to read the turns back; \
                use remember for what should outlast the conversation in your own words.
                """
        case .context:
            return """
                The active context of a session: its latest turns, oldest first (by default the last \
                \(window.turns) turns of the last \(Self.hours(window.ttl)) hours). Use it to recover what was said \
                in a conversation recorded with observe.
                """
        case .facts:
            return """
                List the user's working facts: short-lived notes for the task at hand, each with a type, a \
                confidence and an expiry. Newest first; expired facts are left out unless include_expired is true.
                """
        case .addFact:
            return """
                Note a working fact: something true for the task or session at hand that should expire on its own \
                (by default after \(Self.hours(configuration.workingFactTTL)) hours). For knowledge that should \
                last, use remember instead.
                """
        case .link:
            return """
                Connect two memories (ids from remember or recall) with a typed, weighted relation. Recall follows \
                links: a strongly linked memory is found with its neighbour. Linking the same pair with the same \
                type again updates the weight.
                """
        case .neighbours:
            return """
                The memories linked to one memory, following links in both directions up to depth hops, each with \
                the link that reached it.
                """
        case .stats:
            return """
                Counts of the user's memory: memories by sector and context type, links, sessions, messages, \
                working facts, average salience and strength. Takes no arguments.
                """
        }
    }

    /// Hours in `seconds`, as a whole number when it is one.
    static func hours(_ seconds: Double) -> String {
        let hours = seconds / 3600
        return hours == hours.rounded() ? String(Int(hours)) : String(hours)
    }
}
