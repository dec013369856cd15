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
        try document.checkParameters(of: operation, in: request, pathParameters: metadata.pathParameters.mapValues(String.init))
        guard let schema = operation.body else { return try await next(request, body, metadata) }
        let bytes = try await read(body, request, limit: operation.maximumBodyBytes)
        if bytes.isEmpty && !operation.bodyRequired {
            return try await RequestFields.$present.withValue([]) { try await next(request, nil, metadata) }
        }
        let value = try document.checkBody(bytes, against: schema)
        var present: Set<String> = []
        if case .object(let members) = value { present = Set(members.keys) }
        return try await RequestFields.$present.withValue(present) {
            try await RequestFields.$bytes.withValue(bytes) { try await next(request, HTTPBody(bytes), metadata) }
        }
    }

    /// The body's bytes, refusing other media types and bodies beyond `limit`.
    private func read(_ body: HTTPBody?, _ request: HTTPRequest, limit: Int) async throws -> Data {
        try ContractDocument.checkMediaType(request)
        if let length = request.headerFields[.contentLength].flatMap(Int.init), length > limit { throw Problem.payloadTooLarge }
        var bytes = Data()
        guard let body else { return bytes }
        for try await chunk in body {
            guard bytes.count + chunk.count <= limit else { throw Problem.payloadTooLarge }
            bytes.append(contentsOf: chunk)
        }
        return bytes
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

    /// `path` without the pairs of its query that carry nothing: empty ones (`?limit=2&`,
    /// `?a=1&&b=2`) and names without `=` (`?overdue`), which clients leave and the generated
    /// decoders would refuse with a 500. Such a name counts as absent, as the hand routes read it.
    static func withoutEmptyQueryPairs(_ path: String?) -> String? {
        guard let path, let mark = path.firstIndex(of: "?") else { return path }
        let pairs = path[path.index(after: mark)...].split(separator: "&").filter { $0.contains("=") }
        return String(path[..<mark]) + (pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&"))
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
