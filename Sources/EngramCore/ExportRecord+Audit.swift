import Foundation

extension ExportRecord {
    /// How the audit trail names the row: the noun its actions start with (`memory`, `fact`, `state`…), the target
    /// type (the noun of other operations' lines on such rows) and the target id.
    var auditTarget: (noun: String, type: String, id: String) {
        switch self {
        case .user(let row): ("user", "user", row.id)
        case .agent(let row): ("agent", "agent", row.id)
        case .session(let row): ("session", "session", row.id)
        case .message(let row): ("message", "message", row.id)
        case .workingFact(let row): ("fact", "working_fact", row.id)
        case .memory(let row): ("memory", "memory", row.id)
        case .entityAlias(let row): ("entity_alias", "entity_alias", row.alias)
        case .module(let row): ("module", "module", row.id)
        case .embedding(let row):
            ("embedding", "embedding", "\(row.memoryID)/\(row.sector.rawValue)/\(row.model)/\(row.dimension)")
        case .link(let row): ("link", "link", row.id)
        case .emotion(let row): ("emotion", "memory", row.memoryID)
        case .sessionState(let row):
            (
                "state", "session_state",
                SessionStateKey(
                    userID: row.userID, sessionID: row.sessionID, agentID: row.agentID, module: row.module, key: row.key
                ).auditTarget
            )
        case .feedback(let row): ("feedback", "feedback", row.id)
        case .audit(let row): ("audit", "audit_log", String(row.id))
        }
    }

    /// The SHA-256 digest of the row, as audit lines record rows.
    var auditDigest: String {
        switch self {
        case .user(let row): ContentHash.digest(row)
        case .agent(let row): ContentHash.digest(row)
        case .session(let row): ContentHash.digest(row)
        case .message(let row): ContentHash.digest(row)
        case .workingFact(let row): ContentHash.digest(row)
        case .memory(let row): ContentHash.digest(row)
        case .entityAlias(let row): ContentHash.digest(row)
        case .module(let row): ContentHash.digest(row)
        case .embedding(let row): ContentHash.digest(row)
        case .link(let row): ContentHash.digest(row)
        case .emotion(let row): ContentHash.digest(row)
        case .sessionState(let row): ContentHash.digest(row)
        case .feedback(let row): ContentHash.digest(row)
        case .audit(let row): ContentHash.digest(row)
        }
    }

    /// The audit line `noun.verb` of a row that was written (`removed` false: the row is the line's after) or
    /// deleted (the row is its before).
    func auditEvent(_ verb: String, removed: Bool, reason: String) -> AuditEvent {
        let target = auditTarget
        let digest = auditDigest
        return AuditEvent(
            action: "\(target.noun).\(verb)", targetType: target.type, targetID: target.id,
            beforeDigest: removed ? digest : nil, afterDigest: removed ? nil : digest, reason: reason)
    }
}
