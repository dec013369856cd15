import Foundation
import RedressStore

/// How values are spelled on the wire where the generated types hold them as strings.
enum Wire {
    /// A UUID as the API writes it everywhere: lowercase.
    static func id(_ id: UUID) -> String { id.uuidString.lowercased() }

    /// A UUID the client sent in `field`; the contract has already checked its form.
    static func id(_ text: String, _ field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw Problem.invalidRequest([.init(field: field, message: "must be a UUID")]) }
        return id
    }

    /// An optional UUID the client sent in `field`.
    static func id(_ text: String?, _ field: String) throws -> UUID? {
        try text.map { try id($0, field) }
    }
}

extension FieldUpdate {
    /// A change to a field that cannot be cleared: absent (nil) leaves it as it is.
    init(_ value: Value?) {
        self = value.map(FieldUpdate.set) ?? .unchanged
    }
}

extension FieldUpdate {
    /// A change to a field that can be cleared: sent as `null` clears it, left out keeps it
    /// (told apart by ``RequestFields``, since the generated types read both as nil).
    static func clearable<Wrapped>(_ value: Wrapped?, field: String) -> FieldUpdate<Wrapped?> where Value == Wrapped? {
        if let value { return .set(value) }
        return RequestFields.present.contains(field) ? .set(nil) : .unchanged
    }
}
