import ArgumentParser
import EngramCore

/// `engram demo`: a guided tour that writes a short conversation and its memories, then recalls them.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Store a short scripted conversation and its memories, then recall them: a tour of Engram.",
        discussion: "Safe to run again on the same database: memories are reinforced instead of duplicated.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .short, help: "How many results to show per query.")
    var k = 3

    /// One memory the demo wrote and what the store did with it.
    struct Step: Codable {
        var note: String
        var action: RememberAction
        var id: String
        var sector: Sector
        var content: String
    }

    /// The `--json` document of the demo.
    struct Report: Codable {
        var database: String
        /// The embedder's model, and why it was chosen.
        var embedder: String
        var userID: String
        var sessionID: String
        var messages: [Message]
        var remembered: [Step]
        var links: [Link]
        var recalls: [RecallCommand.Report]
        var statistics: UserStatistics
    }

    func validate() throws {
        guard (1...20).contains(k) else { throw ValidationError("-k must be from 1 to 20.") }
    }

    mutating func run() async throws {
        let userID = global.userID
        try await global.withService(.write) { store, embedders in
            _ = try await store.createUser(UserDraft(id: userID, name: "Demo user"))
            let session = try await SessionCreateCommand.ensureSession(
                store: store, userID: userID, id: DemoScript.sessionID, title: "Engram demo")

            var messages: [Message] = []
            for turn in DemoScript.conversation {
                messages.append(
                    try await store.appendMessage(
                        MessageDraft(userID: userID, sessionID: session.id, role: turn.role, content: turn.text)))
            }
            let messageIDs = messages.map(\.id)
            func remember(_ item: DemoScript.Item, note: String) async throws -> Step {
                let outcome = try await store.remember(
                    DemoScript.draft(item, userID: userID, sessionID: session.id, messageIDs: messageIDs))
                return Step(
                    note: note, action: outcome.action, id: outcome.memory.id, sector: outcome.memory.sector,
                    content: outcome.memory.content)
            }

            var steps: [Step] = []
            var ids: [String: String] = [:]
            for item in DemoScript.memories {
                let step = try await remember(item, note: "from the chat")
                steps.append(step)
                ids[item.key] = step.id
            }
            if let first = DemoScript.memories.first {
                steps.append(try await remember(first, note: "same text again"))
            }
            let entity = try await remember(DemoScript.entityFirst, note: "entity demo/pet-miso")
            steps.append(entity)
            ids[DemoScript.entityFirst.key] = entity.id
            steps.append(try await remember(DemoScript.entitySecond, note: "same entity, new data"))

            var links: [Link] = []
            for link in DemoScript.links {
                guard let source = ids[link.source], let target = ids[link.target] else { continue }
                links.append(
                    try await store.link(
                        LinkDraft(userID: userID, sourceID: source, targetID: target, type: link.type, weight: 0.8)))
            }

            var recalls: [RecallCommand.Report] = []
            for query in DemoScript.queries {
                let results = try await store.recall(RecallQuery(userID: userID, text: query, k: k))
                recalls.append(RecallCommand.Report(query: query, results: RankedResult.ranking(results)))
            }
            let statistics = try await store.statistics(userID: userID)

            let report = Report(
                database: global.databaseDescription(),
                embedder: "\(embedders.configured.model) (\(embedders.reason))", userID: userID,
                sessionID: session.id, messages: messages,
                remembered: steps, links: links, recalls: recalls, statistics: statistics)
            if global.json {
                try Output.json(report)
            } else {
                print(report, memoryIDs: ids)
            }
        }
    }

    private func print(_ report: Report, memoryIDs ids: [String: String]) {
        let keyByID = Dictionary(ids.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        Output.line("Engram demo")
        Output.line("===========")
        Output.line(
            "Engram gives an agent a memory. This tour plays a short chat, stores what matters, then asks for it back.")
        Output.printFields(
            [
                ("database", report.database), ("embedder", report.embedder), ("user", report.userID),
                ("session", report.sessionID),
            ], indent: "  ")

        Output.line()
        Output.line("1. The conversation is kept turn by turn (layer L1: messages)")
        Output.printTable(
            ["#", "ROLE", "MESSAGE"],
            report.messages.map { ["\($0.sequence)", $0.role.rawValue, Output.truncate($0.content, to: 90)] },
            empty: "No messages.", indent: "  ")

        Output.line()
        Output.line("2. What matters becomes long-term memory, in one of five sectors")
        Output.line("   created = new memory; reinforced = same text seen again (it gets stronger, not duplicated);")
        Output.line("   merged = same entity written again (its data is merged and its update count goes up)")
        Output.printTable(
            ["ACTION", "SECTOR", "WHY", "CONTENT"],
            report.remembered.map {
                [$0.action.rawValue, $0.sector.rawValue, $0.note, Output.truncate($0.content, to: 70)]
            },
            empty: "Nothing remembered.", indent: "  ")

        Output.line()
        Output.line("3. Related memories are linked, so recalling one can surface the other")
        for link in report.links {
            let source = keyByID[link.sourceID] ?? link.sourceID
            let target = keyByID[link.targetID] ?? link.targetID
            Output.line("  \(source) --\(link.type.rawValue)--> \(target)")
        }

        Output.line()
        Output.line("4. Recall ranks memories by a composite score")
        let weights = EngramConfiguration().recall.weights
        Output.line(
            "   score = \(weights.similarity)·similarity (SIM) + \(weights.salience)·salience (SAL)"
                + " + \(weights.recency)·recency (REC) + \(weights.link)·link weight (LINK)")
        for recall in report.recalls {
            Output.line()
            Output.line("  Query: \"\(recall.query)\"")
            RankedResult.printTable(recall.results, contentWidth: 70, showID: false, indent: "    ")
        }

        Output.line()
        Output.line("5. What the memory holds now")
        StatsCommand.print(report.statistics, indent: "  ")

        Output.line()
        Output.line("Next: run the demo again (memories are reinforced, not duplicated), or try")
        // On PostgreSQL the URL came from the environment or --database-url; only a file is worth repeating.
        let database = (try? global.location()).flatMap { if case .sqlite(let path) = $0 { path } else { nil } }
        let options = (database.map { "--db \(Self.quoted($0)) " } ?? "") + "--user \(Self.quoted(report.userID))"
        Output.line("  engram recall \"Lisbon\" \(options)")
        Output.line("  engram context --session \(report.sessionID) \(options)")
        Output.line("  engram export \(options)")
    }

    private static func quoted(_ text: String) -> String {
        text.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" })
            ? "'\(text.replacingOccurrences(of: "'", with: "'\\''"))'" : text
    }
}
