import OpenAPIRuntime
import RedressStore

extension JSONDocument {
    /// The document as the free-form JSON of the generated types (`OpenAPIValueContainer`): whole
    /// numbers as integers, so `1` stays `1`.
    var wireValue: (any Sendable)? {
        switch self {
        case .object(let members): members.mapValues(\.wireValue)
        case .array(let elements): elements.map(\.wireValue)
        case .string(let text): text
        case .number(let number): number.rounded() == number && abs(number) < 9.0e15 ? Int(number) as any Sendable : number
        case .bool(let flag): flag
        case .null: nil
        }
    }

    /// The document as a generated free-form value.
    func wireContainer() throws -> OpenAPIValueContainer {
        try OpenAPIValueContainer(unvalidatedValue: wireValue)
    }
}

extension OpenAPIObjectContainer {
    /// A JSON object of the store as a generated free-form object.
    init(_ members: [String: JSONDocument]) throws {
        try self.init(unvalidatedValue: members.mapValues(\.wireValue))
    }
}
