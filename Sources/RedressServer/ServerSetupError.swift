/// Why the application could not be built from what the build embedded in it (the contract, the
/// console's templates): the server does not start, and says which part is wrong.
public enum ServerSetupError: Error, Equatable, CustomStringConvertible {
    /// The embedded openapi.yaml, read as JSON, is not an object.
    case contractNotAnObject
    /// A route checks its requests against an operation the contract does not have.
    case contractLacksOperation(String)
    /// The generated operations could not be registered on the router.
    case operationsNotRegistered(String)
    /// A console template is not valid Mustache.
    case templateDoesNotParse(path: String, reason: String)

    public var description: String {
        switch self {
        case .contractNotAnObject: "the embedded openapi.yaml is not a JSON object"
        case .contractLacksOperation(let id): "openapi.yaml has no operation \(id)"
        case .operationsNotRegistered(let reason): "the generated operations could not be registered: \(reason)"
        case .templateDoesNotParse(let path, let reason): "console template \(path) does not parse: \(reason)"
        }
    }
}
