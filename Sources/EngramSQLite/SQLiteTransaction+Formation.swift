import EngramCore
import Foundation
import GRDB

extension SQLiteTransaction: FormationRows {
    func memories(userID: String, subjects: [String], validAt date: Date) async throws -> [Memory] {
        guard !subjects.isEmpty else { return [] }
        return try await run { db in
            try db.rows(
                """
                SELECT * FROM memories WHERE user_id = \(userID)
                    AND subject IN (SELECT value FROM json_each(\(Column.strings(subjects))))
                    AND valid_from <= \(date.millis) AND (valid_to IS NULL OR valid_to > \(date.millis))
                ORDER BY created_at, id
                """
            ).map(Decode.memory)
        }
    }

    func entityAliases(userID: String, aliases: [String]) async throws -> [String: String] {
        guard !aliases.isEmpty else { return [:] }
        return try await run { db in
            let rows = try db.rows(
                """
                SELECT alias, memory_id FROM entity_aliases WHERE user_id = \(userID)
                    AND alias IN (SELECT value FROM json_each(\(Column.strings(aliases))))
                """)
            return Dictionary(rows.map { ($0[0] as String, $0[1] as String) }, uniquingKeysWith: { first, _ in first })
        }
    }

    func insertEntityAliases(userID: String, aliases: [String: String], at date: Date) async throws {
        try await run { db in
            for (alias, memoryID) in aliases.sorted(by: { $0.key < $1.key }) {
                try db.run(
                    """
                    INSERT INTO entity_aliases (user_id, alias, memory_id, created_at)
                    VALUES (\(userID), \(alias), \(memoryID), \(date.millis)) ON CONFLICT DO NOTHING
                    """)
            }
        }
    }

    func moveEntityAliases(userID: String, from sourceID: String, to targetID: String) async throws {
        try await run { db in
            try db.run(
                """
                UPDATE entity_aliases SET memory_id = \(targetID) WHERE user_id = \(userID) AND memory_id = \(sourceID)
                """)
        }
    }
}
