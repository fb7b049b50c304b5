/// The parts of a fact: who or what it is about, the relation, and the value ("Caroline", "lives_in", "Boston").
public struct FactParts: Sendable, Hashable, Codable {
    public var subject: String
    public var predicate: String
    public var value: String

    public init(subject: String, predicate: String, value: String) {
        self.subject = subject
        self.predicate = predicate
        self.value = value
    }

    /// Subject and predicate folded for comparison: two facts with the same key and different values contradict.
    public var key: String { "\(Self.fold(subject))\u{1F}\(Self.fold(predicate))" }

    /// Whether `other` states the same value (ignoring case and spacing).
    public func sameValue(as other: FactParts) -> Bool { Self.fold(value) == Self.fold(other.value) }

    /// Lower case with runs of white space collapsed.
    static func fold(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
