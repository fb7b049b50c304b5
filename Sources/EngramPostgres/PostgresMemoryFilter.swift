import EngramCore
import Foundation
import PostgresNIO

/// Translates ``RecallFilters`` into conditions on the `memories` table aliased `m`, every value a bind.
enum PostgresMemoryFilter {
    /// Appends ` AND …` conditions (possibly none) to `query`.
    static func append(_ filters: RecallFilters, at date: Date, to query: inout PostgresQuery) throws {
        if !filters.sectors.isEmpty {
            query.sql += " AND m.sector = ANY(\(try query.bind(filters.sectors.map(\.rawValue).sorted())))"
        }
        if !filters.contextTypes.isEmpty {
            query.sql += " AND m.context_type = ANY(\(try query.bind(filters.contextTypes.map(\.rawValue).sorted())))"
        }
        if !filters.tags.isEmpty {
            query.sql += " AND m.tags @> \(try query.bind(filters.tags.sorted()))"
        }
        if let after = filters.createdAfter {
            query.sql += " AND m.created_at >= \(try query.bind(after.timestamp))"
        }
        if let before = filters.createdBefore {
            query.sql += " AND m.created_at < \(try query.bind(before.timestamp))"
        }
        if let sessionID = filters.sessionID {
            query.sql += " AND m.session_id = \(try query.bind(sessionID))"
        }
        if let agentID = filters.agentID {
            query.sql += " AND m.agent_id = \(try query.bind(agentID))"
        }
        if let viewer = filters.viewer {
            query.sql += " AND (m.visibility = 'shared' OR m.agent_id = \(try query.bind(viewer)))"
        }
        if !filters.includeInvalid {
            query.sql += " AND (m.valid_to IS NULL OR m.valid_to > \(try query.bind(date.timestamp)))"
        }
    }
}

extension PostgresQuery {
    /// Binds `value` as the next parameter and returns its placeholder (`$n`), for queries assembled in parts.
    mutating func bind(_ value: some PostgresThrowingDynamicTypeEncodable) throws -> String {
        try binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds `values` (`nil` as NULL) and returns their placeholders as one row of a multi-row `VALUES`: `($n, …)`.
    mutating func row<each Value: PostgresThrowingDynamicTypeEncodable>(_ values: repeat (each Value)?) throws -> String
    {
        var placeholders: [String] = []
        for value in repeat each values {
            try binds.append(value)
            placeholders.append("$\(binds.count)")
        }
        return "(" + placeholders.joined(separator: ", ") + ")"
    }
}
