import EngramCore
import Foundation
import GRDB

extension SQLiteTransaction: ModuleRows {
    func module(userID: String, id: String) async throws -> Module? {
        try await run { db in
            try db.row("SELECT * FROM modules WHERE user_id = \(userID) AND id = \(id)").map(Decode.module)
        }
    }

    func module(userID: String, named name: String) async throws -> Module? {
        try await run { db in
            try db.row("SELECT * FROM modules WHERE user_id = \(userID) AND name = \(name)").map(Decode.module)
        }
    }

    func modules(userID: String, activeOnly: Bool) async throws -> [Module] {
        try await run { db in
            try db.rows(
                """
                SELECT * FROM modules WHERE user_id = \(userID) AND (\(!activeOnly) OR is_active)
                ORDER BY stage_priority, name, id
                """
            ).map(Decode.module)
        }
    }

    func insertModule(_ module: Module) async throws {
        try await run { db in try Self.insert(db, module) }
    }

    static func insert(_ db: Database, _ module: Module) throws {
        try db.run(
            """
            INSERT INTO modules (user_id, id, name, description, content, type, trigger_pattern, script,
                execution_context, requires_ai_inference, stage_priority, is_active, created_at, updated_at)
            VALUES (\(module.userID), \(module.id), \(module.name), \(module.description), \(module.content),
                \(module.type.rawValue), \(module.triggerPattern), \(module.script), \(module.executionContext.rawValue),
                \(module.requiresAIInference), \(module.stagePriority), \(module.isActive), \(module.createdAt.millis),
                \(module.updatedAt.millis))
            """)
    }

    func updateModule(_ module: Module) async throws {
        try await run { db in
            try db.run(
                """
                UPDATE modules SET name = \(module.name), description = \(module.description),
                    content = \(module.content), type = \(module.type.rawValue),
                    trigger_pattern = \(module.triggerPattern), script = \(module.script),
                    execution_context = \(module.executionContext.rawValue),
                    requires_ai_inference = \(module.requiresAIInference), stage_priority = \(module.stagePriority),
                    is_active = \(module.isActive), updated_at = \(module.updatedAt.millis)
                WHERE user_id = \(module.userID) AND id = \(module.id)
                """)
        }
    }

    func deleteModule(userID: String, id: String) async throws {
        try await run { db in try db.run("DELETE FROM modules WHERE user_id = \(userID) AND id = \(id)") }
    }
}
