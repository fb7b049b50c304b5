import Foundation

extension MemoryService {
    // MARK: API keys

    /// The longest key name, in bytes.
    public static let maxKeyNameBytes = 200

    /// Creates a key for `userID` (which must exist), or an admin key when `userID` is nil. The secret is returned once.
    ///
    /// Only the secret's SHA-256 digest and its first characters are stored. A user key writes a `key.create` line
    /// to the user's audit trail; an admin key belongs to no user and writes none.
    public func createAPIKey(userID: String?, name: String) async throws -> IssuedAPIKey {
        let userID = try userID.map { try validator.identifier($0, field: "user id") }
        let name = try validator.name(name, field: "key name", maxBytes: Self.maxKeyNameBytes)
        let secret = APIKeySecret.generate()
        let key = APIKey(
            id: APIKeySecret.newKeyID(), userID: userID, name: name, prefix: APIKeySecret.prefix(secret),
            createdAt: now(), revokedAt: nil)
        try await write(.store) { tx in
            if let userID { try await self.requireUser(tx, userID) }
            try await tx.insertKey(key, secretHash: APIKeySecret.digest(secret))
            try await self.auditKey(tx, key, AuditEvent("key.create", "api_key", key.id, before: nil, after: key))
        }
        return IssuedAPIKey(key: key, secret: secret)
    }

    /// Keys, newest first; only `userID`'s when given. Revoked keys included (revokedAt set).
    public func apiKeys(userID: String?) async throws -> [APIKey] {
        let userID = try userID.map { try validator.identifier($0, field: "user id") }
        return try await read(.store) { tx in
            if let userID { try await self.requireUser(tx, userID) }
            return try await tx.keys(userID: userID)
        }
    }

    /// Revokes a key (idempotent on an already revoked key); throws key_not_found.
    public func revokeAPIKey(id: String) async throws -> APIKey {
        let id = try validator.identifier(id, field: "key id")
        let date = now()
        return try await write(.store) { tx in
            let before = try await self.requireKey(tx, id)
            // Already revoked, now or by a concurrent revocation: nothing changes, nothing is audited.
            guard before.revokedAt == nil, try await tx.revokeKey(id: id, at: date) else {
                return try await self.requireKey(tx, id)
            }
            var after = before
            after.revokedAt = date
            try await self.auditKey(tx, after, AuditEvent("key.revoke", "api_key", id, before: before, after: after))
            return after
        }
    }

    /// Who `secret` acts as; throws `unauthenticated` for an unknown, malformed or revoked secret (same message for all; never say which).
    ///
    /// The key is found by the SHA-256 digest of the secret, never by the secret: how long the lookup takes depends
    /// on the digest, which tells an attacker nothing about any stored secret. The digest the store holds is then
    /// compared with the secret's in constant time, so that only an exact match authenticates.
    public func authenticate(secret: String) async throws -> Principal {
        guard APIKeySecret.isWellFormed(secret) else { throw EngramError.unauthenticated }
        let digest = APIKeySecret.digest(secret)
        let found = try await read(.store) { tx in try await tx.key(secretHash: digest) }
        guard let found, APIKeySecret.constantTimeEquals(found.secretHash, digest), found.key.revokedAt == nil else {
            throw EngramError.unauthenticated
        }
        return found.key.principal
    }

    /// The key, or `key_not_found`.
    func requireKey(_ tx: any StorageTransaction, _ id: String) async throws -> APIKey {
        guard let key = try await tx.key(id: id) else { throw EngramError.keyNotFound }
        return key
    }

    /// Writes `event` to the audit trail of `key`'s user; an admin key has no user, and no trail.
    private func auditKey(_ tx: any StorageTransaction, _ key: APIKey, _ event: AuditEvent) async throws {
        guard let userID = key.userID else { return }
        try await audit(tx, userID: userID, event, at: key.revokedAt ?? key.createdAt)
    }
}
