import Foundation

/// A closed set of string values stored in the database and accepted at every entry point.
public protocol EngramEnum: RawRepresentable, CaseIterable, Sendable, Hashable, Codable
where RawValue == String {
    /// The name of the field the values belong to, used in error messages.
    static var fieldName: String { get }
}

extension EngramEnum {
    /// Parses `raw`, throwing `invalid_enum_value` with the allowed values when it is not one of them.
    public static func parse(_ raw: String) throws -> Self {
        let normalized = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if let value = Self(rawValue: normalized) { return value }
        let allowed = allCases.map(\.rawValue).joined(separator: ", ")
        throw EngramError(.invalidEnumValue, "\(fieldName) must be one of: \(allowed).")
    }
}

/// The role of a user account.
public enum UserRole: String, EngramEnum {
    case user, admin, student, teacher, service
    public static let fieldName = "role"
}

/// Who wrote a message.
public enum MessageRole: String, EngramEnum {
    case user, assistant, system, tool
    public static let fieldName = "message role"
}

/// The five memory sectors; each decays at its own rate.
public enum Sector: String, EngramEnum {
    /// Events that happened at a time and place: fades fastest.
    case episodic
    /// Facts and knowledge: fades slowest.
    case semantic
    /// How to do things.
    case procedural
    /// Feelings attached to events.
    case emotional
    /// Insights the agent drew about itself or the user.
    case reflective
    public static let fieldName = "sector"
}

/// What kind of context a memory came from.
public enum ContextType: String, EngramEnum {
    case searchResult = "search_result"
    case userSelection = "user_selection"
    case toolOutput = "tool_output"
    case domainEntity = "domain_entity"
    case completedAction = "completed_action"
    case conversationFact = "conversation_fact"
    case temporaryState = "temporary_state"
    public static let fieldName = "context type"
}

/// The kind of a link: four automatic waypoint kinds and five explicit relationships.
public enum LinkType: String, EngramEnum {
    case semantic, temporal, causal, analogical
    case ledTo = "led_to"
    case relatesTo = "relates_to"
    case dependsOn = "depends_on"
    case produces
    case belongsTo = "belongs_to"
    /// From a closed memory to the one that replaced it (a contradiction).
    case supersededBy = "superseded_by"
    public static let fieldName = "link type"

    /// Whether this is one of the automatic waypoint kinds.
    public var isWaypoint: Bool {
        switch self {
        case .semantic, .temporal, .causal, .analogical: true
        default: false
        }
    }
}

/// Who created a link.
public enum LinkOrigin: String, EngramEnum {
    case auto, explicit
    public static let fieldName = "link origin"
}

/// The kind of a working (L2) fact.
public enum FactType: String, EngramEnum {
    /// `fact` is a personal fact, `goal` a plan or goal, `instruction` an instruction or procedure.
    case fact, preference, entity, event, goal, instruction, relationship, opinion, other
    public static let fieldName = "fact type"
}

/// How to forget a memory.
public enum ForgetMode: String, EngramEnum {
    /// Close the validity interval (`valid_to = now`); the row stays for history.
    case soft
    /// Erase the memory, its embeddings, links and emotions.
    case hard
    public static let fieldName = "forget mode"
}
