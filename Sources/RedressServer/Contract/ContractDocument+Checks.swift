import Foundation
import HTTPTypes

/// The checks of a request against the contract, shared by ``ContractMiddleware`` (generated
/// operations) and the operations routed by hand, so that a rule is written once, in openapi.yaml.
extension ContractDocument {
    /// Refuses a body sent as anything but JSON (415).
    static func checkMediaType(_ request: HTTPRequest) throws {
        if let type = request.headerFields[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw Problem.unsupportedMediaType
        }
    }

    /// The body as a JSON value once it is valid UTF-8 JSON that matches `schema`; otherwise a
    /// 400 or 422 problem naming every field it is wrong about.
    func checkBody(_ bytes: Data, against schema: JSONValue) throws -> JSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Problem.invalidRequest([.init(field: "body", message: "is not valid UTF-8")])
        }
        guard let value = JSONValue.parse(bytes) else {
            throw Problem.invalidRequest([.init(field: "body", message: "is not valid JSON")])
        }
        try Self.throwing(validator.violations(of: value, against: schema))
        return value
    }

    /// Refuses, with a 400 problem naming each, the query, path and header parameters of
    /// `request` that break what `operation` declares: missing, of another type, outside the
    /// rules of their schema, or repeated when it is not an array. A repeated array parameter
    /// (`status=a&status=b`) is held to its items' schema value by value.
    func checkParameters(of operation: Operation, in request: HTTPRequest, pathParameters: [String: String]) throws {
        let query = URLComponents(string: request.path ?? "")?.queryItems ?? []
        var violations: [SchemaViolation] = []
        for parameter in operation.parameters {
            if parameter.location == .query, let items = Self.arrayItems(parameter.schema) {
                for case let text? in query.filter({ $0.name == parameter.name }).map(\.value) {
                    violations += validator.violations(of: Self.value(text, as: items), against: items)
                        .map { SchemaViolation(field: parameter.name, message: $0.message, kind: .malformed) }
                }
                continue
            }
            if parameter.location == .query, query.filter({ $0.name == parameter.name }).count > 1 {
                // The generated decoder reads the first value; a check of any one would let the others through.
                violations.append(.init(field: parameter.name, message: "must be given once", kind: .malformed))
                continue
            }
            let text: String?
            switch parameter.location {
            case .path: text = pathParameters[parameter.name]
            case .query: text = query.last(where: { $0.name == parameter.name })?.value
            case .header: text = HTTPField.Name(parameter.name).flatMap { request.headerFields[$0] }
            }
            guard let text else {
                if parameter.required { violations.append(.init(field: parameter.name, message: "is required", kind: .malformed)) }
                continue
            }
            violations += validator.violations(of: Self.value(text, as: parameter.schema), against: parameter.schema)
                .map { SchemaViolation(field: parameter.name, message: $0.message, kind: .malformed) }
        }
        try Self.throwing(violations)
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

    /// Nothing for no violations; else a 400 problem when any is malformed, a 422 otherwise.
    static func throwing(_ violations: [SchemaViolation]) throws {
        guard !violations.isEmpty else { return }
        let errors = violations.map { Problem.FieldError(field: $0.field, message: $0.message) }
        if violations.contains(where: { $0.kind == .malformed }) { throw Problem.invalidRequest(errors) }
        throw Problem.validationFailed(errors)
    }
}
