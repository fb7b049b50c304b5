import EngramCore
import Foundation
import Hummingbird

/// The JSON API under `/v1`: one route per ``MemoryService`` operation. Every route under `/v1/users/{user}`
/// acts on that user only, and only for a key of that user or an admin key.
struct V1Routes {
    let service: MemoryService
    let metrics: APIMetrics

    /// Registers every route on `table`.
    func register(on table: RouteTable) {
        registerUsers(on: table)
        registerModules(on: table)
        registerConversations(on: table)
        registerMemories(on: table)
        registerRecords(on: table)
    }

    /// What a deletion answers.
    struct Deleted: Encodable, Sendable {
        var deleted: Bool
    }

    // MARK: Users, agents and keys

    private func registerUsers(on table: RouteTable) {
        let service = service
        table.on(.get, "users") { request, context in
            try context.requireAdmin()
            return Reply(try PageRequest(request).page(of: try await service.users()))
        }
        table.on(.post, "users") { request, context in
            try context.requireAdmin()
            let body = try await request.decode(as: CreateUserBody.self, context: context)
            // Idempotent: an existing id answers 200 with the user unchanged.
            let existed = (try? await service.user(body.id)) != nil
            return Reply(try await service.createUser(try body.draft()), status: existed ? .ok : .created)
        }
        table.on(.get, "users/{user}") { _, context in
            Reply(try await service.user(try context.user()))
        }
        table.on(.patch, "users/{user}") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: UpdateUserBody.self, context: context)
            return Reply(try await service.updateUser(user, try body.patch()))
        }
        table.on(.delete, "users/{user}") { _, context in
            Reply(try await service.eraseUser(try context.user()))
        }

        table.on(.get, "users/{user}/agents") { request, context in
            let user = try context.user()
            return Reply(try PageRequest(request).page(of: try await service.agents(userID: user)))
        }
        table.on(.post, "users/{user}/agents") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: CreateAgentBody.self, context: context)
            return Reply(try await service.createAgent(body.draft(userID: user)), status: .created)
        }
        table.on(.get, "users/{user}/agents/{agent}") { _, context in
            Reply(try await service.agent(userID: try context.user(), id: try context.parameter("agent")))
        }
        table.on(.patch, "users/{user}/agents/{agent}") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: UpdateAgentBody.self, context: context)
            return Reply(
                try await service.updateAgent(userID: user, id: try context.parameter("agent"), body.patch))
        }
        table.on(.delete, "users/{user}/agents/{agent}") { _, context in
            try await service.deleteAgent(userID: try context.user(), id: try context.parameter("agent"))
            return Reply(Deleted(deleted: true))
        }

        table.on(.get, "keys") { request, context in
            try context.requireAdmin()
            let user = request.uri.queryParameters.get("user")
            return Reply(try PageRequest(request).page(of: try await service.apiKeys(userID: user)))
        }
        table.on(.post, "keys") { request, context in
            try context.requireAdmin()
            let body = try await request.decode(as: CreateKeyBody.self, context: context)
            return Reply(try await service.createAPIKey(userID: body.userID, name: body.name), status: .created)
        }
        table.on(.delete, "keys/{key}") { _, context in
            try context.requireAdmin()
            return Reply(try await service.revokeAPIKey(id: try context.parameter("key")))
        }
    }
}
