import Testing

@testable import EngramCore

@Suite struct APIKeySecretTests {
    @Test func constantTimeEqualityIsExactEquality() {
        let digest = APIKeySecret.digest("engram_" + String(repeating: "a", count: 43))
        #expect(APIKeySecret.constantTimeEquals(digest, digest))
        #expect(!APIKeySecret.constantTimeEquals(digest, String(digest.dropLast()) + "0"))
        #expect(!APIKeySecret.constantTimeEquals(digest, digest.uppercased()))
        #expect(!APIKeySecret.constantTimeEquals(digest, String(digest.dropLast())))
        #expect(APIKeySecret.constantTimeEquals("", ""))
    }
}
