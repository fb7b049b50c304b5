import EngramCore
import MCP

/// `engram://memories/recent`: the user's most recent valid memories, newest first, as JSON.
enum RecentMemoriesResource {
    static let uri = "engram://memories/recent"
    /// How many memories the resource lists.
    static let limit = 50

    /// The resource as `resources/list` describes it.
    static let resource = Resource(
        name: "recent-memories", uri: uri, title: "Recent memories",
        description: "The user's \(limit) most recent memories, newest first, as JSON ({\"memories\": [...]}).",
        mimeType: "application/json")

    /// The resource's contents now.
    static func read(service: MemoryService, userID: String) async throws -> ReadResource.Result {
        let memories = try await service.memories(userID: userID, filters: RecallFilters(), limit: limit, offset: 0)
        let json = try ToolOutput.json(of: ["memories": memories]).jsonText
        return ReadResource.Result(contents: [.text(json, uri: uri, mimeType: "application/json")])
    }
}
