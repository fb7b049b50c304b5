import EngramCore
import Foundation
import Testing

@testable import EngramTestSupport

/// API keys: created for a user or as admin, authenticated by secret, listed, revoked, erased with their user, and
/// never stored or exported as secrets.
@Suite struct APIKeyTests {
    @Test(arguments: Backend.allCases)
    func userAndAdminKeysAuthenticateAsTheirPrincipals(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user("alice")
        let issued = try await h.store.createAPIKey(userID: "alice", name: "  laptop  ")
        #expect(issued.secret.hasPrefix("engram_"))
        #expect(issued.secret.utf8.count == 50)
        #expect(issued.secret.dropFirst(7).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(issued.key.prefix == String(issued.secret.prefix(12)))
        #expect(issued.key.id.hasPrefix("key_"))
        #expect(issued.key.id.count == 20)
        #expect(issued.key.id.dropFirst(4).allSatisfy { $0.isHexDigit })
        #expect(issued.key.userID == "alice")
        #expect(issued.key.name == "laptop")
        #expect(issued.key.createdAt == h.now)
        #expect(issued.key.revokedAt == nil)
        #expect(try await h.store.authenticate(secret: issued.secret) == .user("alice"))

        h.clock.advance(by: 60)
        let admin = try await h.store.createAPIKey(userID: nil, name: "ops")
        #expect(admin.key.userID == nil)
        #expect(admin.secret != issued.secret)
        #expect(try await h.store.authenticate(secret: admin.secret) == .admin)
        // Newest first; what is listed is what was issued, without the secret.
        #expect(try await h.store.apiKeys(userID: nil) == [admin.key, issued.key])
        #expect(try await h.store.apiKeys(userID: "alice") == [issued.key])
        let audit = try await h.store.auditLog(userID: "alice", limit: 10)
        #expect(audit.first?.action == "key.create")
        #expect(audit.first?.targetType == "api_key")
        #expect(audit.first?.targetID == issued.key.id)
        #expect(audit.filter { $0.action.hasPrefix("key.") }.count == 1, "an admin key audits nothing")
    }

    @Test(arguments: Backend.allCases)
    func unknownMalformedAndRevokedSecretsAreRefusedAlike(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user("alice")
        let issued = try await h.store.createAPIKey(userID: "alice", name: "laptop")
        var other = Array(issued.secret)
        other[other.count - 2] = other[other.count - 2] == "A" ? "B" : "A"
        let unknown = String(other)
        let refused = [
            unknown, "", "engram_", "nonsense", issued.secret + "x", String(issued.secret.dropLast()),
            "ENGRAM_" + issued.secret.dropFirst(7), issued.secret.replacingOccurrences(of: "engram_", with: "engram-"),
            String(issued.secret.prefix(49)) + "=", " " + issued.secret, issued.key.id, issued.key.prefix,
        ]
        var messages: Set<String> = []
        for secret in refused {
            let error = await expectEngramError(.unauthenticated, "\(secret)") {
                try await h.store.authenticate(secret: secret)
            }
            messages.insert(error?.message ?? "")
        }
        _ = try await h.store.revokeAPIKey(id: issued.key.id)
        let revoked = await expectEngramError(.unauthenticated) {
            try await h.store.authenticate(secret: issued.secret)
        }
        messages.insert(revoked?.message ?? "")
        #expect(messages.count == 1, "one message for every refusal: \(messages)")
        #expect(messages.allSatisfy { !$0.contains("revoked") && !$0.contains("unknown") && !$0.isEmpty })
    }

    @Test(arguments: Backend.allCases)
    func revokingIsIdempotentListedAndAudited(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user("alice")
        let issued = try await h.store.createAPIKey(userID: "alice", name: "laptop")
        let kept = try await h.store.createAPIKey(userID: "alice", name: "phone")
        h.clock.advance(by: 60)
        let revoked = try await h.store.revokeAPIKey(id: issued.key.id)
        #expect(revoked.revokedAt == h.now)
        #expect(revoked.id == issued.key.id && revoked.name == "laptop" && revoked.createdAt == issued.key.createdAt)
        let revokedAt = h.now
        h.clock.advance(by: 60)
        #expect(try await h.store.revokeAPIKey(id: issued.key.id) == revoked, "revoking again changes nothing")
        #expect(try await h.store.apiKeys(userID: "alice").first { $0.id == issued.key.id }?.revokedAt == revokedAt)
        #expect(try await h.store.authenticate(secret: kept.secret) == .user("alice"))
        let actions = try await h.store.auditLog(userID: "alice", limit: 10).map(\.action)
        #expect(actions.filter { $0 == "key.revoke" }.count == 1)
        #expect(actions.filter { $0 == "key.create" }.count == 2)

        let admin = try await h.store.createAPIKey(userID: nil, name: "ops")
        #expect(try await h.store.revokeAPIKey(id: admin.key.id).revokedAt == h.now)
        await expectEngramError(.unauthenticated) { try await h.store.authenticate(secret: admin.secret) }
        await expectEngramError(.keyNotFound) { try await h.store.revokeAPIKey(id: "key_0000000000000000") }
        await expectEngramError(.invalidIdentifier) { try await h.store.revokeAPIKey(id: "  ") }
    }

    @Test(arguments: Backend.allCases)
    func keysOfOneUserAreNotListedForAnother(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user("alice")
        try await h.user("bob")
        let alice = try await h.store.createAPIKey(userID: "alice", name: "a")
        let bob = try await h.store.createAPIKey(userID: "bob", name: "b")
        _ = try await h.store.createAPIKey(userID: nil, name: "admin")
        #expect(try await h.store.apiKeys(userID: "alice").map(\.id) == [alice.key.id])
        #expect(try await h.store.apiKeys(userID: "bob").map(\.id) == [bob.key.id])
        #expect(try await h.store.apiKeys(userID: nil).count == 3)
        #expect(try await h.store.authenticate(secret: bob.secret) == .user("bob"))
        #expect(try await h.store.auditLog(userID: "bob", limit: 10).allSatisfy { $0.targetID != alice.key.id })
        await expectEngramError(.userNotFound) { try await h.store.apiKeys(userID: "carol") }
    }

    @Test(arguments: Backend.allCases)
    func aKeyNeedsAnExistingUserAndAName(backend: Backend) async throws {
        let h = try Harness(backend)
        await expectEngramError(.userNotFound) { try await h.store.createAPIKey(userID: "nobody", name: "x") }
        try await h.user("alice")
        await expectEngramError(.emptyContent) { try await h.store.createAPIKey(userID: "alice", name: " \n ") }
        let long = String(repeating: "é", count: 101)
        await expectEngramError(.contentTooLarge) { try await h.store.createAPIKey(userID: "alice", name: long) }
        await expectEngramError(.invalidArgument) { try await h.store.createAPIKey(userID: "alice", name: "a\nb") }
        await expectEngramError(.invalidIdentifier) { try await h.store.createAPIKey(userID: " ", name: "x") }
        #expect(try await h.store.apiKeys(userID: nil).isEmpty)
        let longest = String(repeating: "é", count: 100)
        #expect(try await h.store.createAPIKey(userID: "alice", name: longest).key.name == longest)
    }

    @Test(arguments: Backend.allCases)
    func erasingAUserDeletesItsKeysAndCountsThem(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user("alice")
        try await h.user("bob")
        let first = try await h.store.createAPIKey(userID: "alice", name: "laptop")
        let second = try await h.store.createAPIKey(userID: "alice", name: "phone")
        _ = try await h.store.revokeAPIKey(id: second.key.id)
        let bob = try await h.store.createAPIKey(userID: "bob", name: "bob")
        let admin = try await h.store.createAPIKey(userID: nil, name: "ops")
        let receipt = try await h.store.eraseUser("alice")
        #expect(receipt.deleted["api_keys"] == 2)
        #expect(receipt.total == receipt.deleted.values.reduce(0, +))
        await expectEngramError(.unauthenticated) { try await h.store.authenticate(secret: first.secret) }
        await expectEngramError(.keyNotFound) { try await h.store.revokeAPIKey(id: first.key.id) }
        #expect(try await h.store.apiKeys(userID: nil).map(\.id).sorted() == [admin.key.id, bob.key.id].sorted())
        #expect(try await h.store.authenticate(secret: bob.secret) == .user("bob"))
        #expect(try await h.store.authenticate(secret: admin.secret) == .admin)
        // A new user of the same id gets none of the old keys.
        try await h.user("alice")
        #expect(try await h.store.apiKeys(userID: "alice").isEmpty)
        await expectEngramError(.unauthenticated) { try await h.store.authenticate(secret: first.secret) }
    }

    @Test(arguments: Backend.allCases)
    func exportsHoldNoKeysAndImportingBringsNoneBack(backend: Backend) async throws {
        let h = try Harness(backend)
        try await buildRichDataset(h, userID: "alice")
        let issued = try await h.store.createAPIKey(userID: "alice", name: "laptop")
        let records = try await h.store.export(userID: "alice")
        let lines = try await h.exportLines("alice")
        #expect(!records.map(\.table).contains("api_keys"))
        #expect(!StorageTable.exportOrder.contains(.apiKeys))
        #expect(lines.allSatisfy { !$0.contains(issued.secret) && !$0.contains(issued.key.prefix) })
        #expect(lines.allSatisfy { !$0.contains(ContentHash.hex(Data(issued.secret.utf8))) })

        _ = try await h.store.eraseUser("alice")
        _ = try await h.store.importRecords(records, scope: .user("alice"))
        #expect(
            Array(try await h.exportLinesWithoutImports("alice").dropLast()) == lines,
            "all back, and the erasure's line")
        #expect(try await h.store.apiKeys(userID: "alice").isEmpty)
        await expectEngramError(.unauthenticated) { try await h.store.authenticate(secret: issued.secret) }
    }

    @Test(arguments: Backend.allCases)
    func theDatabaseStoresTheDigestAndNeverTheSecret(backend: Backend) async throws {
        let h = try Harness(backend)
        try await h.user("alice")
        let user = try await h.store.createAPIKey(userID: "alice", name: "laptop")
        let admin = try await h.store.createAPIKey(userID: nil, name: "ops")
        _ = try await h.store.revokeAPIKey(id: user.key.id)
        for issued in [user, admin] {
            // The scan sees stored rows: the digest is there.
            #expect(try await isStoredAnywhere(ContentHash.hex(Data(issued.secret.utf8)), in: h.store))
            #expect(try await !isStoredAnywhere(issued.secret, in: h.store))
            #expect(try await !isStoredAnywhere(String(issued.secret.dropFirst(12)), in: h.store))
        }
    }
}
