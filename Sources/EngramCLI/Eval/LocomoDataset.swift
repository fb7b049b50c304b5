import EngramCore
import Foundation

/// One turn of a LoCoMo conversation.
struct LocomoTurn: Sendable, Hashable, Decodable {
    var speaker: String
    /// The turn's id within its conversation, `D<session>:<index>`.
    var diaID: String
    var text: String
    /// A caption of the image shared with the turn, if any.
    var blipCaption: String?

    enum CodingKeys: String, CodingKey {
        case speaker, text
        case diaID = "dia_id"
        case blipCaption = "blip_caption"
    }

    /// The turn as the baseline indexes it: `speaker: text`, plus ` [image: caption]` when it has a caption.
    var document: String {
        var document = "\(speaker): \(text)"
        if let caption = imageCaption { document += " [image: \(caption)]" }
        return document
    }

    /// The caption when it is not empty (the baseline tests it for truth).
    var imageCaption: String? {
        blipCaption.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// One session of a conversation: its turns and the date-time it happened, as the dataset writes it.
struct LocomoSession: Sendable, Hashable {
    /// `N` of `session_N`.
    var number: Int
    /// Such as "1:56 pm on 8 May, 2023"; `nil` when the dataset has no `session_N_date_time`.
    var dateTime: String?
    var turns: [LocomoTurn]
}

/// One question about a conversation.
struct LocomoQuestion: Sendable, Hashable, Decodable {
    var question: String
    /// Ids of the turns that answer it, as written (possibly malformed; see ``LocomoEvidence``).
    var evidence: [String]
    /// 1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop, 5 adversarial.
    var category: Int

    enum CodingKeys: String, CodingKey {
        case question, evidence, category
    }

    init(question: String, evidence: [String], category: Int) {
        self.question = question
        self.evidence = evidence
        self.category = category
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        question = try container.decode(String.self, forKey: .question)
        evidence = try container.decodeIfPresent([String].self, forKey: .evidence) ?? []
        category = try container.decode(Int.self, forKey: .category)
    }
}

/// One sample of a LoCoMo file: a two-person conversation over many sessions and the questions about it.
struct LocomoConversation: Sendable, Hashable, Decodable {
    var sampleID: String
    var speakerA: String
    var speakerB: String
    /// Sessions in the order of their number.
    var sessions: [LocomoSession]
    var questions: [LocomoQuestion]
    /// The file's own observations (facts its authors drew from turns), when it has them.
    var observations: [LocomoObservation] = []

    /// Every turn, session by session.
    var turns: [LocomoTurn] { sessions.flatMap(\.turns) }

    init(sampleID: String, speakerA: String, speakerB: String, sessions: [LocomoSession], questions: [LocomoQuestion]) {
        self.sampleID = sampleID
        self.speakerA = speakerA
        self.speakerB = speakerB
        self.sessions = sessions
        self.questions = questions
    }

    private enum CodingKeys: String, CodingKey {
        case sampleID = "sample_id"
        case conversation
        case qa
        case observation
    }

    /// The keys of the `conversation` object, which are not fixed: `session_N` and `session_N_date_time`.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sampleID = try container.decode(String.self, forKey: .sampleID)
        questions = try container.decode([LocomoQuestion].self, forKey: .qa)
        let conversation = try container.nestedContainer(keyedBy: AnyKey.self, forKey: .conversation)
        speakerA = try conversation.decode(String.self, forKey: AnyKey(stringValue: "speaker_a"))
        speakerB = try conversation.decode(String.self, forKey: AnyKey(stringValue: "speaker_b"))
        // The session_N keys, not the date keys: some samples have more date keys than sessions.
        let numbers = conversation.allKeys.compactMap { key -> Int? in
            guard key.stringValue.hasPrefix("session_") else { return nil }
            let suffix = key.stringValue.dropFirst("session_".count)
            guard !suffix.isEmpty, suffix.allSatisfy(\.isASCIIDigit) else { return nil }
            return Int(suffix)
        }
        observations = Self.observations(try container.decodeIfPresent(JSONValue.self, forKey: .observation))
        sessions = try numbers.sorted().map { number in
            LocomoSession(
                number: number,
                dateTime: try conversation.decodeIfPresent(
                    String.self, forKey: AnyKey(stringValue: "session_\(number)_date_time")),
                turns: try conversation.decode([LocomoTurn].self, forKey: AnyKey(stringValue: "session_\(number)")))
        }
    }
}

extension LocomoConversation {
    /// `{"session_N_observation": {speaker: [[text, dia_id or [dia_id…]], …]}}`, in session and speaker order;
    /// entries of another shape are left out.
    static func observations(_ value: JSONValue?) -> [LocomoObservation] {
        guard let sessions = value?.objectValue else { return [] }
        return sessions.keys.sorted().flatMap { key in
            (sessions[key]?.objectValue ?? [:]).sorted { $0.key < $1.key }.flatMap { _, entries in
                (entries.arrayValue ?? []).compactMap { entry -> LocomoObservation? in
                    guard let pair = entry.arrayValue, pair.count >= 2, let text = pair[0].stringValue else {
                        return nil
                    }
                    let ids = pair[1].stringValue.map { [$0] } ?? (pair[1].arrayValue ?? []).compactMap(\.stringValue)
                    return ids.isEmpty ? nil : LocomoObservation(text: text, diaIDs: ids)
                }
            }
        }
    }
}

/// A LoCoMo file: a JSON list of samples.
enum LocomoDataset {
    /// The conversations of the file at `path`.
    static func load(path: String) throws -> [LocomoConversation] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngramError(.invalidArgument, "Cannot read the LoCoMo file; check the path and its permissions.")
        }
        do {
            return try JSONDecoder().decode([LocomoConversation].self, from: data)
        } catch {
            throw EngramError(
                .invalidArgument,
                "The LoCoMo file is not a list of samples {sample_id, conversation, qa} as in locomo10.json.")
        }
    }

    /// The conversations `selectors` name, in file order: each selector a sample id (`conv-26`) or a 1-based
    /// index in the file; all of them when `selectors` is empty.
    static func select(_ conversations: [LocomoConversation], _ selectors: [String]) throws -> [LocomoConversation] {
        guard !selectors.isEmpty else { return conversations }
        var chosen = Set<Int>()
        for selector in selectors {
            if let index = conversations.firstIndex(where: { $0.sampleID == selector }) {
                chosen.insert(index)
            } else if let number = Int(selector), (1...conversations.count).contains(number) {
                chosen.insert(number - 1)
            } else {
                throw EngramError(
                    .invalidArgument,
                    "--conversations: '\(selector)' is neither a sample id of the file nor an index from 1 to \(conversations.count)."
                )
            }
        }
        return chosen.sorted().map { conversations[$0] }
    }
}

extension Character {
    /// Whether this is one of the digits 0–9.
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
