import Foundation
import RedressAPI

/// openapi.yaml as the server reads it at start: each operation's parameters, request body schema
/// and body size limit, by operation id, for ``ContractMiddleware``.
struct ContractDocument: Sendable {
    /// A parameter of an operation.
    struct Parameter: Sendable {
        enum Location: String, Sendable { case path, query, header }
        var name: String
        var location: Location
        var required: Bool
        var schema: JSONValue
    }

    /// What the contract says about one operation's request.
    struct Operation: Sendable {
        var method: String
        var path: String
        var parameters: [Parameter]
        /// The `application/json` body's schema, when the operation takes a body.
        var body: JSONValue?
        var bodyRequired: Bool
        /// The largest body the operation reads: `x-max-body-bytes`, or 64 KiB.
        var maximumBodyBytes: Int
        /// True when the operation says `security: []`: it is served without a credential.
        var isPublic: Bool
    }

    /// The largest body an operation reads unless it says otherwise. 64 KiB.
    static let defaultMaximumBodyBytes = 64 * 1024

    /// Operations by id.
    let operations: [String: Operation]

    /// The operation served at `method` (upper case) and `path` (as the document writes it).
    func operation(method: String, path: String) -> Operation? {
        operations.values.first { $0.method == method && $0.path == path }
    }
    let validator: SchemaValidator

    /// The operation `id`, which a hand-written route checks its requests against.
    func operation(id: String) throws(ServerSetupError) -> Operation {
        guard let operation = operations[id] else { throw .contractLacksOperation(id) }
        return operation
    }

    /// The served document, parsed once.
    static let served: Result<ContractDocument, ServerSetupError> = Result { () throws(ServerSetupError) in
        try ContractDocument(json: Data(OpenAPIDocumentText.json.utf8))
    }

    init(json: Data) throws(ServerSetupError) {
        guard case .object(let document)? = JSONValue.parse(json) else { throw .contractNotAnObject }
        var schemas: [String: JSONValue] = [:]
        var sharedParameters: [String: JSONValue] = [:]
        if case .object(let components)? = document["components"] {
            if case .object(let found)? = components["schemas"] { schemas = found }
            if case .object(let found)? = components["parameters"] { sharedParameters = found }
        }
        var operations: [String: Operation] = [:]
        if case .object(let paths)? = document["paths"] {
            for (path, item) in paths {
                guard case .object(let methods) = item else { continue }
                for (method, operation) in methods {
                    guard case .object(let fields) = operation, case .string(let id)? = fields["operationId"] else { continue }
                    operations[id] = Self.operation(method: method, path: path, fields, sharedParameters)
                }
            }
        }
        self.operations = operations
        self.validator = SchemaValidator(components: schemas)
    }

    private static func operation(method: String, path: String, _ fields: [String: JSONValue],
                                  _ shared: [String: JSONValue]) -> Operation {
        var parameters: [Parameter] = []
        if case .array(let declared)? = fields["parameters"] {
            for var parameter in declared {
                if case .object(let members) = parameter, case .string(let reference)? = members["$ref"],
                   let target = shared[String(reference.split(separator: "/").last ?? "")] {
                    parameter = target
                }
                guard case .object(let members) = parameter, case .string(let name)? = members["name"],
                      case .string(let place)? = members["in"], let location = Parameter.Location(rawValue: place) else { continue }
                parameters.append(Parameter(name: name, location: location, required: members["required"] == .bool(true),
                                            schema: members["schema"] ?? .object([:])))
            }
        }
        var body: JSONValue?
        var bodyRequired = false
        if case .object(let requestBody)? = fields["requestBody"] {
            bodyRequired = requestBody["required"] == .bool(true)
            if case .object(let content)? = requestBody["content"], case .object(let json)? = content["application/json"] {
                body = json["schema"]
            }
        }
        var limit = defaultMaximumBodyBytes
        if case .integer(let bytes)? = fields["x-max-body-bytes"] { limit = Int(bytes) }
        return Operation(method: method.uppercased(), path: path, parameters: parameters, body: body,
                         bodyRequired: bodyRequired, maximumBodyBytes: limit, isPublic: fields["security"] == .array([]))
    }
}
