import EngramCore
import Foundation
import NIOCore
import PostgresNIO

/// A timestamp that round-trips exactly at millisecond precision (Engram's unit), as `timestamptz`.
struct Timestamp: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
    /// Milliseconds since 1970.
    var millis: Int64

    init(_ date: Date) { millis = Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    var date: Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    /// Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
    private static let epochOffsetMicros: Int64 = 946_684_800_000_000

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<E: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<E>) {
        buffer.writeInteger(millis * 1000 - Self.epochOffsetMicros)
    }

    init<D: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<D>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary,
            let micros = buffer.readInteger(as: Int64.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        let total = micros + Self.epochOffsetMicros
        // Round to the nearest millisecond (floor division keeps negative times right).
        millis = (total + 500).quotientFloor(1000)
    }
}

extension Int64 {
    fileprivate func quotientFloor(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

extension Date {
    /// This date as the database stores it.
    var timestamp: Timestamp { Timestamp(self) }
}

/// A pgvector `vector`, bound in binary: `UInt16 dim, UInt16 0, dim × Float32` big-endian.
/// The type's OID differs per database, so it is looked up once per driver.
struct PGVector: PostgresDynamicTypeEncodable, PostgresDecodable, Sendable {
    var values: [Float]
    var oid: PostgresDataType

    init(_ values: [Float], oid: PostgresDataType) {
        self.values = values
        self.oid = oid
    }

    var psqlType: PostgresDataType { oid }
    var psqlFormat: PostgresFormat { .binary }

    func encode<E: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<E>) {
        buffer.writeInteger(UInt16(values.count))
        buffer.writeInteger(UInt16(0))
        for value in values { buffer.writeInteger(value.bitPattern) }
    }

    init<D: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<D>
    ) throws {
        guard format == .binary, let dimension = buffer.readInteger(as: UInt16.self),
            buffer.readInteger(as: UInt16.self) != nil
        else { throw PostgresDecodingError.Code.typeMismatch }
        var values: [Float] = []
        values.reserveCapacity(Int(dimension))
        for _ in 0..<dimension {
            guard let bits = buffer.readInteger(as: UInt32.self) else { throw PostgresDecodingError.Code.failure }
            values.append(Float(bitPattern: bits))
        }
        self.init(values, oid: type)
    }
}

/// JSON values travel as `jsonb` text.
extension JSONValue {
    /// The value as a bindable jsonb parameter.
    var jsonb: JSONB { JSONB(text: jsonText) }
}

/// A jsonb parameter or column, carried as its text.
struct JSONB: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
    var text: String

    static var psqlType: PostgresDataType { .jsonb }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<E: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<E>) {
        buffer.writeInteger(UInt8(1))
        buffer.writeString(text)
    }

    init(text: String) { self.text = text }

    init<D: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<D>
    ) throws {
        switch (type, format) {
        case (.jsonb, .binary):
            guard buffer.readInteger(as: UInt8.self) == 1 else { throw PostgresDecodingError.Code.failure }
            text = buffer.readString(length: buffer.readableBytes) ?? "null"
        case (.json, _), (.jsonb, .text), (.text, _), (.varchar, _):
            text = buffer.readString(length: buffer.readableBytes) ?? "null"
        default:
            throw PostgresDecodingError.Code.typeMismatch
        }
    }

    /// The decoded value; `null` when the text is not JSON.
    var value: JSONValue { (try? JSONValue.parse(text, field: "json")) ?? .null }
}
