import EngramCore
import Foundation
import Hummingbird

extension V1Routes {
    /// What a bulk create answers: an outcome per memory, in request order.
    struct BulkReply: Encodable, Sendable {
        var outcomes: [RememberOutcome]
    }

    /// What recall answers.
    struct RecallReply: Encodable, Sendable {
        var results: [RecallResult]
    }

    /// What `unlink` answers.
    struct UnlinkReply: Encodable, Sendable {
        var removed: Int
    }

    /// What `forget` answers.
    struct ForgetReply: Encodable, Sendable {
        var id: String
        var mode: ForgetMode
    }

    func registerMemories(on table: RouteTable) {
        let service = service
        let metrics = metrics
        table.on(.get, "users/{user}/memories") { request, context in
            let user = try context.user()
            let page = try PageRequest(request)
            let memories = try await service.memories(
                userID: user, filters: try Self.filters(request.uri.queryParameters), limit: page.limit + 1,
                offset: page.offset)
            return Reply(page.page(fetchedFromOffset: memories))
        }
        table.on(.post, "users/{user}/memories") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: RememberBody.self, context: context)
            let outcome = try await service.remember(try body.draft(userID: user))
            return Reply(outcome, status: outcome.action == .created ? .created : .ok)
        }
        table.on(.post, "users/{user}/memories/bulk") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: BulkRememberBody.self, context: context)
            let drafts = try body.memories.map { try $0.draft(userID: user) }
            // An empty batch writes nothing, but still names a user that must exist.
            if drafts.isEmpty { _ = try await service.user(user) }
            return Reply(BulkReply(outcomes: try await service.rememberAll(drafts)))
        }
        table.on(.get, "users/{user}/memories/{memory}") { _, context in
            Reply(try await service.memory(userID: try context.user(), id: try context.parameter("memory")))
        }
        table.on(.patch, "users/{user}/memories/{memory}") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: UpdateMemoryBody.self, context: context)
            return Reply(
                try await service.updateMemory(
                    userID: user, id: try context.parameter("memory"), try body.patch()))
        }
        table.on(.delete, "users/{user}/memories/{memory}") { request, context in
            let user = try context.user()
            let id = try context.parameter("memory")
            let mode = try request.uri.queryParameters.get("mode").map(ForgetMode.parse) ?? .soft
            try await service.forget(userID: user, id: id, mode: mode)
            return Reply(ForgetReply(id: id, mode: mode))
        }

        table.on(.post, "users/{user}/recall") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: RecallBody.self, context: context)
            let query = try body.query(userID: user)
            let start = ContinuousClock.now
            let results = try await service.recall(query)
            metrics.recall.record(duration: ContinuousClock.now - start)
            return Reply(RecallReply(results: results))
        }

        table.on(.post, "users/{user}/links") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: LinkBody.self, context: context)
            return Reply(try await service.link(try body.draft(userID: user)), status: .created)
        }
        table.on(.delete, "users/{user}/links") { request, context in
            let user = try context.user()
            let query = request.uri.queryParameters
            guard let source = query.get("sourceID"), let target = query.get("targetID") else {
                throw EngramError(.invalidArgument, "Name the link with the query parameters sourceID and targetID.")
            }
            let type = try query.get("type").map(LinkType.parse)
            return Reply(
                UnlinkReply(
                    removed: try await service.unlink(userID: user, sourceID: source, targetID: target, type: type)))
        }
        table.on(.get, "users/{user}/memories/{memory}/neighbours") { request, context in
            let user = try context.user()
            let query = request.uri.queryParameters
            let depth =
                try query.get("depth").map { text in
                    guard let depth = Int(text) else {
                        throw EngramError(.invalidArgument, "depth must be an integer.")
                    }
                    return depth
                } ?? 1
            let types = Set(try query.getAll("type").map(LinkType.parse))
            let neighbours = try await service.neighbours(
                userID: user, memoryID: try context.parameter("memory"), depth: depth, types: types)
            return Reply(try PageRequest(request).page(of: neighbours))
        }

        table.on(.get, "users/{user}/memories/{memory}/emotion") { _, context in
            Reply(
                try await service.emotion(
                    userID: try context.user(), memoryID: try context.parameter("memory")))
        }
        table.on(.put, "users/{user}/memories/{memory}/emotion") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: EmotionBody.self, context: context)
            return Reply(
                try await service.setEmotion(
                    body.emotion(userID: user, memoryID: try context.parameter("memory"))))
        }
        table.on(.post, "users/{user}/memories/{memory}/feedback") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: FeedbackBody.self, context: context)
            return Reply(
                try await service.feedback(
                    userID: user, memoryID: try context.parameter("memory"), query: body.query,
                    useful: body.useful), status: .created)
        }
    }

    /// The filters of a memory list: `sector`, `contextType` and `tag` (each repeatable), `sessionID`, `agentID`,
    /// `createdAfter`, `createdBefore`, `includeInvalid`.
    static func filters(_ query: Parameters) throws -> RecallFilters {
        func date(_ name: String) throws -> Date? {
            guard let text = query.get(name) else { return nil }
            guard let date = WireJSON.date(text) else {
                throw EngramError(
                    .invalidArgument, "\(name) must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z.")
            }
            return date
        }
        return RecallFilters(
            sectors: Set(try query.getAll("sector").map(Sector.parse)),
            contextTypes: Set(try query.getAll("contextType").map(ContextType.parse)), tags: Set(query.getAll("tag")),
            createdAfter: try date("createdAfter"), createdBefore: try date("createdBefore"),
            sessionID: query.get("sessionID"), agentID: query.get("agentID"),
            includeInvalid: try flag(query.get("includeInvalid"), name: "includeInvalid"))
    }
}
