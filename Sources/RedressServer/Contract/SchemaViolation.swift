/// One way a request breaks the contract, named by the field it is about.
struct SchemaViolation: Sendable, Equatable {
    /// Whether the request is malformed (400: a wrong type, a missing or unknown field, a value
    /// outside a format) or well-formed with a value the rules refuse (422: outside a vocabulary,
    /// too long, too large, a pattern not matched).
    enum Kind: Sendable { case malformed, refused }

    /// A JSON pointer into the body (`/complainant/name`), or a parameter's name.
    var field: String
    var message: String
    var kind: Kind
}
