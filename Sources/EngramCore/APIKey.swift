import Foundation

/// Who a request acts as: the administrator, or one user and nothing else.
public enum Principal: Sendable, Hashable {
    /// Manages users and keys, and acts on any user.
    case admin
    /// Acts on this user's rows only.
    case user(String)

    /// Whether this principal may act on `userID`'s rows.
    public func mayAct(on userID: String) -> Bool {
        switch self {
        case .admin: true
        case .user(let own): own == userID
        }
    }
}

/// An API key as stored: its secret is kept only as a SHA-256 digest, so the key can be checked but never shown
/// again.
public struct APIKey: Sendable, Hashable, Codable {
    /// The key's id, used to list and revoke it; not secret.
    public var id: String
    /// The user the key acts as, or `nil` for an admin key.
    public var userID: String?
    /// A label that says where the key is used.
    public var name: String
    /// The first characters of the secret, so that a person can tell keys apart; not enough to use it.
    public var prefix: String
    public var createdAt: Date
    /// When the key was revoked; a revoked key authenticates nothing.
    public var revokedAt: Date?

    public init(id: String, userID: String?, name: String, prefix: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.userID = userID
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Who the key acts as.
    public var principal: Principal { userID.map(Principal.user) ?? .admin }
}

/// A newly created key with its secret: the only time the secret exists outside the caller's hands.
public struct IssuedAPIKey: Sendable, Hashable, Codable {
    public var key: APIKey
    /// The bearer token: `engram_` then 43 base64url characters of 32 random bytes.
    public var secret: String

    public init(key: APIKey, secret: String) {
        self.key = key
        self.secret = secret
    }
}
