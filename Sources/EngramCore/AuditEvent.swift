/// One line of the audit trail before it is numbered: what was done to which row and why, with digests of the row
/// before and after (SHA-256 of its canonical JSON; never the content itself).
public struct AuditEvent: Sendable, Hashable {
    public var action: String
    public var targetType: String
    public var targetID: String
    public var beforeDigest: String?
    public var afterDigest: String?
    /// Why the service wrote the line, when the action alone does not say: a short machine-phrased reason such as
    /// `recall reinforcement` or `decay sweep`, never user content.
    public var reason: String?

    /// An event whose digests are already computed.
    public init(
        action: String, targetType: String, targetID: String, beforeDigest: String?, afterDigest: String?,
        reason: String? = nil
    ) {
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.beforeDigest = beforeDigest
        self.afterDigest = afterDigest
        self.reason = reason
    }

    /// An event with the digests of `before` and `after` (either may be absent).
    public init(
        _ action: String, _ targetType: String, _ targetID: String, before: (any Encodable)?, after: (any Encodable)?,
        reason: String? = nil
    ) {
        self.init(
            action: action, targetType: targetType, targetID: targetID,
            beforeDigest: before.map { ContentHash.digest($0) }, afterDigest: after.map { ContentHash.digest($0) },
            reason: reason)
    }
}
