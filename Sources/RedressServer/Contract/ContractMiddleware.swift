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
