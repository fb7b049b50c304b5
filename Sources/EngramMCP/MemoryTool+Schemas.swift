import EngramCore
import MCP

extension MemoryTool {
    /// The defaults of the drafts and queries the tools build: the schemas show them, the calls use them.
    enum Defaults {
        static let memory = MemoryDraft(userID: "", content: "")
        static let recall = RecallQuery(userID: "", text: "")
        static let link = LinkDraft(userID: "", sourceID: "", targetID: "")
        static let fact = WorkingFactDraft(userID: "", content: "")
        static let forget = ForgetMode.soft
        static let role = MessageRole.user
        static let depth = 1
        static let depths = 1...5
        static let turns = 1...10_000
    }

    /// The JSON Schema of the tool's arguments. No tool takes a user: the server acts for one user only.
    func inputSchema(_ configuration: EngramConfiguration) -> Value {
        typealias S = JSONSchema
        let session = "The session (conversation) id, as returned by observe or chosen by you."
        switch self {
        case .remember:
            return S.object(
                [
                    "content": S.string("What to remember: one self-contained statement, in plain text."),
                    "sector": S.enumeration(
                        Sector.self, "The kind of memory: \(Sector.guidance(configuration.decay)).",
                        default: Defaults.memory.sector),
                    "context_type": S.enumeration(
                        ContextType.self, "Where it came from: \(ContextType.guidance).",
                        default: Defaults.memory.contextType),
                    "salience": S.number(
                        "How much it stands out (0 = barely, 1 = very); weighs in recall.", in: 0...1,
                        default: Defaults.memory.salience),
                    "importance": S.number(
                        "How much it matters to the user (0…1).", in: 0...1, default: Defaults.memory.importance),
                    "tags": S.strings("Short labels to filter recall by, such as \"diet\" or \"work\"."),
                    "category": S.string("A free category name."),
                    "session": S.string("The session it came from (must exist). \(session)"),
                    "entity_system": S.string(
                        "With entity_id: the external system of the entity this memory describes, such as \"crm\"."),
                    "entity_id": S.string("With entity_system: the entity's id in that system."),
                    "entity_type": S.string("The entity's type, such as \"Account\"."),
                    "entity_data": S.anyObject("The entity's data; merged into what is stored when remembered again."),
                ], required: ["content"])
        case .recall:
            return S.object(
                [
                    "query": S.string("What to look for, in natural language."),
                    "k": S.integer(
                        "How many memories to return at most.", in: 1...configuration.recall.maxK,
                        default: Defaults.recall.k),
                    "sectors": S.enumerations(Sector.self, "Only these sectors (any when absent)."),
                    "context_types": S.enumerations(ContextType.self, "Only these context types (any when absent)."),
                    "tags": S.strings("Only memories with every one of these tags."),
                    "session": S.string("Only memories of this session."),
                    "min_score": S.number("Drop results whose score is below this.", in: 0...1),
                    "include_invalid": S.boolean(
                        "Include forgotten and superseded memories.", default: Defaults.recall.filters.includeInvalid),
                    "reinforce": S.boolean(
                        "Count this recall as an access (strengthens the memories returned); false only looks.",
                        default: Defaults.recall.reinforce),
                ], required: ["query"])
        case .forget:
            return S.object(
                [
                    "id": S.string("The memory id."),
                    "mode": S.enumeration(ForgetMode.self, "How to forget: \(ForgetMode.guidance).", default: .soft),
                ], required: ["id"])
        case .observe:
            return S.object(
                [
                    "content": S.string("The turn's text."),
                    "role": S.enumeration(MessageRole.self, "Who said it.", default: Defaults.role),
                    "speaker": S.string(
                        "Who said it, by name; \"I\" and \"my\" in the turn resolve to it (default: the user's name)."),
                    "session": S.string("\(session) Created when it does not exist; a new session when absent."),
                    "title": S.string("A title for the session, used only when this call creates it."),
                ], required: ["content"])
        case .context:
            let window = configuration.contextWindow
            return S.object(
                [
                    "session": S.string(session),
                    "turns": S.integer(
                        "How many of the latest turns at most.", in: Defaults.turns, default: window.turns),
                    "max_age_hours": S.number(
                        "Leave out turns older than this many hours.", in: 0.001...876_000,
                        default: window.ttl / 3600),
                ], required: ["session"])
        case .facts:
            return S.object([
                "session": S.string("Only the facts of this session."),
                "include_expired": S.boolean("Include facts past their expiry.", default: false),
            ])
        case .addFact:
            return S.object(
                [
                    "content": S.string("The fact, as one self-contained statement."),
                    "type": S.enumeration(FactType.self, "What kind of fact it is.", default: Defaults.fact.factType),
                    "confidence": S.number(
                        "How sure you are that it is true (0…1).", in: 0...1, default: Defaults.fact.confidence),
                    "session": S.string("The session it belongs to (must exist)."),
                    "ttl_hours": S.number(
                        "Hours until it expires.", in: 0.001...876_000,
                        default: configuration.workingFactTTL / 3600),
                    "source_message_ids": S.strings("Ids of the turns (from observe) it was drawn from."),
                ], required: ["content"])
        case .link:
            return S.object(
                [
                    "source_id": S.string("The memory the link starts from."),
                    "target_id": S.string("The memory it points to (another memory)."),
                    "type": S.enumeration(
                        LinkType.self, "What the link says: \(LinkType.guidance).", default: Defaults.link.type),
                    "weight": S.number(
                        "How strong the relation is (0…1).", in: 0...1, default: Defaults.link.weight),
                ], required: ["source_id", "target_id"])
        case .neighbours:
            return S.object(
                [
                    "id": S.string("The memory to start from."),
                    "depth": S.integer("How many links away to go.", in: Defaults.depths, default: Defaults.depth),
                    "types": S.enumerations(LinkType.self, "Follow only links of these types (all when absent)."),
                ], required: ["id"])
        case .stats:
            return S.object([:])
        }
    }
}
