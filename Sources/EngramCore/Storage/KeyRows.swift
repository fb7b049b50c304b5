import Foundation

/// Row operations on API keys: store-level administration, run in a ``StorageScope/store`` transaction (a user's
/// keys are also deleted with the user's other rows when it is erased). A key's secret is never stored; only the
/// SHA-256 digest of it is.
public protocol KeyRows {
    /// Inserts a key with the digest (SHA-256, hex) of its secret.
    func insertKey(_ key: APIKey, secretHash: String) async throws
    /// The key with `id`, revoked or not.
    func key(id: String) async throws -> APIKey?
    /// The key whose secret has the digest `secretHash`, revoked or not, with the digest as stored (which the caller
    /// compares in constant time: the lookup's own comparison may not be exact, say under a collation).
    func key(secretHash: String) async throws -> (key: APIKey, secretHash: String)?
    /// Keys newest first (then by id), revoked ones included; only `userID`'s when set.
    func keys(userID: String?) async throws -> [APIKey]
    /// Marks the key revoked at `date` unless it already is; returns whether it did.
    func revokeKey(id: String, at date: Date) async throws -> Bool
}
