import EngramCore
import Foundation
import PostgresNIO

extension PostgresTransaction: FormationRows {
    func memories(userID: String, subjects: [String], validAt date: Date) async throws -> [Memory] {
        guard !subjects.isEmpty else { return [] }
        return try await rows(
            #"""
            SELECT \#(unescaped: Decode.memoryColumns) FROM memories
            WHERE user_id = \#(userID) AND subject = ANY(\#(subjects)) AND valid_from <= \#(date.timestamp)
                AND (valid_to IS NULL OR valid_to > \#(date.timestamp))
            ORDER BY created_at, id COLLATE "C"
            """#, Decode.memory)
    }

    func entityAliases(userID: String, aliases: [String]) async throws -> [String: String] {
        guard !aliases.isEmpty else { return [:] }
        let pairs = try await rows(
            "SELECT alias, memory_id FROM entity_aliases WHERE user_id = \(userID) AND alias = ANY(\(aliases))"
        ) { row in try row.decode((String, String).self) }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    func insertEntityAliases(userID: String, aliases: [String: String], at date: Date) async throws {
        for (alias, memoryID) in aliases.sorted(by: { $0.key < $1.key }) {
            try await execute(
                """
                INSERT INTO entity_aliases (user_id, alias, memory_id, created_at)
                VALUES (\(userID), \(alias), \(memoryID), \(date.timestamp)) ON CONFLICT DO NOTHING
                """)
        }
    }

    func moveEntityAliases(userID: String, from sourceID: String, to targetID: String) async throws {
        try await execute(
            "UPDATE entity_aliases SET memory_id = \(targetID) WHERE user_id = \(userID) AND memory_id = \(sourceID)")
    }
}
