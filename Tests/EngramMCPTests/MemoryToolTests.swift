import EngramCore
import Foundation
import MCP
import Testing

@testable import EngramMCP

/// The tools over a real SQLite file, through an MCP client connected in-process.
@Suite struct MemoryToolTests {
    static let toolNames: Set = [
        "remember", "recall", "forget", "observe", "context", "facts", "add_fact", "link", "neighbours", "stats",
    ]

    @Test func listsEveryToolAndNoneTakesAUser() async throws {
        try await ConnectedClient.with { connected in
            let tools = try await connected.client.listTools().tools
            #expect(Set(tools.map(\.name)) == Self.toolNames)
            for tool in tools {
                #expect(tool.description?.isEmpty == false, "\(tool.name) has no description")
                #expect(tool.inputSchema.at("type") == "object", "\(tool.name)")
                let names = Self.propertyNames(tool.inputSchema)
                #expect(
                    names.allSatisfy { !$0.lowercased().replacingOccurrences(of: "_", with: "").hasPrefix("user") },
                    "\(tool.name) takes a user: \(names.sorted())")
                for (name, property) in tool.inputSchema.at("properties")?.objectValue ?? [:] {
                    #expect(property.at("description")?.stringValue?.isEmpty == false, "\(tool.name).\(name)")
                }
            }
            // Allowed values come from Engram's enumerations.
            let remember = try #require(tools.first { $0.name == "remember" })
            #expect(
                remember.inputSchema.at("properties", "sector", "enum")
                    == .array(Sector.allCases.map { .string($0.rawValue) }))
            #expect(remember.inputSchema.at("required") == ["content"])
            let link = try #require(tools.first { $0.name == "link" })
            #expect(link.inputSchema.at("properties", "type", "enum")?.arrayValue?.count == LinkType.allCases.count)
        }
    }

    /// Every property name of a schema, nested ones included.
    static func propertyNames(_ schema: Value) -> Set<String> {
        var names = Set<String>()
        for (name, property) in schema.at("properties")?.objectValue ?? [:] {
            names.insert(name)
            names.formUnion(propertyNames(property))
            if let items = property.at("items") { names.formUnion(propertyNames(items)) }
        }
        return names
    }

    @Test func rememberedTextIsRecalled() async throws {
        try await ConnectedClient.with { connected in
            let remembered = try await connected.succeed(
                "remember", ["content": "The user is allergic to peanuts", "sector": "semantic", "tags": ["health"]])
            #expect(remembered.at("action") == "created")
            let id = try #require(remembered.at("memory", "id")?.stringValue)
            #expect(remembered.at("memory", "tags") == ["health"])

            let again = try await connected.succeed("remember", ["content": "the user is allergic to  peanuts"])
            #expect(again.at("action") == "reinforced")
            #expect(again.at("memory", "id")?.stringValue == id)

            let result = try await connected.call("recall", ["query": "peanut allergy", "k": 3])
            #expect(result.isError == false)
            #expect(result.text.contains("The user is allergic to peanuts"))
            #expect(result.text.contains(id))
            let first = try #require(result.structuredContent?.at("results")?.arrayValue?.first)
            #expect(first.at("memory", "id")?.stringValue == id)
            #expect(first.at("rank") == 1)
            #expect(first.at("score", "composite").flatMap { Double($0) } ?? 0 > 0)
        }
    }

    @Test func forgottenMemoriesAreNotRecalled() async throws {
        try await ConnectedClient.with { connected in
            let soft = try await connected.succeed("remember", ["content": "The user lives in Lisbon"])
            let hard = try await connected.succeed("remember", ["content": "The user lives near the Lisbon river"])
            let softID = try #require(soft.at("memory", "id")?.stringValue)
            let hardID = try #require(hard.at("memory", "id")?.stringValue)

            let forgot = try await connected.succeed("forget", ["id": .string(softID)])
            #expect(forgot.at("mode") == "soft")
            _ = try await connected.succeed("forget", ["id": .string(hardID), "mode": "hard"])

            let recalled = try await connected.succeed("recall", ["query": "Lisbon"])
            #expect(recalled.at("results")?.arrayValue?.isEmpty == true)
            // Soft: kept for history; hard: gone.
            _ = try await connected.store.memory(userID: "alice", id: softID)
            await #expect(throws: EngramError.memoryNotFound) {
                try await connected.store.memory(userID: "alice", id: hardID)
            }
            let withInvalid = try await connected.succeed("recall", ["query": "Lisbon", "include_invalid": true])
            #expect(
                withInvalid.at("results")?.arrayValue?.compactMap { $0.at("memory", "id")?.stringValue } == [softID])
        }
    }

    @Test func observedTurnsFormTheContext() async throws {
        try await ConnectedClient.with { connected in
            // No session: a new one, whose id comes back.
            let first = try await connected.succeed("observe", ["content": "I moved to Porto last month"])
            #expect(first.at("sessionCreated") == true)
            let sessionID = try #require(first.at("message", "sessionID")?.stringValue)
            let second = try await connected.succeed(
                "observe", ["content": "Nice! How is it?", "role": "assistant", "session": .string(sessionID)])
            #expect(second.at("sessionCreated") == false)
            #expect(second.at("message", "sequence") == 2)

            // A named session that does not exist is created with that id.
            let named = try await connected.succeed(
                "observe", ["content": "Book a table", "session": "chat-7", "title": "Dinner"])
            #expect(named.at("sessionCreated") == true)
            #expect(try await connected.store.session(userID: "alice", id: "chat-7").title == "Dinner")

            let context = try await connected.call("context", ["session": .string(sessionID)])
            #expect(context.text.contains("#1 user: I moved to Porto last month"))
            #expect(context.text.contains("#2 assistant: Nice! How is it?"))
            #expect(context.structuredContent?.at("messages")?.arrayValue?.count == 2)
            let last = try await connected.succeed("context", ["session": .string(sessionID), "turns": 1])
            #expect(last.at("messages")?.arrayValue?.first?.at("content") == "Nice! How is it?")

            // Content is checked before a session is made for it.
            let empty = try await connected.call("observe", ["content": "  ", "session": "chat-8"])
            #expect(empty.isError == true)
            await #expect(throws: EngramError.sessionNotFound) {
                try await connected.store.session(userID: "alice", id: "chat-8")
            }
        }
    }

    @Test func workingFactsAreAddedAndListed() async throws {
        try await ConnectedClient.with { connected in
            let observed = try await connected.succeed(
                "observe", ["content": "I prefer window seats", "session": "trip"])
            let messageID = try #require(observed.at("message", "id")?.stringValue)
            // Observing the turn extracted the preference already.
            #expect(observed.at("facts")?.arrayValue?.first?.at("factType") == "preference")
            let added = try await connected.succeed(
                "add_fact",
                [
                    "content": "Prefers window seats", "type": "preference", "confidence": 0.9, "session": "trip",
                    "ttl_hours": 2, "source_message_ids": [.string(messageID)],
                ])
            #expect(added.at("fact", "factType") == "preference")
            #expect(added.at("fact", "sourceMessageIDs") == [.string(messageID)])

            let listed = try await connected.call("facts", ["session": "trip"])
            #expect(listed.text.contains("Prefers window seats"))
            #expect(listed.structuredContent?.at("facts")?.arrayValue?.count == 2)
            let everyone = try await connected.succeed("facts")
            #expect(everyone.at("facts")?.arrayValue?.count == 2)
        }
    }

    @Test func linksLeadToNeighbours() async throws {
        try await ConnectedClient.with { connected in
            let cause = try #require(
                try await connected.succeed("remember", ["content": "The user started running"]).at("memory", "id"))
            let effect = try #require(
                try await connected.succeed("remember", ["content": "The user lost weight"]).at("memory", "id"))
            let linked = try await connected.succeed(
                "link", ["source_id": cause, "target_id": effect, "type": "led_to", "weight": 0.8])
            #expect(linked.at("link", "type") == "led_to")
            #expect(linked.at("link", "weight") == 0.8)

            let result = try await connected.call("neighbours", ["id": effect])
            #expect(result.text.contains("The user started running"))
            let entry = try #require(result.structuredContent?.at("neighbours")?.arrayValue?.first)
            #expect(entry.at("memory", "id") == cause)
            #expect(entry.at("depth") == 1)
            let filtered = try await connected.succeed("neighbours", ["id": effect, "types": ["causal"]])
            #expect(filtered.at("neighbours")?.arrayValue?.isEmpty == true)
        }
    }

    @Test func statsCountTheUsersMemory() async throws {
        try await ConnectedClient.with { connected in
            _ = try await connected.succeed("remember", ["content": "Fact one", "sector": "semantic"])
            _ = try await connected.succeed("remember", ["content": "Went hiking on Sunday", "sector": "episodic"])
            let result = try await connected.call("stats")
            #expect(result.text.hasPrefix("2 memories (2 valid: 1 episodic, 1 semantic)"))
            #expect(result.structuredContent?.at("memories") == 2)
            #expect(result.structuredContent?.at("userID") == "alice")
        }
    }

    @Test func invalidInputIsAToolErrorWithItsCode() async throws {
        try await ConnectedClient.with { connected in
            let cases: [(String, [String: Value], String)] = [
                ("remember", ["content": " "], "empty_content"),
                ("remember", [:], "invalid_argument"),
                ("remember", ["content": "x", "sector": "cosmic"], "invalid_enum_value"),
                ("remember", ["content": "x", "user_id": "bob"], "invalid_argument"),
                ("remember", ["content": "x", "entity_system": "crm"], "invalid_argument"),
                ("recall", ["query": "x", "k": "ten"], "invalid_argument"),
                ("recall", ["query": "x", "k": 0], "invalid_argument"),
                ("forget", ["id": "no-such-memory"], "memory_not_found"),
                ("context", ["session": "no-such-session"], "session_not_found"),
                ("link", ["source_id": "a", "target_id": "a"], "invalid_argument"),
                ("neighbours", ["id": "x", "depth": 9], "invalid_argument"),
                ("stats", ["user": "bob"], "invalid_argument"),
            ]
            for (tool, arguments, code) in cases {
                let result = try await connected.call(tool, arguments)
                #expect(result.isError == true, "\(tool) \(arguments)")
                #expect(result.text.hasPrefix("\(code): "), "\(tool) \(arguments): \(result.text)")
                #expect(result.structuredContent?.at("error", "code") == .string(code))
            }
            let enumError = try await connected.call("remember", ["content": "x", "sector": "cosmic"])
            #expect(
                enumError.text
                    == "invalid_enum_value: sector must be one of: \(Sector.allCases.map(\.rawValue).joined(separator: ", "))."
            )
            // Nothing was written by the refused calls.
            #expect(try await connected.store.statistics(userID: "alice").memories == 0)
        }
    }

    @Test func anUnknownToolIsAProtocolError() async throws {
        try await ConnectedClient.with { connected in
            await #expect(throws: MCPError.self) { try await connected.call("teleport") }
        }
    }

    @Test func recentMemoriesAreAResource() async throws {
        try await ConnectedClient.with { connected in
            _ = try await connected.succeed("remember", ["content": "data:text/plain,kept as written"])
            let resources = try await connected.client.listResources().resources
            #expect(resources.map(\.uri) == ["engram://memories/recent"])
            let contents = try await connected.client.readResource(uri: "engram://memories/recent")
            let text = try #require(contents.first?.text)
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            guard case .array(let memories)? = json.objectValue?["memories"] else {
                Issue.record("no memories in \(text)")
                return
            }
            #expect(memories.first?.objectValue?["content"] == .string("data:text/plain,kept as written"))
        }
    }

    @Test func oneUsersServerDoesNotSeeAnotherUsersMemory() async throws {
        try await ConnectedClient.with(users: ["alice", "bob"]) { alice in
            try await ConnectedClient.with(store: alice.store, userID: "bob") { bob in
                try await Self.isolation(alice, bob)
            }
        }
    }

    static func isolation(_ alice: ConnectedClient, _ bob: ConnectedClient) async throws {
        let memory = try #require(
            try await alice.succeed("remember", ["content": "Alice's locker code is 4521"]).at("memory", "id"))
        let recalled = try await bob.succeed("recall", ["query": "locker code"])
        #expect(recalled.at("results")?.arrayValue?.isEmpty == true)
        let forget = try await bob.call("forget", ["id": memory])
        #expect(forget.text.hasPrefix("memory_not_found: "))
    }
}
