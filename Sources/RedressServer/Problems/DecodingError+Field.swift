import Foundation

extension DecodingError {
    /// The field this error is about, as a JSON pointer, with what it must be. The contract is
    /// checked before anything is decoded, so this names what a decoder still found wrong.
    var fieldError: Problem.FieldError {
        switch self {
        case .typeMismatch(let type, let context):
            return .init(field: Self.pointer(context.codingPath), message: "must be \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            return .init(field: Self.pointer(context.codingPath), message: "must be \(Self.describe(type)), not null")
        case .keyNotFound(let key, let context):
            return .init(field: Self.pointer(context.codingPath + [key]), message: "is required")
        case .dataCorrupted(let context):
            return .init(field: Self.pointer(context.codingPath), message: "has an unsupported value")
        @unknown default:
            return .init(field: "body", message: "could not be read")
        }
    }

    /// `path` as a JSON pointer (`/ladder/0/tier`); `body` for the whole body.
    static func pointer(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "body" }
        return path.map { key in
            let name = key.intValue.map(String.init) ?? key.stringValue
            return "/" + name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }.joined()
    }

    private static func describe(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.contains("Bool") { return "true or false" }
        if name.contains("Int") || name.contains("Double") { return "a number" }
        if name.contains("Array") || name.hasPrefix("[") { return "an array" }
        if name.contains("UUID") { return "a UUID string" }
        if name.contains("Date") { return "an RFC 3339 date-time string" }
        if name.contains("String") { return "a string" }
        return "of another type"
    }
}
