import Foundation

/// Normalises entity names so that spellings of one name share a key, and gives the aliases ("nyc" for
/// "new york city") that let two names of one entity match.
public enum EntityName {
    /// The normalised form of `name`: Unicode-folded lower case, punctuation dropped (apostrophes vanish, other marks
    /// become spaces), spacing collapsed, a leading "the" dropped. "The  New-York  City!" → "new york city".
    public static func key(_ name: String) -> String {
        let folded =
            name.utf8.allSatisfy { $0 < 128 }
            ? name : name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, scalar.value >= 65, scalar.value <= 90 {
                current.append(Unicode.Scalar(scalar.value + 32) ?? scalar)
            } else if scalar.isASCII
                ? (scalar.value >= 97 && scalar.value <= 122) || (scalar.value >= 48 && scalar.value <= 57)
                : scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            {
                if scalar.isASCII {
                    current.append(scalar)
                } else {
                    current.append(contentsOf: String(scalar).lowercased().unicodeScalars)
                }
            } else if scalar == "'" || scalar == "\u{2019}" || scalar == "." && current.count == 1 {
                continue
            } else if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        if words.count > 1, words[0] == "the" { words.removeFirst() }
        return words.joined(separator: " ")
    }

    /// Other keys the entity with key `key` is known by: the expansion of a known acronym ("nyc" → "new york city"),
    /// the acronym of a known expansion, and the initials of a name of two or more words ("new york city" → "nyc").
    public static func aliases(forKey key: String) -> [String] {
        var result: [String] = []
        func add(_ alias: String) {
            if alias != key, !alias.isEmpty, !result.contains(alias) { result.append(alias) }
        }
        for expansion in acronyms[key] ?? [] { add(expansion) }
        for acronym in expansions[key] ?? [] { add(acronym) }
        let words = key.split(separator: " ").filter { !acronymFillers.contains(String($0)) }
        if words.count >= 2, !words.contains(where: { $0.first?.isNumber == true }) {
            add(String(words.compactMap(\.first)))
        }
        return result
    }

    /// An entity named `name`, with its key and aliases.
    public static func entity(_ name: String, kind: EntityKind, date: Date? = nil) -> ExtractedEntity {
        let key = key(name)
        return ExtractedEntity(name: name, kind: kind, key: key, aliases: aliases(forKey: key), date: date)
    }

    /// Whether `a` and `b` name the same entity: their keys or aliases meet, and their kinds agree (`other` agrees
    /// with anything but a date).
    public static func sameEntity(_ a: ExtractedEntity, _ b: ExtractedEntity) -> Bool {
        guard kindsAgree(a.kind, b.kind) else { return false }
        return a.key == b.key || a.aliases.contains(b.key) || b.aliases.contains(a.key)
    }

    private static func kindsAgree(_ a: EntityKind, _ b: EntityKind) -> Bool {
        if a == b { return true }
        if a == .date || b == .date { return false }
        return a == .other || b == .other || (a == .place && b == .organisation) || (a == .organisation && b == .place)
    }

    /// Words left out of initials: "united states of america" → "usa".
    static let acronymFillers: Set<String> = ["of", "and", "the", "for", "de", "la", "&"]

    /// Well-known acronyms (keys) and the keys of their expansions.
    static let acronyms: [String: [String]] = [
        "nyc": ["new york city", "new york"], "ny": ["new york"], "la": ["los angeles"], "sf": ["san francisco"],
        "dc": ["washington dc", "washington"], "uk": ["united kingdom", "great britain", "britain"],
        "us": ["united states", "united states of america", "america"],
        "usa": ["united states of america", "united states", "america"], "uae": ["united arab emirates"],
        "eu": ["european union"], "un": ["united nations"], "nasa": ["national aeronautics and space administration"],
        "nyu": ["new york university"], "ucla": ["university of california los angeles"],
        "mit": ["massachusetts institute of technology"], "fbi": ["federal bureau of investigation"],
        "cia": ["central intelligence agency"], "nhs": ["national health service"],
        "bbc": ["british broadcasting corporation"], "ibm": ["international business machines"],
        "nba": ["national basketball association"], "nfl": ["national football league"],
        "who": ["world health organization"], "lgbtq": ["lgbt", "lgbtq+"], "nz": ["new zealand"],
        "philly": ["philadelphia"], "vegas": ["las vegas"],
    ]

    /// The inverse of `acronyms`: an expansion's key → its acronyms.
    static let expansions: [String: [String]] = {
        var result: [String: [String]] = [:]
        for (acronym, names) in acronyms {
            for name in names { result[name, default: []].append(acronym) }
        }
        return result.mapValues { $0.sorted() }
    }()
}
