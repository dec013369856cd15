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
        for index in response.headerFields.indices {
            let value = response.headerFields[index].value
            guard value.utf8.contains(UInt8(ascii: "%")), let plain = percentDecoded(value) else { continue }
            response.headerFields[index].value = plain
        }
        return response
    }

    /// `value` as `removingPercentEncoding` reads it: each `%XX` replaced by its byte, nil when a
    /// `%` is not followed by two hex digits. What decodes to ASCII (every `Location` this service
    /// writes) is decoded here, without a trip through Foundation's strings; anything else is left
    /// to Foundation, which has its own ways with bytes that are not UTF-8.
    static func percentDecoded(_ value: String) -> String? {
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x37
            case 0x61...0x66: byte - 0x57
            default: nil
            }
        }
        let bytes = Array(value.utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "%") else {
                decoded.append(bytes[index])
                index += 1
                continue
            }
            guard index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) else { return nil }
            decoded.append(high << 4 | low)
            index += 3
        }
        guard decoded.allSatisfy({ $0 < 0x80 }) else { return value.removingPercentEncoding }
        return String(decoding: decoded, as: UTF8.self)
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
