import Foundation

/// A `Codable` value stored as `jsonb`: bind it as a parameter, or decode a `json`/`jsonb` column
/// into it.
public struct PGJSON<Value: Codable & Sendable>: Sendable {
    /// The wrapped value.
    public var value: Value

    /// Wraps a value.
    public init(_ value: Value) { self.value = value }
}

extension PGJSON: PGEncodable {
    public static var pgType: PGType { .jsonb }
    public static var pgFormat: PGFormat { .text }
    public func encode(into buffer: inout [UInt8]) {
        // Encoding a Codable value to JSON only fails for non-finite floats; those become null.
        let data = (try? PGJSONCoders.encoder.encode(value)) ?? Data("null".utf8)
        buffer.append(contentsOf: data)
    }
}

extension PGJSON: PGDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> PGJSON {
        var body = bytes
        switch type {
        case .jsonb:
            guard body.first == 1 else { throw PGDecodingFailure("unsupported jsonb version") }
            body = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        case .json: break
        default: throw PGDecodingFailure()
        }
        do {
            return PGJSON(try PGJSONCoders.decoder.decode(Value.self, from: Data(body)))
        } catch {
            throw PGDecodingFailure("invalid JSON for \(Value.self): \(error)")
        }
    }
}

/// A `json` or `jsonb` column's text, undecoded: to decode it once per distinct value (a cache).
public struct PGJSONText: PGDecodable, Hashable, Sendable {
    /// The JSON text's bytes.
    public let bytes: Data

    public static func decode(from bytes: UnsafeRawBufferPointer, type: PGType) throws -> PGJSONText {
        switch type {
        case .jsonb:
            guard bytes.first == 1 else { throw PGDecodingFailure("unsupported jsonb version") }
            return PGJSONText(bytes: Data(bytes.dropFirst()))
        case .json: return PGJSONText(bytes: Data(bytes))
        default: throw PGDecodingFailure()
        }
    }

    /// The value the text holds.
    public func decoded<Value: Decodable>(as type: Value.Type) throws -> Value {
        try PGJSONCoders.decoder.decode(Value.self, from: bytes)
    }
}

enum PGJSONCoders {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        // Whole seconds: `SLAExplanation.asStored` (RedressStore) repeats this cut for intake's
        // answer, and `StoredExplanationTests` holds the two together.
        encoder.dateEncodingStrategy = .iso8601
        // Keys in any order: a value is bound as `jsonb`, which keeps its keys in an order of its own.
        return encoder
    }()
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
