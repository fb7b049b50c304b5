import Crypto
import Foundation

/// Content hashing for de-duplication and audit digests.
public enum ContentHash {
    /// SHA-256 (hex) of `content` after trimming, collapsing white space and lower-casing,
    /// so that trivially different spellings of the same text are one memory.
    public static func of(_ content: String) -> String {
        if let ascii = asciiNormalized(content) { return hex(ascii) }
        return hex(Data(normalized(content).utf8))
    }

    /// `content` lower-cased, with its runs of white-space characters (and any marks combined with them) turned
    /// into single spaces and trimmed away at both ends.
    static func normalized(_ content: String) -> String {
        content.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// What ``normalized(_:)`` gives, as UTF-8, for ASCII text (most text: a byte at a time, about ten times
    /// faster than by characters); `nil` for any other.
    static func asciiNormalized(_ content: String) -> [UInt8]? {
        var isASCII = true
        let bytes = [UInt8](unsafeUninitializedCapacity: content.utf8.count) { buffer, count in
            var pendingSpace = false
            for byte in content.utf8 {
                guard byte < 0x80 else {
                    isASCII = false
                    break
                }
                // ASCII's white space: tab, line feed, vertical tab, form feed, carriage return, space.
                if byte == 0x20 || (0x09...0x0D).contains(byte) {
                    pendingSpace = count > 0
                    continue
                }
                if pendingSpace {
                    buffer[count] = 0x20
                    count += 1
                    pendingSpace = false
                }
                buffer[count] = (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
                count += 1
            }
        }
        return isASCII ? bytes : nil
    }

    /// SHA-256 (hex) of raw bytes.
    public static func hex(_ data: some DataProtocol) -> String {
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
