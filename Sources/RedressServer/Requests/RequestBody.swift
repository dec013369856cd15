import Foundation
import Hummingbird
import RedressAPI
import RedressStore

/// A JSON request body that names every field it accepts, so unknown fields are refused.
protocol StrictBody: Decodable {
    /// The top-level field names the body accepts.
    static var fields: Set<String> { get }
    /// The field names accepted inside nested objects (or the objects of an array), by their top-level field.
    static var nestedFields: [String: Set<String>] { get }
}

extension StrictBody {
    static var nestedFields: [String: Set<String>] { [:] }
}

/// Reads request bodies strictly: bounded size, valid UTF-8, a JSON object, no unknown fields,
/// and type errors reported with the JSON pointer of the offending field.
enum RequestBody {
    /// The largest body an API endpoint reads. 64 KiB.
    static let maximumSize = 64 * 1024

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        let dates = MillisecondDateTranscoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            guard let date = try? dates.decode(try container.decode(String.self)) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date-time")
            }
            return date
        }
        return decoder
    }()

    /// Decodes `T` from the request, or throws a 400/413/415 problem naming what is wrong.
    static func decode<T: StrictBody>(_ type: T.Type, from request: Request, limit: Int = maximumSize) async throws -> T {
        try await decodeWithBytes(type, from: request, limit: limit).value
    }

    /// Like ``decode(_:from:)``, but an empty body (no bytes at all) gives nil.
    static func decodeIfPresent<T: StrictBody>(_ type: T.Type, from request: Request) async throws -> T? {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumSize)
        guard buffer.readableBytes > 0 else { return nil }
        return try await decodeWithBytes(type, from: request).value
    }

    /// Like ``decode(_:from:)``, also returning the body's bytes (for idempotency fingerprints).
    static func decodeWithBytes<T: StrictBody>(
        _: T.Type, from request: Request, limit: Int = maximumSize
    ) async throws -> (value: T, bytes: Data) {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw Problem(kind: "unsupported-media-type", title: "Unsupported media type", status: .unsupportedMediaType,
                          detail: "Send the body as application/json.",
                          errors: [.init(field: "Content-Type", message: "must be application/json")])
        }
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        let data = Data(buffer.readableBytesView)
        guard String(validating: data, as: UTF8.self) != nil else {
            throw Problem.invalidRequest([.init(field: "body", message: "is not valid UTF-8")])
        }
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw Problem.invalidRequest([.init(field: "body", message: "is not valid JSON")])
        }
        guard let fields = object as? [String: Any] else {
            throw Problem.invalidRequest([.init(field: "body", message: "must be a JSON object")])
        }
        var unknown = Set(fields.keys).subtracting(T.fields).sorted().map { "/" + pointerEscaped($0) }
        for (field, allowed) in T.nestedFields.sorted(by: { $0.key < $1.key }) {
            if let nested = fields[field] as? [String: Any] {
                unknown += Set(nested.keys).subtracting(allowed).sorted().map { "/\(field)/" + pointerEscaped($0) }
            } else if let elements = fields[field] as? [Any] {
                for (index, element) in elements.enumerated() {
                    guard let nested = element as? [String: Any] else { continue }
                    unknown += Set(nested.keys).subtracting(allowed).sorted().map { "/\(field)/\(index)/" + pointerEscaped($0) }
                }
            }
        }
        if !unknown.isEmpty {
            throw Problem.invalidRequest(unknown.map { .init(field: $0, message: "is not a known field") })
        }
        do {
            return (try decoder.decode(T.self, from: data), data)
        } catch let error as DecodingError {
            throw Problem.invalidRequest([fieldError(error)])
        }
    }

    /// Names the field a decoding error is about, as a JSON pointer.
    static func fieldError(_ error: DecodingError) -> Problem.FieldError {
        switch error {
        case .typeMismatch(let type, let context):
            return .init(field: pointer(context.codingPath), message: "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .init(field: pointer(context.codingPath), message: "must be \(describe(type)), not null")
        case .keyNotFound(let key, let context):
            return .init(field: pointer(context.codingPath + [key]), message: "is required")
        case .dataCorrupted(let context):
            return .init(field: pointer(context.codingPath), message: "has an unsupported value")
        @unknown default:
            return .init(field: "body", message: "could not be read")
        }
    }

    static func pointer(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "body" : path.map { "/" + pointerEscaped($0.intValue.map(String.init) ?? $0.stringValue) }.joined()
    }

    static func pointerEscaped(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func describe(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.contains("String") || name.contains("Role") || name.contains("Kind") { return "a string" }
        if name.contains("Bool") { return "true or false" }
        if name.contains("Int") || name.contains("Double") { return "a number" }
        if name.contains("Array") || name.hasPrefix("[") { return "an array" }
        if name.contains("UUID") { return "a UUID string" }
        if name.contains("Date") { return "an ISO 8601 date-time string" }
        return "of another type"
    }
}

extension KeyedDecodingContainer {
    /// A field of a partial update that may be absent but not null.
    func update<T: Decodable & Sendable & Equatable>(_: T.Type, forKey key: Key) throws -> FieldUpdate<T> {
        guard contains(key) else { return .unchanged }
        if try decodeNil(forKey: key) {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath + [key], debugDescription: "null"))
        }
        return .set(try decode(T.self, forKey: key))
    }

    /// A field of a partial update that may be absent, null (clears it) or a value.
    func nullableUpdate<T: Decodable & Sendable & Equatable>(_: T.Type, forKey key: Key) throws -> FieldUpdate<T?> {
        guard contains(key) else { return .unchanged }
        if try decodeNil(forKey: key) { return .set(nil) }
        return .set(try decode(T.self, forKey: key))
    }
}
