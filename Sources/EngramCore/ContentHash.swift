import Crypto
import Foundation

/// Content hashing for de-duplication and audit digests.
public enum ContentHash {
    /// SHA-256 (hex) of `content` after trimming, collapsing white space and lower-casing,
    /// so that trivially different spellings of the same text are one memory.
    public static func of(_ content: String) -> String {
        let normalized = content.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return hex(Data(normalized.utf8))
    }

    /// SHA-256 (hex) of raw bytes.
    public static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in SHA256.hash(data: data) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// SHA-256 (hex) of a value's canonical JSON encoding: the audit log's before/after digests.
    public static func digest(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return hex((try? encoder.encode(value)) ?? Data())
    }
}
