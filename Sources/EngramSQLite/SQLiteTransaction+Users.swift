import EngramCore
import Foundation
import GRDB

extension SQLiteTransaction: UserRows {
    func user(_ id: String, forUpdate: Bool) async throws -> User? {
        try await run { db in try db.row("SELECT * FROM users WHERE id = \(id)").map(Decode.user) }
    }

    func users() async throws -> [User] {
        try await run { db in try db.rows("SELECT * FROM users ORDER BY id").map(Decode.user) }
    }

    func insertUser(_ user: User) async throws -> Bool {
        try await run { db in
            try db.run(
                """
                INSERT INTO users (id, name, role, info, created_at, updated_at, last_activity_at)
                VALUES (\(user.id), \(user.name), \(user.role.rawValue), \(user.info.jsonText), \(user.createdAt.millis),
                    \(user.updatedAt.millis), \(user.lastActivityAt.millis))
                ON CONFLICT (id) DO NOTHING
                """) > 0
        }
    }

    func updateUser(_ user: User) async throws {
        try await run { db in
            try db.run(
                """
                UPDATE users SET name = \(user.name), role = \(user.role.rawValue), info = \(user.info.jsonText),
                    updated_at = \(user.updatedAt.millis), last_activity_at = \(user.lastActivityAt.millis)
                WHERE id = \(user.id)
                """)
        }
    }

    func touchUser(_ id: String, at date: Date) async throws {
        try await run { db in
            try db.run("UPDATE users SET last_activity_at = max(last_activity_at, \(date.millis)) WHERE id = \(id)")
        }
    }

    func restoreCounters(of user: User) async throws {
        try await run { db in
            try db.run(
                """
                UPDATE users SET memory_count = \(user.counters.memories), link_count = \(user.counters.links),
                    session_count = \(user.counters.sessions), message_count = \(user.counters.messages),
                    last_activity_at = \(user.lastActivityAt.millis), updated_at = \(user.updatedAt.millis)
                WHERE id = \(user.id)
                """)
        }
    }

    func agent(userID: String, id: String) async throws -> Agent? {
        try await run { db in
            try db.row("SELECT * FROM agents WHERE user_id = \(userID) AND id = \(id)").map(Decode.agent)
        }
    }

    func agents(userID: String) async throws -> [Agent] {
        try await run { db in
            try db.rows("SELECT * FROM agents WHERE user_id = \(userID) ORDER BY name, id").map(Decode.agent)
        }
    }

    func insertAgent(_ agent: Agent) async throws {
        try await run { db in try Self.insert(db, agent) }
    }

    static func insert(_ db: Database, _ agent: Agent) throws {
        try db.run(
            """
            INSERT INTO agents (user_id, id, name, description, instructions, template, mode, loop_frequency,
                first_message, image_path, is_active, created_at, updated_at)
            VALUES (\(agent.userID), \(agent.id), \(agent.name), \(agent.description), \(agent.instructions),
                \(agent.template), \(agent.mode), \(agent.loopFrequency), \(agent.firstMessage), \(agent.imagePath),
                \(agent.isActive), \(agent.createdAt.millis), \(agent.updatedAt.millis))
            """)
    }

    func updateAgent(_ agent: Agent) async throws {
        try await run { db in
            try db.run(
                """
                UPDATE agents SET name = \(agent.name), description = \(agent.description),
                    instructions = \(agent.instructions), template = \(agent.template), mode = \(agent.mode),
                    loop_frequency = \(agent.loopFrequency), first_message = \(agent.firstMessage),
                    image_path = \(agent.imagePath), is_active = \(agent.isActive),
                    updated_at = \(agent.updatedAt.millis)
                WHERE user_id = \(agent.userID) AND id = \(agent.id)
                """)
        }
    }

    func detachAgent(userID: String, id: String, from table: AgentReference) async throws {
        try await run { db in
            try db.run(
                "UPDATE \(sql: table.table) SET agent_id = NULL WHERE user_id = \(userID) AND agent_id = \(id)")
        }
    }

    func deleteAgent(userID: String, id: String) async throws {
        try await run { db in try db.run("DELETE FROM agents WHERE user_id = \(userID) AND id = \(id)") }
    }
}
