import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562): the Unix time in milliseconds (to the nearest, as Engram stores times) in its
    /// first 48 bits, then 74 random bits. Ids
    /// made later sort later, so a B-tree keyed by them (a table's `(user_id, id)` key, the vectors' key) takes new
    /// rows on its last pages instead of on random ones, and a batch's commit writes a few pages per index rather
    /// than one per row.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, (date.timeIntervalSince1970 * 1_000).rounded()))
        let (high, low) = (generator.next() as UInt64, generator.next() as UInt64)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * index)) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 8))) }
        bytes[6] = bytes[6] & 0x0F | 0x70  // version 7
        bytes[8] = bytes[8] & 0x3F | 0x80  // the RFC 9562 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// A new id as Engram stores ids: a ``timeOrdered(at:)`` UUID in lower case.
    public static func newID() -> String { timeOrdered().uuidString.lowercased() }
}
