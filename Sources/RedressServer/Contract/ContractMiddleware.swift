import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Holds every request of a generated operation to what openapi.yaml says about it before the
/// generated code decodes it: a JSON body no larger than the operation reads (413), sent as
/// JSON (415), well-formed UTF-8 JSON that matches its schema, and parameters of the declared
/// types. A request that breaks the contract is answered 400 (malformed: wrong type, unknown or
/// missing field, value outside a format; any bad parameter) or 422 (a value the rules refuse:
/// outside a vocabulary, length, bounds, pattern), naming every field it is wrong about, and
/// reaches no handler.
struct ContractMiddleware: ServerMiddleware {
    let document: ContractDocument

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await checked(request, body: body, metadata: metadata, operationID: operationID, next: next)
        return (Self.withPlainHeaderValues(response), responseBody)
    }

    /// Refuses a request that breaks the contract; passes the others on.
    private func checked(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.path = Self.withoutEmptyQueryPairs(request.path)
        guard let operation = document.operations[operationID] else { return try await next(request, body, metadata) }
        try checkParameters(operation, request, metadata)
        guard let schema = operation.body else { return try await next(request, body, metadata) }
        let bytes = try await read(body, request, limit: operation.maximumBodyBytes)
        if bytes.isEmpty && !operation.bodyRequired {
            return try await RequestFields.$present.withValue([]) { try await next(request, nil, metadata) }
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Problem.invalidRequest([.init(field: "body", message: "is not valid UTF-8")])
        }
        guard let value = JSONValue.parse(bytes) else {
            throw Problem.invalidRequest([.init(field: "body", message: "is not valid JSON")])
        }
        try Self.throwing(document.validator.violations(of: value, against: schema))
        var present: Set<String> = []
        if case .object(let members) = value { present = Set(members.keys) }
        return try await RequestFields.$present.withValue(present) {
            try await RequestFields.$bytes.withValue(bytes) { try await next(request, HTTPBody(bytes), metadata) }
        }
    }

    /// The body's bytes, refusing other media types and bodies beyond `limit`.
    private func read(_ body: HTTPBody?, _ request: HTTPRequest, limit: Int) async throws -> Data {
        if let type = request.headerFields[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw Problem.unsupportedMediaType
        }
        if let length = request.headerFields[.contentLength].flatMap(Int.init), length > limit { throw Problem.payloadTooLarge }
        var bytes = Data()
        guard let body else { return bytes }
        for try await chunk in body {
            guard bytes.count + chunk.count <= limit else { throw Problem.payloadTooLarge }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }

    private func checkParameters(_ operation: ContractDocument.Operation, _ request: HTTPRequest,
                                 _ metadata: ServerRequestMetadata) throws {
        let query = URLComponents(string: request.path ?? "")?.queryItems ?? []
        var violations: [SchemaViolation] = []
        for parameter in operation.parameters {
            if parameter.location == .query, let items = Self.arrayItems(parameter.schema) {
                // A repeated query parameter (`status=a&status=b`): each value is held to the items' schema.
                for case let text? in query.filter({ $0.name == parameter.name }).map(\.value) {
                    violations += document.validator.violations(of: Self.value(text, as: items), against: items)
                        .map { SchemaViolation(field: parameter.name, message: $0.message, kind: .malformed) }
                }
                continue
            }
            let text: String?
            switch parameter.location {
            case .path: text = metadata.pathParameters[parameter.name].map(String.init)
            case .query: text = query.last(where: { $0.name == parameter.name })?.value
            case .header: text = HTTPField.Name(parameter.name).flatMap { request.headerFields[$0] }
            }
            guard let text else {
                if parameter.required { violations.append(.init(field: parameter.name, message: "is required", kind: .malformed)) }
                continue
            }
            violations += document.validator.violations(of: Self.value(text, as: parameter.schema), against: parameter.schema)
                .map { SchemaViolation(field: parameter.name, message: $0.message, kind: .malformed) }
        }
        try Self.throwing(violations)
    }

    /// `response` with its header values as the operation wrote them: the runtime percent-encodes
    /// declared response headers as if they were URI components (apple/swift-openapi-generator#857),
    /// which would send `Location: %2Fv1%2Fcomplaints%2F…`. Decoding is the exact inverse.
    static func withPlainHeaderValues(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        for index in response.headerFields.indices where response.headerFields[index].value.contains("%") {
            if let plain = response.headerFields[index].value.removingPercentEncoding { response.headerFields[index].value = plain }
        }
        return response
    }

    /// `path` without the empty pairs of its query (`?limit=2&`, `?a=1&&b=2`), which clients leave
    /// and the generated decoders would refuse.
    static func withoutEmptyQueryPairs(_ path: String?) -> String? {
        guard let path, let mark = path.firstIndex(of: "?") else { return path }
        let pairs = path[path.index(after: mark)...].split(separator: "&")
        return String(path[..<mark]) + (pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&"))
    }

    /// The schema of an array parameter's items, or nil when the parameter is not an array.
    static func arrayItems(_ schema: JSONValue) -> JSONValue? {
        guard case .object(let members) = schema, SchemaValidator.types(members["type"]).contains("array") else { return nil }
        return members["items"] ?? .object([:])
    }

    /// A parameter's text as the JSON value its schema's type reads it as (left a string when it
    /// does not read, so the check names the parameter).
    static func value(_ text: String, as schema: JSONValue) -> JSONValue {
        guard case .object(let members) = schema else { return .string(text) }
        let types = SchemaValidator.types(members["type"])
        if types.contains("integer"), let number = Int64(text) { return .integer(number) }
        if types.contains("number"), let number = Double(text), number.isFinite { return .number(number) }
        if types.contains("boolean"), text == "true" || text == "false" { return .bool(text == "true") }
        return .string(text)
    }

    static func throwing(_ violations: [SchemaViolation]) throws {
        guard !violations.isEmpty else { return }
        let errors = violations.map { Problem.FieldError(field: $0.field, message: $0.message) }
        if violations.contains(where: { $0.kind == .malformed }) { throw Problem.invalidRequest(errors) }
        throw Problem.validationFailed(errors)
    }
}

/// What the request body carried beyond what the generated types keep.
enum RequestFields {
    /// The top-level fields it had, for operations that tell a field sent as `null` (clear it) from
    /// a field left out (keep it): the generated types read both as nil.
    @TaskLocal static var present: Set<String> = []
    /// Its bytes as sent, for operations that fingerprint a request (`Idempotency-Key`).
    @TaskLocal static var bytes = Data()
}
