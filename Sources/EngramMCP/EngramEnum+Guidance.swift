import EngramCore
import Foundation

/// An Engram enumeration whose values a model chooses between by what they mean.
///
/// Each `meaning` is an exhaustive switch, so a new case does not compile until it is explained here; the lists of
/// values in schemas come from `allCases`.
protocol ExplainedEnum: EngramEnum {
    /// What this value means, in a few words.
    var meaning: String { get }
}

extension ExplainedEnum {
    /// `value = meaning`.
    var guidance: String { "\(rawValue) = \(meaning)" }

    /// Every value explained, for a schema description.
    static var guidance: String { allCases.map(\.guidance).joined(separator: "; ") }
}

extension Sector: ExplainedEnum {
    var meaning: String {
        switch self {
        case .episodic: "an event at a time and place"
        case .semantic: "a fact about the user or the world"
        case .procedural: "how to do something"
        case .emotional: "a feeling attached to something"
        case .reflective: "an insight drawn about the user or yourself"
        }
    }

    /// Every sector explained, with how fast it fades under `decay`.
    static func guidance(_ decay: DecayPolicy) -> String {
        allCases.map { sector in
            let rate = decay.rate(for: sector)
            let halfLife = rate > 0 ? "half-life ~\(Int((log(2) / rate).rounded())) days" : "does not fade"
            return "\(sector.guidance) (\(halfLife))"
        }.joined(separator: "; ")
    }
}

extension ContextType: ExplainedEnum {
    var meaning: String {
        switch self {
        case .searchResult: "found by a search"
        case .userSelection: "chosen by the user"
        case .toolOutput: "returned by a tool"
        case .domainEntity: "a record of an external system"
        case .completedAction: "something that was done"
        case .conversationFact: "said in the conversation"
        case .temporaryState: "state that soon stops being true"
        }
    }
}

extension LinkType: ExplainedEnum {
    var meaning: String {
        switch self {
        case .semantic: "about the same thing"
        case .temporal: "happened close in time"
        case .causal: "one caused the other"
        case .analogical: "alike in some way"
        case .ledTo: "the source led to the target"
        case .relatesTo: "related, without a more specific kind"
        case .dependsOn: "the source depends on the target"
        case .produces: "the source produces the target"
        case .belongsTo: "the source is part of the target"
        case .supersededBy: "the source was closed and replaced by the target"
        }
    }
}

extension ForgetMode: ExplainedEnum {
    var meaning: String {
        switch self {
        case .soft: "close the memory's validity: it stays for history but is no longer recalled"
        case .hard: "erase the memory with its vectors, links and emotion, beyond recovery"
        }
    }
}
