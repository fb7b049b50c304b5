import EngramCore
import Foundation
import GRDB

/// Translates ``RecallFilters`` into a SQL condition on the `memories` table aliased `m`.
enum MemoryFilter {
    /// `AND …` conditions (possibly empty) and their bound arguments.
    static func clause(_ filters: RecallFilters, at date: Date) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if !filters.sectors.isEmpty {
            conditions.append("m.sector IN (SELECT value FROM json_each(?))")
            arguments += [Column.strings(filters.sectors.map(\.rawValue).sorted())]
        }
        if !filters.contextTypes.isEmpty {
            conditions.append("m.context_type IN (SELECT value FROM json_each(?))")
            arguments += [Column.strings(filters.contextTypes.map(\.rawValue).sorted())]
        }
        for tag in filters.tags.sorted() {
            conditions.append("EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = ?)")
            arguments += [tag]
        }
        if let after = filters.createdAfter {
            conditions.append("m.created_at >= ?")
            arguments += [after.millis]
        }
        if let before = filters.createdBefore {
            conditions.append("m.created_at < ?")
            arguments += [before.millis]
        }
        if let sessionID = filters.sessionID {
            conditions.append("m.session_id = ?")
            arguments += [sessionID]
        }
        if let agentID = filters.agentID {
            conditions.append("m.agent_id = ?")
            arguments += [agentID]
        }
        if !filters.includeInvalid {
            conditions.append("(m.valid_to IS NULL OR m.valid_to > ?)")
            arguments += [date.millis]
        }
        return (conditions.map { "AND " + $0 }.joined(separator: " "), arguments)
    }
}
