import Foundation

/// A Swift type that a result value can be decoded into. Results arrive in binary format.
public protocol PGDecodable: Sendable {
    /// Decodes a non-NULL value of PostgreSQL type `type`.
    /// Throws `PGDecodingFailure` when the type does not fit or the bytes are malformed.
    static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Self
    /// The value for SQL NULL; throws unless the type is optional.
    static func decodeNull(type: PGType) throws -> Self
}

extension PGDecodable {
    /// NULL is an error for a non-optional type.
    public static func decodeNull(type: PGType) throws -> Self {
        throw PGDecodingFailure("NULL where \(Self.self) was expected")
    }
}

/// Why one value could not be decoded; the row adds the column and both types.
public struct PGDecodingFailure: Error, Sendable {
    /// The reason, when more is known than a type mismatch.
    public var reason: String?
    /// A failure, optionally with its reason.
    public init(_ reason: String? = nil) { self.reason = reason }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Wrapped? {
        try Wrapped.decode(from: bytes, type: type)
    }
    public static func decodeNull(type: PGType) throws -> Wrapped? { nil }
}

extension String: PGDecodable {
    /// Accepts the text-like types, `json`, and user-defined types such as enums (sent as text).
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> String {
        switch type {
        case .text, .varchar, .bpchar, .name, .unknown, .json:
            return String(decoding: bytes, as: UTF8.self)
        case .jsonb:
            guard bytes.first == 1 else { throw PGDecodingFailure("unsupported jsonb version") }
            return String(decoding: bytes.dropFirst(), as: UTF8.self)
        case .numeric:
            return try PGNumeric.string(from: bytes)
        default:
            if type.isUserDefined { return String(decoding: bytes, as: UTF8.self) }
            throw PGDecodingFailure()
        }
    }
}

extension Bool: PGDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Bool {
        guard type == .bool, bytes.count == 1 else { throw PGDecodingFailure() }
        return bytes[0] != 0
    }
}

extension Int: PGDecodable {
    /// Accepts `int2`, `int4`, `int8` and `oid`.
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Int {
        switch type {
        case .int8: return Int(try bytes.readInteger(Int64.self))
        case .int4: return Int(try bytes.readInteger(Int32.self))
        case .int2: return Int(try bytes.readInteger(Int16.self))
        case .oidType: return Int(try bytes.readInteger(UInt32.self))
        default: throw PGDecodingFailure()
        }
    }
}

extension Int64: PGDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Int64 {
        Int64(try Int.decode(from: bytes, type: type))
    }
}

extension Int32: PGDecodable {
    /// Accepts `int2` and `int4`.
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Int32 {
        switch type {
        case .int4: return try bytes.readInteger(Int32.self)
        case .int2: return Int32(try bytes.readInteger(Int16.self))
        default: throw PGDecodingFailure()
        }
    }
}

extension Int16: PGDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Int16 {
        guard type == .int2 else { throw PGDecodingFailure() }
        return try bytes.readInteger(Int16.self)
    }
}

extension Double: PGDecodable {
    /// Accepts `float4`, `float8` and `numeric`.
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Double {
        switch type {
        case .float8: return Double(bitPattern: try bytes.readInteger(UInt64.self))
        case .float4: return Double(Float(bitPattern: try bytes.readInteger(UInt32.self)))
        case .numeric:
            guard let value = Double(try PGNumeric.string(from: bytes)) else { throw PGDecodingFailure("NaN numeric") }
            return value
        default: throw PGDecodingFailure()
        }
    }
}

extension Decimal: PGDecodable {
    /// Accepts `numeric` and the integer types.
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Decimal {
        switch type {
        case .numeric:
            let text = try PGNumeric.string(from: bytes)
            guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw PGDecodingFailure("numeric \(text) has no Decimal form")
            }
            return value
        case .int2, .int4, .int8: return Decimal(try Int.decode(from: bytes, type: type))
        default: throw PGDecodingFailure()
        }
    }
}

extension UUID: PGDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> UUID {
        guard type == .uuid, bytes.count == 16 else { throw PGDecodingFailure() }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: bytes) }
        return UUID(uuid: raw)
    }
}

extension Date: PGDecodable {
    /// Accepts `timestamptz` and `timestamp` (read as UTC). Infinite values are refused.
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Date {
        guard type == .timestamptz || type == .timestamp else { throw PGDecodingFailure() }
        let micros = try bytes.readInteger(Int64.self)
        guard micros != .max, micros != .min else { throw PGDecodingFailure("infinite timestamp") }
        return Date(timeIntervalSince1970: PGEpoch.unixOffset + Double(micros) / 1_000_000)
    }
}

extension Data: PGDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> Data {
        guard type == .bytea else { throw PGDecodingFailure() }
        return Data(bytes)
    }
}

extension Array: PGDecodable where Element: PGDecodable {
    /// Decodes a one-dimensional array (an empty array has zero dimensions).
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> [Element] {
        var reader = PGBinaryReader(bytes)
        let dimensions = try reader.read(Int32.self)
        _ = try reader.read(Int32.self)  // has-nulls flag
        let elementType = PGType(rawValue: try reader.read(UInt32.self))
        if dimensions == 0 { return [] }
        guard dimensions == 1 else { throw PGDecodingFailure("\(dimensions)-dimensional array") }
        let count = Int(try reader.read(Int32.self))
        _ = try reader.read(Int32.self)  // lower bound
        var result: [Element] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let length = Int(try reader.read(Int32.self))
            if length < 0 {
                result.append(try Element.decodeNull(type: elementType))
            } else {
                result.append(try Element.decode(from: try reader.bytes(length), type: elementType))
            }
        }
        return result
    }
}
