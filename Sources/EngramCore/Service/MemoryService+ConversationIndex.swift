import Foundation

extension MemoryService {
    /// How many turns on each side of a memory's own turns its search context holds.
    static let contextTurns = 2
    /// The most characters of one neighbouring turn a search context keeps.
    static let contextTurnLength = 1_000

    /// Rewrites the search context of the memories drawn from turns of `sessionID` near `sequences` (turns just
    /// appended, or the sources of memories just written): each memory whose source turns lie within
    /// ``contextTurns`` of each other is indexed with the turns up to ``contextTurns`` before and after them and the
    /// day of its first turn, so that a question in the words of a neighbouring turn, or naming the day, finds it.
    /// Memories drawn from a wider span (an episode) keep their own words only.
    func indexConversation(
        _ tx: any StorageTransaction, userID: String, sessionID: String, around sequences: [Int]
    ) async throws {
        guard let low = sequences.min(), let high = sequences.max() else { return }
        let radius = Self.contextTurns
        let start = max(0, low - 3 * radius - 2)
        let window = try await tx.messages(
            userID: userID, sessionID: sessionID, after: start, limit: high - start + 3 * radius + 2)
        let byID = Dictionary(window.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let near = window.filter { $0.sequence >= low - radius && $0.sequence <= high + radius }.map(\.id)
        var contexts: [String: String] = [:]
        for memory in try await tx.sourcedMemories(userID: userID, sessionID: sessionID, messageIDs: near) {
            let own = memory.sourceMessageIDs.compactMap { byID[$0] }.filter { $0.sessionID == sessionID }
            guard own.count == memory.sourceMessageIDs.count, let first = own.min(by: { $0.sequence < $1.sequence }),
                let last = own.max(by: { $0.sequence < $1.sequence }), last.sequence - first.sequence <= radius
            else { continue }
            let ownIDs = Set(own.map(\.id))
            let neighbours = window.filter {
                !ownIDs.contains($0.id) && $0.sequence >= first.sequence - radius
                    && $0.sequence <= last.sequence + radius
            }
            let context =
                (neighbours.map { String($0.content.prefix(Self.contextTurnLength)) }
                + [Self.dayWords(first.createdAt)]).joined(separator: "\n")
            if context != memory.searchContext { contexts[memory.id] = context }
        }
        try await tx.setSearchContexts(userID: userID, contexts)
    }

    /// The most characters of the turn before a memory's own that its vectors embed.
    static let precedingTurnLength = 1_000

    /// The turn before each memory's own, for memories drawn from one message of a session that has a message
    /// before it: their vectors are made with that turn's words (``turnVector(own:inContext:)``), so that an answer
    /// is found by the question it answers ("What did you paint?" … "A sunset."). `sources` maps a caller's
    /// position to the memory's session and source messages; positions without such a turn are left out. `pending`
    /// messages (an import's, not written yet) count as stored.
    func precedingTurns(
        _ tx: any StorageTransaction, userID: String, sources: [Int: (sessionID: String?, messageIDs: [String])],
        pending: [Message] = []
    ) async throws -> [Int: String] {
        let single = sources.compactMapValues { Self.turn(sessionID: $0.sessionID, messageIDs: $0.messageIDs) }
        guard !single.isEmpty else { return [:] }
        let ids = Set(single.values)
        let unsaved = pending.filter { $0.userID == userID }
        let own = try await tx.messages(userID: userID, ids: ids.sorted()) + unsaved.filter { ids.contains($0.id) }
        var before: [String: String] = [:]
        for (sessionID, messages) in Dictionary(grouping: own, by: \.sessionID).sorted(by: { $0.key < $1.key }) {
            guard let low = messages.map(\.sequence).min(), let high = messages.map(\.sequence).max() else { continue }
            let window =
                try await tx.messages(userID: userID, sessionID: sessionID, after: low - 2, limit: high - low + 1)
                + unsaved.filter { $0.sessionID == sessionID }
            let bySequence = Dictionary(window.map { ($0.sequence, $0) }, uniquingKeysWith: { first, _ in first })
            for message in messages {
                if let previous = bySequence[message.sequence - 1] { before[message.id] = previous.content }
            }
        }
        return single.compactMapValues { before[$0] }
    }

    /// The one message a memory is drawn from, when it is drawn from one message of a session: the memories whose
    /// vectors are made with the turn before their own.
    static func turn(sessionID: String?, messageIDs: [String]) -> String? {
        sessionID != nil && messageIDs.count == 1 ? messageIDs[0] : nil
    }

    /// The text whose vector, beside the content's own, makes a memory's vector (``turnVector(own:inContext:)``): its
    /// content, after the turn before its own (at most
    /// ``precedingTurnLength`` characters of it) when it has one (``precedingTurns(_:userID:sources:pending:)``).
    static func embeddingText(of content: String, after precedingTurn: String?) -> String {
        guard let precedingTurn, !precedingTurn.isEmpty else { return content }
        return "\(precedingTurn.prefix(precedingTurnLength))\n\(content)"
    }

    /// The vector a memory with a preceding turn is stored with: the normalised sum of its own content's vector and
    /// the vector of ``embeddingText(of:after:)``.
    public static func turnVector(own: [Float], inContext: [Float]) -> [Float] {
        guard own.count == inContext.count else { return own }
        var sum = zip(own, inContext).map { $0 + $1 }
        VectorMath.normalize(&sum)
        return sum
    }

    /// Re-indexes the conversations the sources of `memories` belong to.
    func indexConversations(_ tx: any StorageTransaction, userID: String, of memories: [Memory]) async throws {
        let sourceIDs = Set(memories.filter { $0.sessionID != nil }.flatMap(\.sourceMessageIDs))
        guard !sourceIDs.isEmpty else { return }
        let sources = try await tx.messages(userID: userID, ids: sourceIDs.sorted())
        for (sessionID, turns) in Dictionary(grouping: sources, by: \.sessionID).sorted(by: { $0.key < $1.key }) {
            try await indexConversation(tx, userID: userID, sessionID: sessionID, around: turns.map(\.sequence))
        }
    }

    /// "Monday 8 May 2023": the day as the words a question may use.
    static func dayWords(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.weekday, .day, .month, .year], from: date)
        let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        guard let weekday = parts.weekday, let day = parts.day, let month = parts.month, let year = parts.year,
            weekdays.indices.contains(weekday - 1), months.indices.contains(month - 1)
        else { return "" }
        return "\(weekdays[weekday - 1]) \(day) \(months[month - 1]) \(year)"
    }
}
