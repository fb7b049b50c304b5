import EngramCore
import Foundation
import PostgresNIO

extension PostgresMemoryStore {
    public func link(_ draft: LinkDraft) async throws -> Link {
        let userID = try validator.identifier(draft.userID, field: "user id")
        let sourceID = try validator.identifier(draft.sourceID, field: "source memory id")
        let targetID = try validator.identifier(draft.targetID, field: "target memory id")
        guard sourceID != targetID else {
            throw EngramError(.invalidArgument, "A memory cannot link to itself; pass two different memory ids.")
        }
        let weight = try validator.number(draft.weight, field: "weight")
        let metadata = draft.metadata
        _ = try validator.optionalText(metadata.jsonText, field: "metadata")
        let (type, origin) = (draft.type, draft.origin)
        let date = now()
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            _ = try await self.fetchMemory(connection, userID: userID, sourceID)
            _ = try await self.fetchMemory(connection, userID: userID, targetID)
            let existing = try await connection.first(
                """
                SELECT * FROM links
                WHERE user_id = \(userID) AND source_id = \(sourceID) AND target_id = \(targetID)
                    AND type = \(type.rawValue)
                FOR UPDATE
                """, logger: self.logger, Decode.link)
            let merged = existing.map { $0.metadata.merging(metadata) } ?? metadata
            let id = UUID().uuidString.lowercased()
            let upserted = try await connection.first(
                """
                INSERT INTO links (user_id, id, source_id, target_id, type, weight, origin, traversal_count,
                    metadata, created_at)
                VALUES (\(userID), \(id), \(sourceID), \(targetID), \(type.rawValue), \(weight), \(origin.rawValue),
                    0, \(merged.jsonb), \(date.timestamp))
                ON CONFLICT (user_id, source_id, target_id, type)
                DO UPDATE SET weight = excluded.weight, origin = excluded.origin, metadata = excluded.metadata
                RETURNING *
                """, logger: self.logger, Decode.link)
            guard let link = upserted else { throw EngramError.linkNotFound }
            try await self.audit(
                connection, userID: userID, action: existing == nil ? "link.create" : "link.update",
                targetType: "link", targetID: link.id, before: existing, after: link, at: date)
            try await self.touchUser(connection, userID, at: date)
            return link
        }
    }

    public func unlink(userID: String, sourceID: String, targetID: String, type: LinkType?) async throws -> Int {
        let userID = try validator.identifier(userID, field: "user id")
        let sourceID = try validator.identifier(sourceID, field: "source memory id")
        let targetID = try validator.identifier(targetID, field: "target memory id")
        let typeName = type?.rawValue
        let date = now()
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            let links = try await connection.rows(
                """
                SELECT * FROM links
                WHERE user_id = \(userID) AND source_id = \(sourceID) AND target_id = \(targetID)
                    AND (\(typeName)::text IS NULL OR type = \(typeName))
                FOR UPDATE
                """, logger: self.logger, Decode.link)
            for link in links {
                try await connection.query(
                    "DELETE FROM links WHERE user_id = \(userID) AND id = \(link.id)", logger: self.logger)
                try await self.audit(
                    connection, userID: userID, action: "link.delete", targetType: "link", targetID: link.id,
                    before: link, after: Nothing?.none, at: date)
            }
            return links.count
        }
    }

    public func neighbours(
        userID: String, memoryID: String, depth: Int, types: Set<LinkType>
    ) async throws -> [Neighbour] {
        let userID = try validator.identifier(userID, field: "user id")
        let memoryID = try validator.identifier(memoryID, field: "memory id")
        let depth = try validator.count(depth, field: "depth", in: 1...5)
        return try await transaction(userID: userID) { connection in
            try await self.requireUser(connection, userID)
            _ = try await self.fetchMemory(connection, userID: userID, memoryID)
            var visited: Set<String> = [memoryID]
            var frontier = [memoryID]
            var result: [Neighbour] = []
            for level in 1...depth where !frontier.isEmpty {
                let links = try await self.links(connection, userID: userID, touching: frontier, types: types)
                var reached: [(String, Link)] = []
                for link in links {
                    for (from, to) in [(link.sourceID, link.targetID), (link.targetID, link.sourceID)]
                    where frontier.contains(from) && !visited.contains(to) {
                        visited.insert(to)
                        reached.append((to, link))
                    }
                }
                let memories = try await self.memories(connection, userID: userID, ids: reached.map(\.0))
                for (id, link) in reached {
                    if let memory = memories[id] { result.append(Neighbour(memory: memory, link: link, depth: level)) }
                }
                frontier = reached.map(\.0)
            }
            return result
        }
    }

    func insertLink(_ connection: PostgresConnection, _ link: Link) async throws {
        try await connection.query(
            """
            INSERT INTO links (user_id, id, source_id, target_id, type, weight, origin, traversal_count, metadata,
                created_at)
            VALUES (\(link.userID), \(link.id), \(link.sourceID), \(link.targetID), \(link.type.rawValue),
                \(link.weight), \(link.origin.rawValue), \(link.traversalCount), \(link.metadata.jsonb),
                \(link.createdAt.timestamp))
            """, logger: logger)
    }
}
