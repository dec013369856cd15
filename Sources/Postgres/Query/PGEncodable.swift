import Foundation

/// A Swift value that can be bound as a statement parameter.
public protocol PGEncodable: Sendable {
    /// The PostgreSQL type the value is sent as; `.unspecified` lets the server infer it.
    static var pgType: PGType { get }
    /// Whether the bytes are text or binary.
    static var pgFormat: PGFormat { get }
    /// Appends the value's bytes in `pgFormat`.
    func encode(into buffer: inout [UInt8])
}

extension String: PGEncodable {
    /// Sent untyped, so the server reads it as whatever the statement needs (text, uuid, enum…).
    public static var pgType: PGType { .unspecified }
    public static var pgFormat: PGFormat { .text }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Substring: PGEncodable {
    public static var pgType: PGType { .unspecified }
    public static var pgFormat: PGFormat { .text }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Bool: PGEncodable {
    public static var pgType: PGType { .bool }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
}

extension Int: PGEncodable {
    public static var pgType: PGType { .int8 }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) { Int64(self).appendBigEndian(to: &buffer) }
}

extension Int64: PGEncodable {
    public static var pgType: PGType { .int8 }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(to: &buffer) }
}

extension Int32: PGEncodable {
    public static var pgType: PGType { .int4 }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(to: &buffer) }
}

extension Int16: PGEncodable {
    public static var pgType: PGType { .int2 }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(to: &buffer) }
}

extension Double: PGEncodable {
    public static var pgType: PGType { .float8 }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) { bitPattern.appendBigEndian(to: &buffer) }
}

extension Decimal: PGEncodable {
    public static var pgType: PGType { .numeric }
    public static var pgFormat: PGFormat { .text }
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: NSDecimalNumber(decimal: self).description(withLocale: nil).utf8)
    }
}

extension UUID: PGEncodable {
    public static var pgType: PGType { .uuid }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) {
        withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) }
    }
}

extension Date: PGEncodable {
    /// Sent as `timestamptz`: microseconds since 2000-01-01 UTC.
    public static var pgType: PGType { .timestamptz }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) {
        let micros = ((timeIntervalSince1970 - PGEpoch.unixOffset) * 1_000_000).rounded()
        Int64(micros).appendBigEndian(to: &buffer)
    }
}

extension Data: PGEncodable {
    public static var pgType: PGType { .bytea }
    public static var pgFormat: PGFormat { .binary }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: self) }
}

/// The PostgreSQL epoch (2000-01-01 UTC) relative to the Unix epoch.
enum PGEpoch {
    static let unixOffset: TimeInterval = 946_684_800
}

extension FixedWidthInteger {
    func appendBigEndian(to buffer: inout [UInt8]) {
        withUnsafeBytes(of: bigEndian) { buffer.append(contentsOf: $0) }
    }
}
