import Crypto
import Foundation

/// How API-key secrets and ids are made, recognised and kept: a secret is `engram_` then the base64url (no
/// padding) of 32 bytes from the system's cryptographically secure generator; the store keeps only its SHA-256
/// digest and its first ``prefixLength`` characters.
enum APIKeySecret {
    /// What every secret starts with, so that a leaked one is easy to recognise (and to scan for).
    static let scheme = "engram_"
    /// The length of a secret: the scheme and 43 base64url characters (256 bits).
    static let length = scheme.utf8.count + 43
    /// How many of the secret's first characters are stored and shown, to tell keys apart.
    static let prefixLength = 12
    /// The characters of base64url.
    static let base64URLAlphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A new secret.
    static func generate() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let base64URL = bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return scheme + base64URL
    }

    /// A new key id: `key_` then 16 random hexadecimal digits.
    static func newKeyID() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = String(generator.next() as UInt64, radix: 16)
        return "key_" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Whether `secret` has the form of a secret (the scheme, then 43 base64url characters).
    static func isWellFormed(_ secret: String) -> Bool {
        let bytes = Array(secret.utf8)
        guard bytes.count == length, secret.hasPrefix(scheme) else { return false }
        return bytes.dropFirst(scheme.utf8.count).allSatisfy(base64URLAlphabet.contains)
    }

    /// What the store keeps of a secret: the SHA-256 (hex) of the whole secret.
    static func digest(_ secret: String) -> String { ContentHash.hex(Data(secret.utf8)) }

    /// Whether `a` and `b` are the same bytes, in a time that depends on their lengths only.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let (a, b) = (Array(a.utf8), Array(b.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The part of the secret that is stored and shown.
    static func prefix(_ secret: String) -> String { String(secret.prefix(prefixLength)) }
}
