// TEMPORARY until the keys branch lands: the API the HTTP layer calls.
import EngramCore

extension MemoryService {
    public func createAPIKey(userID: String?, name: String) async throws -> IssuedAPIKey { fatalError() }
    public func apiKeys(userID: String?) async throws -> [APIKey] { [] }
    public func revokeAPIKey(id: String) async throws -> APIKey { fatalError() }
    public func authenticate(secret: String) async throws -> Principal {
        guard secret == "engram_test_admin" else { throw EngramError(.unauthenticated, "no") }
        return .admin
    }
}
