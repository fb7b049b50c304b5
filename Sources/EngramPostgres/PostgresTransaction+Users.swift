import EngramCore
import Foundation
import PostgresNIO

extension PostgresTransaction: UserRows {
    func user(_ id: String, forUpdate: Bool) async throws -> User? {
        try await first("SELECT * FROM users WHERE id = \(id)\(unescaped: forUpdate ? " FOR UPDATE" : "")", Decode.user)
    }

    func users() async throws -> [User] {
        try await rows(#"SELECT * FROM users ORDER BY id COLLATE "C""#, Decode.user)
    }

    func insertUser(_ user: User) async throws -> Bool {
        try await changes(
            """
            INSERT INTO users (id, name, role, info, created_at, updated_at, last_activity_at)
            VALUES (\(user.id), \(user.name), \(user.role.rawValue), \(user.info.jsonb), \(user.createdAt.timestamp),
                \(user.updatedAt.timestamp), \(user.lastActivityAt.timestamp))
            ON CONFLICT (id) DO NOTHING
            """) > 0
    }

    func updateUser(_ user: User) async throws {
        try await execute(
            """
            UPDATE users SET name = \(user.name), role = \(user.role.rawValue), info = \(user.info.jsonb),
                updated_at = \(user.updatedAt.timestamp), last_activity_at = \(user.lastActivityAt.timestamp)
            WHERE id = \(user.id)
            """)
    }

    func touchUser(_ id: String, at date: Date) async throws {
        try await execute(
            "UPDATE users SET last_activity_at = greatest(last_activity_at, \(date.timestamp)) WHERE id = \(id)")
    }

    func restoreCounters(of user: User) async throws {
        try await execute(
            """
            UPDATE users SET memory_count = \(user.counters.memories), link_count = \(user.counters.links),
                session_count = \(user.counters.sessions), message_count = \(user.counters.messages),
                last_activity_at = \(user.lastActivityAt.timestamp), updated_at = \(user.updatedAt.timestamp)
            WHERE id = \(user.id)
            """)
    }

    func agent(userID: String, id: String) async throws -> Agent? {
        try await first("SELECT * FROM agents WHERE user_id = \(userID) AND id = \(id)", Decode.agent)
    }

    func agents(userID: String) async throws -> [Agent] {
        try await rows(
            #"SELECT * FROM agents WHERE user_id = \#(userID) ORDER BY name COLLATE "C", id COLLATE "C""#, Decode.agent)
    }

    func insertAgent(_ agent: Agent) async throws {
        try await execute(
            """
            INSERT INTO agents (user_id, id, name, description, instructions, template, mode, loop_frequency,
                first_message, image_path, is_active, created_at, updated_at)
            VALUES (\(agent.userID), \(agent.id), \(agent.name), \(agent.description), \(agent.instructions),
                \(agent.template), \(agent.mode), \(agent.loopFrequency), \(agent.firstMessage), \(agent.imagePath),
                \(agent.isActive), \(agent.createdAt.timestamp), \(agent.updatedAt.timestamp))
            """)
    }

    func updateAgent(_ agent: Agent) async throws {
        try await execute(
            """
            UPDATE agents SET name = \(agent.name), description = \(agent.description),
                instructions = \(agent.instructions), template = \(agent.template), mode = \(agent.mode),
                loop_frequency = \(agent.loopFrequency), first_message = \(agent.firstMessage),
                image_path = \(agent.imagePath), is_active = \(agent.isActive),
                updated_at = \(agent.updatedAt.timestamp)
            WHERE user_id = \(agent.userID) AND id = \(agent.id)
            """)
    }

    func detachAgent(userID: String, id: String, from table: AgentReference) async throws {
        try await execute(
            "UPDATE \(unescaped: table.table) SET agent_id = NULL WHERE user_id = \(userID) AND agent_id = \(id)")
    }

    func deleteAgent(userID: String, id: String) async throws {
        try await execute("DELETE FROM agents WHERE user_id = \(userID) AND id = \(id)")
    }
}
