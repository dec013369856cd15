import Foundation

extension Wire {
    /// A word of one of the API's vocabularies (roles, department kinds, …) as the other type that
    /// spells it: a generated enum and its twin in RedressCore share their raw values.
    static func vocabulary<Source: RawRepresentable, Target: RawRepresentable>(_ value: Source) throws -> Target
    where Source.RawValue == String, Target.RawValue == String {
        guard let word = Target(rawValue: value.rawValue) else { throw VocabularyMismatch(word: value.rawValue, type: "\(Target.self)") }
        return word
    }

    /// A set of ids as a list in a stable order.
    static func ids(_ ids: Set<UUID>) -> [String] {
        ids.map(id).sorted()
    }

    /// A word the contract and the code spell differently: a fault of the server, not of the request.
    struct VocabularyMismatch: Error, CustomStringConvertible {
        let word: String
        let type: String
        var description: String { "\(type) has no \"\(word)\"" }
    }
}
