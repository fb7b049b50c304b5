import EngramCore
import Foundation
import GRDB

/// Translates ``RecallFilters`` into conditions on the `memories` table aliased `m`, every value a bind.
enum MemoryFilter {
    /// ` AND …` conditions (possibly none).
    static func sql(_ filters: RecallFilters, at date: Date) -> SQL {
        var sql: SQL = ""
        if !filters.sectors.isEmpty {
            sql +=
                " AND m.sector IN (SELECT value FROM json_each(\(Column.strings(filters.sectors.map(\.rawValue).sorted()))))"
        }
        if !filters.contextTypes.isEmpty {
            let types = Column.strings(filters.contextTypes.map(\.rawValue).sorted())
            sql += " AND m.context_type IN (SELECT value FROM json_each(\(types)))"
        }
        for tag in filters.tags.sorted() {
            sql += " AND EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = \(tag))"
        }
        if let after = filters.createdAfter { sql += " AND m.created_at >= \(after.millis)" }
        if let before = filters.createdBefore { sql += " AND m.created_at < \(before.millis)" }
        if let sessionID = filters.sessionID { sql += " AND m.session_id = \(sessionID)" }
        if let agentID = filters.agentID { sql += " AND m.agent_id = \(agentID)" }
        if let viewer = filters.viewer { sql += " AND (m.visibility = 'shared' OR m.agent_id = \(viewer))" }
        if !filters.includeInvalid { sql += " AND (m.valid_to IS NULL OR m.valid_to > \(date.millis))" }
        return sql
    }
}
