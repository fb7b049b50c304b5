import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
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
        return try await write { db in
            try self.requireUser(db, userID)
            _ = try self.fetchMemory(db, userID: userID, sourceID)
            _ = try self.fetchMemory(db, userID: userID, targetID)
            let existing = try Row.fetchOne(
                db, cached: "SELECT * FROM links WHERE user_id = ? AND source_id = ? AND target_id = ? AND type = ?",
                arguments: [userID, sourceID, targetID, type.rawValue]
            ).map(Decode.link)
            if let existing {
                try db.run(
                    sql: "UPDATE links SET weight = ?, origin = ?, metadata = ? WHERE user_id = ? AND id = ?",
                    arguments: [
                        weight, origin.rawValue, existing.metadata.merging(metadata).jsonText, userID, existing.id,
                    ])
            } else {
                try self.insertLink(
                    db,
                    Link(
                        id: UUID().uuidString.lowercased(), userID: userID, sourceID: sourceID, targetID: targetID,
                        type: type, weight: weight, origin: origin, traversalCount: 0, metadata: metadata,
                        createdAt: date))
            }
            let link = try Decode.link(
                try Row.fetchOne(
                    db,
                    cached: "SELECT * FROM links WHERE user_id = ? AND source_id = ? AND target_id = ? AND type = ?",
                    arguments: [userID, sourceID, targetID, type.rawValue])!)
            try self.audit(
                db, userID: userID, action: existing == nil ? "link.create" : "link.update", targetType: "link",
                targetID: link.id, before: existing, after: link, at: date)
            try self.touchUser(db, userID, at: date)
            return link
        }
    }

    public func unlink(userID: String, sourceID: String, targetID: String, type: LinkType?) async throws -> Int {
        let userID = try validator.identifier(userID, field: "user id")
        let sourceID = try validator.identifier(sourceID, field: "source memory id")
        let targetID = try validator.identifier(targetID, field: "target memory id")
        let date = now()
        return try await write { db in
            try self.requireUser(db, userID)
            let links = try Row.fetchAll(
                db,
                cached:
                    "SELECT * FROM links WHERE user_id = ? AND source_id = ? AND target_id = ? AND (? IS NULL OR type = ?)",
                arguments: [userID, sourceID, targetID, type?.rawValue, type?.rawValue]
            ).map(Decode.link)
            for link in links {
                try db.run(sql: "DELETE FROM links WHERE user_id = ? AND id = ?", arguments: [userID, link.id])
                try self.audit(
                    db, userID: userID, action: "link.delete", targetType: "link", targetID: link.id, before: link,
                    after: Nothing?.none, at: date)
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
        return try await read { db in
            try self.requireUser(db, userID)
            _ = try self.fetchMemory(db, userID: userID, memoryID)
            var visited: Set<String> = [memoryID]
            var frontier = [memoryID]
            var result: [Neighbour] = []
            for level in 1...depth where !frontier.isEmpty {
                let links = try self.links(db, userID: userID, touching: frontier, types: types)
                var reached: [(String, Link)] = []
                for link in links {
                    for (from, to) in [(link.sourceID, link.targetID), (link.targetID, link.sourceID)]
                    where frontier.contains(from) && !visited.contains(to) {
                        visited.insert(to)
                        reached.append((to, link))
                    }
                }
                let memories = try self.memories(db, userID: userID, ids: reached.map(\.0))
                for (id, link) in reached {
                    if let memory = memories[id] { result.append(Neighbour(memory: memory, link: link, depth: level)) }
                }
                frontier = reached.map(\.0)
            }
            return result
        }
    }

    /// Links of the user with either end in `ids`, strongest first.
    func links(_ db: Database, userID: String, touching ids: [String], types: Set<LinkType> = []) throws -> [Link] {
        guard !ids.isEmpty else { return [] }
        let idList = Column.strings(ids)
        let typeList = Column.strings(types.map(\.rawValue).sorted())
        // Two index searches (by source, by target) instead of one OR that scans the user's links.
        return try Row.fetchAll(
            db,
            cached: """
                SELECT * FROM (
                    SELECT * FROM links WHERE user_id = ? AND source_id IN (SELECT value FROM json_each(?))
                    UNION
                    SELECT * FROM links WHERE user_id = ? AND target_id IN (SELECT value FROM json_each(?))
                )
                WHERE ? = '[]' OR type IN (SELECT value FROM json_each(?))
                ORDER BY weight DESC, id
                """,
            arguments: [userID, idList, userID, idList, typeList, typeList]
        ).map(Decode.link)
    }

    /// The user's memories with the given ids, by id.
    func memories(_ db: Database, userID: String, ids: [String]) throws -> [String: Memory] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db, cached: "SELECT * FROM memories WHERE user_id = ? AND id IN (SELECT value FROM json_each(?))",
            arguments: [userID, Column.strings(ids)])
        var result: [String: Memory] = [:]
        for row in rows {
            let memory = try Decode.memory(row)
            result[memory.id] = memory
        }
        return result
    }

    func insertLink(_ db: Database, _ link: Link) throws {
        try db.run(
            sql: """
                INSERT INTO links (user_id, id, source_id, target_id, type, weight, origin, traversal_count, metadata,
                    created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                link.userID, link.id, link.sourceID, link.targetID, link.type.rawValue, link.weight,
                link.origin.rawValue, link.traversalCount, link.metadata.jsonText, link.createdAt.millis,
            ])
    }
}
