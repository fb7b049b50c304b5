import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562): the Unix time in milliseconds (to the nearest, as Engram stores times) in its
    /// first 48 bits, then 74 random bits. Ids made later sort later, so a B-tree keyed by them (a table's
    /// `(user_id, id)` key, the vectors' key) takes new rows on its last pages instead of on random ones, and a
    /// batch's commit writes a few pages per index rather than one per row.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        let millis = UInt64(max(0, (date.timeIntervalSince1970 * 1_000).rounded()))
        var value = UUID().uuid  // random bits, the version's and variant's overwritten below
        withUnsafeMutableBytes(of: &value) { bytes in
            for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
            bytes[6] = bytes[6] & 0x0F | 0x70  // version 7
            bytes[8] = bytes[8] & 0x3F | 0x80  // the RFC 9562 variant
        }
        return UUID(uuid: value)
    }

    /// A new id as Engram stores ids: a ``timeOrdered(at:)`` UUID in lower case.
    public static func newID() -> String { timeOrdered().uuidString.lowercased() }
}
