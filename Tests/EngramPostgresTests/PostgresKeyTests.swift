import EngramCore
import Foundation
import PostgresNIO
import Testing

@testable import EngramPostgres

/// API keys under row-level security: store-level rows, which a user-scoped transaction sees only when they are
/// its user's own, and a connection that sets no scope never sees.
@Suite(.enabled(if: serverAvailable, "needs ENGRAM_TEST_DATABASE_URL (scripts/test.sh starts the server)"))
struct PostgresKeyTests {
    @Test func aUserScopeSeesOnlyItsOwnKeysAndAnUnscopedConnectionNone() async throws {
        try await withIsolatedService { store, driver in
            for user in ["alice", "bob"] { _ = try await store.createUser(UserDraft(id: user)) }
            let alice = try await store.createAPIKey(userID: "alice", name: "a")
            _ = try await store.createAPIKey(userID: "bob", name: "b")
            _ = try await store.createAPIKey(userID: nil, name: "admin")
            func keyIDs(_ scope: StorageScope) async throws -> [String] {
                try await driver.transaction(scope) { connection in
                    try await connection.rows("SELECT id FROM api_keys ORDER BY id", logger: testLogger) {
                        try $0.decode(String.self)
                    }
                }
            }
            #expect(try await keyIDs(.user("alice")) == [alice.key.id])
            #expect(try await keyIDs(.store).count == 3)
            let unscoped = try await driver.client.withConnection { connection -> [Int] in
                let table = driver.postgres.schema + ".api_keys"
                return try await connection.rows("SELECT count(*)::int FROM \(unescaped: table)", logger: testLogger) {
                    try $0.decode(Int.self)
                }
            }
            #expect(unscoped == [0])
        }
    }
}
