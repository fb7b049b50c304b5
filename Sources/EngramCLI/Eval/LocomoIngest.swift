import ArgumentParser
import EngramCore
import Foundation

/// How `engram eval locomo` writes a conversation into Engram.
enum LocomoIngestMode: String, Sendable, Codable, CaseIterable, ExpressibleByArgument {
    /// Each turn is appended as a message and remembered as one memory (`rememberAll`, a batch per session) whose
    /// source is that message.
    case turns
    /// Each turn is observed (`observe`): Engram forms the memories, facts, entities and links itself.
    case observe
}

/// What ingesting one conversation wrote: the turn each message is, and counts.
struct IngestedConversation: Sendable {
    var sampleID: String
    var userID: String
    /// Message id → the turn's `dia_id`: how recall results map back to turns.
    var turnOfMessage: [String: String] = [:]
    var sessions = 0
    var turns = 0
    /// Counts that `observe` reports per turn (zero with `turns`).
    var factsExtracted = 0
    var entityIDs: Set<String> = []
    var linksWritten = 0
    var deferredExtractions = 0
    /// What consolidation did after each session (observe only).
    var consolidation = ConsolidationReport()
}

/// Writes LoCoMo conversations through ``MemoryService``, one user per conversation, one session per LoCoMo session.
struct LocomoIngestor: Sendable {
    let service: MemoryService
    let mode: LocomoIngestMode
    /// The service's clock when observing: set to each turn's time, so that facts expire and sessions finish in the
    /// conversation's time.
    let replay: ManualClock?

    /// Seconds between consecutive turns of a session when observed: LoCoMo dates sessions, not turns.
    static let turnSpacing: TimeInterval = 30

    /// Creates `userID` for `conversation` and writes every session's turns.
    func ingest(_ conversation: LocomoConversation, userID: String) async throws -> IngestedConversation {
        if let replay,
            let first = conversation.sessions.lazy.compactMap({ $0.dateTime.flatMap(LocomoDate.parse) }).first
        {
            replay.set(first)
        }
        _ = try await service.createUser(
            UserDraft(
                id: userID, name: "\(conversation.speakerA) & \(conversation.speakerB)",
                info: .object(["locomo_sample_id": .string(conversation.sampleID)])))
        var ingested = IngestedConversation(sampleID: conversation.sampleID, userID: userID)
        for session in conversation.sessions {
            if let replay, let start = session.dateTime.flatMap(LocomoDate.parse) { replay.set(start) }
            var metadata: [String: JSONValue] = ["locomo_session": .number(Double(session.number))]
            if let dateTime = session.dateTime { metadata["session_date_time"] = .string(dateTime) }
            let created = try await service.createSession(
                SessionDraft(userID: userID, title: "session_\(session.number)", metadata: .object(metadata)))
            switch mode {
            case .turns: try await remember(session, sessionID: created.id, into: &ingested)
            case .observe: try await observe(session, sessionID: created.id, into: &ingested)
            }
            ingested.sessions += 1
            ingested.turns += session.turns.count
        }
        return ingested
    }

    /// `turns`: appends each turn as a message, then remembers the session's turns in one batch, each memory
    /// `speaker: text [image: caption]` with its message as source and the turn's ids in its metadata.
    private func remember(
        _ session: LocomoSession, sessionID: String, into ingested: inout IngestedConversation
    ) async throws {
        var drafts: [MemoryDraft] = []
        let start = session.dateTime.flatMap(LocomoDate.parse)
        for (index, turn) in session.turns.enumerated() {
            let metadata = Self.metadata(of: turn, in: session)
            let message = try await service.appendMessage(
                MessageDraft(
                    userID: ingested.userID, sessionID: sessionID, role: .user, content: turn.document,
                    metadata: metadata, createdAt: start?.addingTimeInterval(Double(index) * Self.turnSpacing)))
            ingested.turnOfMessage[message.id] = turn.diaID
            drafts.append(
                MemoryDraft(
                    userID: ingested.userID, content: turn.document, sessionID: sessionID, sector: .episodic,
                    metadata: metadata, sourceMessageIDs: [message.id]))
        }
        guard !drafts.isEmpty else { return }
        _ = try await service.rememberAll(drafts)
    }

    /// `observe`: observes each turn as said by its speaker, at the session's date-time plus ``turnSpacing`` per
    /// turn (the clock's time when the session has no date the parser reads).
    private func observe(
        _ session: LocomoSession, sessionID: String, into ingested: inout IngestedConversation
    ) async throws {
        let start = session.dateTime.flatMap(LocomoDate.parse)
        for (index, turn) in session.turns.enumerated() {
            if let replay { replay.set(start?.addingTimeInterval(Double(index) * Self.turnSpacing) ?? replay.now()) }
            let observation = try await service.observe(
                ObservationDraft(
                    userID: ingested.userID, sessionID: sessionID, role: .user, speaker: turn.speaker,
                    content: turn.text, createdAt: start?.addingTimeInterval(Double(index) * Self.turnSpacing),
                    imageCaption: turn.imageCaption, metadata: Self.metadata(of: turn, in: session)))
            ingested.turnOfMessage[observation.message.id] = turn.diaID
            ingested.factsExtracted += observation.facts.count
            ingested.entityIDs.formUnion(observation.entities.map(\.id))
            ingested.linksWritten += observation.links.count
            if observation.extraction == .deferred { ingested.deferredExtractions += 1 }
        }
        // The session is over: once it has been idle long enough, consolidation summarises it and promotes facts.
        replay?.advance(by: service.configuration.formation.sessionIdleTime + Self.turnSpacing)
        let report = try await service.consolidate(userID: ingested.userID)
        ingested.consolidation.extractedTurns += report.extractedTurns
        ingested.consolidation.promotedFacts += report.promotedFacts
        ingested.consolidation.supersededMemories += report.supersededMemories
        ingested.consolidation.episodes += report.episodes
    }

    /// `{"dia_id", "speaker", "session_date_time"}` of a turn.
    static func metadata(of turn: LocomoTurn, in session: LocomoSession) -> JSONValue {
        var fields: [String: JSONValue] = ["dia_id": .string(turn.diaID), "speaker": .string(turn.speaker)]
        if let dateTime = session.dateTime { fields["session_date_time"] = .string(dateTime) }
        return .object(fields)
    }
}

/// LoCoMo's session date-times, such as "1:56 pm on 8 May, 2023", read as UTC.
enum LocomoDate {
    private static let months = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december",
    ]

    /// The date of `text`, or `nil` when it is not `h:mm am|pm on d Month, yyyy`.
    static func parse(_ text: String) -> Date? {
        let words = text.lowercased().replacingOccurrences(of: ",", with: " ").split(separator: " ")
        guard words.count == 6, words[2] == "on", words[1] == "am" || words[1] == "pm" else { return nil }
        let clock = words[0].split(separator: ":")
        guard clock.count == 2, let hour = Int(clock[0]), let minute = Int(clock[1]), (1...12).contains(hour),
            (0..<60).contains(minute), let day = Int(words[3]), let month = months.firstIndex(of: String(words[4])),
            let year = Int(words[5])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let components = DateComponents(
            year: year, month: month + 1, day: day, hour: hour % 12 + (words[1] == "pm" ? 12 : 0), minute: minute)
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day
        else { return nil }
        return date
    }
}
