import EngramCore
import Foundation
import Hummingbird

extension V1Routes {
    /// A session's active context.
    struct ContextReply: Encodable, Sendable {
        var messages: [Message]
    }

    func registerConversations(on table: RouteTable) {
        let service = service
        table.on(.get, "users/{user}/sessions") { request, context in
            let user = try context.user()
            let page = try PageRequest(request)
            let sessions = try await service.sessions(userID: user, limit: page.offset + page.limit + 1)
            return Reply(page.page(fetchedFromOffset: Array(sessions.dropFirst(page.offset))))
        }
        table.on(.post, "users/{user}/sessions") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: CreateSessionBody.self, context: context)
            return Reply(try await service.createSession(body.draft(userID: user)), status: .created)
        }
        table.on(.get, "users/{user}/sessions/{session}") { _, context in
            Reply(try await service.session(userID: try context.user(), id: try context.parameter("session")))
        }
        table.on(.patch, "users/{user}/sessions/{session}") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: UpdateSessionBody.self, context: context)
            return Reply(
                try await service.renameSession(
                    userID: user, id: try context.parameter("session"), title: body.title))
        }
        table.on(.delete, "users/{user}/sessions/{session}") { _, context in
            try await service.deleteSession(userID: try context.user(), id: try context.parameter("session"))
            return Reply(Deleted(deleted: true))
        }

        table.on(.get, "users/{user}/sessions/{session}/messages") { request, context in
            let user = try context.user()
            let page = try PageRequest(request)
            let messages = try await service.messages(
                userID: user, sessionID: try context.parameter("session"), after: Int(page.position ?? 0),
                limit: page.limit + 1)
            return Reply(page.page(fetchedByKey: messages) { Int64($0.sequence) })
        }
        table.on(.post, "users/{user}/sessions/{session}/messages") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: AppendMessageBody.self, context: context)
            let draft = try body.draft(userID: user, sessionID: try context.parameter("session"))
            return Reply(try await service.appendMessage(draft), status: .created)
        }
        table.on(.post, "users/{user}/sessions/{session}/observe") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: ObserveBody.self, context: context)
            let draft = try body.draft(userID: user, sessionID: try context.parameter("session"))
            return Reply(try await service.observe(draft), status: .created)
        }
        table.on(.get, "users/{user}/sessions/{session}/context") { request, context in
            let user = try context.user()
            let query = request.uri.queryParameters
            var window: ContextWindow?
            if query.get("turns") != nil || query.get("ttlSeconds") != nil {
                var custom = service.configuration.contextWindow
                if let turns = query.get("turns") {
                    guard let value = Int(turns) else {
                        throw EngramError(.invalidArgument, "turns must be an integer.")
                    }
                    custom.turns = value
                }
                if let ttl = query.get("ttlSeconds") {
                    guard let value = Double(ttl) else {
                        throw EngramError(.invalidArgument, "ttlSeconds must be a number of seconds.")
                    }
                    custom.ttl = value
                }
                window = custom
            }
            let messages = try await service.activeContext(
                userID: user, sessionID: try context.parameter("session"), window: window)
            return Reply(ContextReply(messages: messages))
        }

        table.on(.get, "users/{user}/sessions/{session}/state/{key}") { request, context in
            Reply(try await service.state(try Self.stateKey(request, context)))
        }
        table.on(.put, "users/{user}/sessions/{session}/state/{key}") { request, context in
            let key = try Self.stateKey(request, context)
            let body = try await request.decode(as: StateBody.self, context: context)
            return Reply(try await service.setState(key, value: body.value))
        }
        table.on(.delete, "users/{user}/sessions/{session}/state/{key}") { request, context in
            Reply(Deleted(deleted: try await service.deleteState(try Self.stateKey(request, context))))
        }

        table.on(.get, "users/{user}/facts") { request, context in
            let user = try context.user()
            let query = request.uri.queryParameters
            let facts = try await service.facts(
                userID: user, sessionID: query.get("sessionID"),
                includeExpired: try Self.flag(query.get("includeExpired"), name: "includeExpired"))
            return Reply(try PageRequest(request).page(of: facts))
        }
        table.on(.post, "users/{user}/facts") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: AddFactBody.self, context: context)
            return Reply(try await service.addFact(try body.draft(userID: user)), status: .created)
        }
        table.on(.post, "users/{user}/facts/{fact}/confirm") { _, context in
            Reply(try await service.confirmFact(userID: try context.user(), id: try context.parameter("fact")))
        }
        table.on(.delete, "users/{user}/facts/{fact}") { _, context in
            try await service.deleteFact(userID: try context.user(), id: try context.parameter("fact"))
            return Reply(Deleted(deleted: true))
        }
    }

    /// The state key of a path: the session and key, with `agentID` and `module` from the query (default empty).
    static func stateKey(_ request: Request, _ context: EngramRequestContext) throws -> SessionStateKey {
        let query = request.uri.queryParameters
        return SessionStateKey(
            userID: try context.user(), sessionID: try context.parameter("session"),
            agentID: query.get("agentID") ?? "", module: query.get("module") ?? "",
            key: try context.parameter("key"))
    }

    /// A boolean query parameter: `true` or `false`, absent meaning false.
    static func flag(_ value: String?, name: String) throws -> Bool {
        switch value {
        case nil, "false": return false
        case "true": return true
        default: throw EngramError(.invalidArgument, "\(name) must be true or false.")
        }
    }
}
