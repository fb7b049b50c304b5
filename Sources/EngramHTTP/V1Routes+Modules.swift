import EngramCore
import Foundation
import Hummingbird

extension V1Routes {
    /// The modules a text triggers, by stage priority.
    struct MatchReply: Encodable, Sendable {
        var modules: [Module]
    }

    func registerModules(on table: RouteTable) {
        let service = service
        table.on(.get, "users/{user}/modules") { request, context in
            let user = try context.user()
            let all = try Self.flag(request.uri.queryParameters.get("includeInactive"), name: "includeInactive")
            return Reply(
                try PageRequest(request).page(of: try await service.modules(userID: user, includeInactive: all)))
        }
        table.on(.post, "users/{user}/modules") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: CreateModuleBody.self, context: context)
            return Reply(try await service.createModule(try body.draft(userID: user)), status: .created)
        }
        table.on(.post, "users/{user}/modules/match") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: MatchModulesBody.self, context: context)
            return Reply(MatchReply(modules: try await service.modules(userID: user, matching: body.text)))
        }
        table.on(.get, "users/{user}/modules/{module}") { _, context in
            Reply(try await service.module(userID: try context.user(), id: try context.parameter("module")))
        }
        table.on(.patch, "users/{user}/modules/{module}") { request, context in
            let user = try context.user()
            let body = try await request.decode(as: UpdateModuleBody.self, context: context)
            return Reply(
                try await service.updateModule(userID: user, id: try context.parameter("module"), try body.patch()))
        }
        table.on(.delete, "users/{user}/modules/{module}") { _, context in
            try await service.deleteModule(userID: try context.user(), id: try context.parameter("module"))
            return Reply(Deleted(deleted: true))
        }
    }
}
