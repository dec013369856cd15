import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime

/// Runs the API's own operations for the console, in process: the contract's checks, the same
/// handlers, stores, scopes and masking, for the caller the console's session resolved to.
/// Nothing the console shows or changes goes around them.
struct ConsoleAPI: Sendable {
    let table: OperationTable
    let logger: Logger
    /// The API's per-credential limit, charged once for every operation a page runs (a page of
    /// seven operations costs what seven API requests cost).
    let limiter: RateLimiter?

    /// What an operation answered: its status and JSON body as plain values for the templates, or
    /// the problem it refused the request with.
    /// `@unchecked` because `body` holds `Any`: only the plain values `plain(_:)` makes (strings,
    /// numbers, booleans and their arrays and dictionaries), built once and never changed after.
    struct Answer: @unchecked Sendable {
        var status: Int
        /// Objects as `[String: Any]`, arrays as `[Any]`, no nulls (an absent key instead).
        var body: Any?
        var problem: Problem?

        /// The body as an object, or an empty one.
        var object: [String: Any] { body as? [String: Any] ?? [:] }
        /// The `items` of a listing.
        var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
    }

    /// Calls the operation at `method` and the document path `template` (`/v1/complaints/{id}`),
    /// with `parameters` in its path, `query` and an optional JSON `body`.
    func call(_ method: HTTPRequest.Method, _ template: String, parameters: [String: String] = [:],
              query: [(String, String)] = [], json body: [String: Any]? = nil) async -> Answer {
        await call(method, template, parameters: parameters, query: query, bytes: body.flatMap { try? JSONSerialization.data(withJSONObject: $0) })
    }

    /// Calls the operation with `bytes` as its body, as a person typed it (a JSON document).
    func call(_ method: HTTPRequest.Method, _ template: String, parameters: [String: String] = [:],
              query: [(String, String)] = [], bytes: Data?) async -> Answer {
        if let limiter, let caller = AuthenticatedCaller.current, let wait = limiter.admit(caller.credentialKey) {
            return Answer(status: 429, body: nil, problem: .rateLimited(retryAfter: wait))
        }
        guard let handler = table.handler(method, template) else {
            logger.error("console called an operation the contract does not have", metadata: ["operation": "\(method) \(template)"])
            return Answer(status: 500, body: nil, problem: .internalError)
        }
        var path = template
        for (name, value) in parameters { path = path.replacingOccurrences(of: "{\(name)}", with: Self.encoded(value)) }
        if !query.isEmpty { path += "?" + query.map { "\(Self.encoded($0.0))=\(Self.encoded($0.1))" }.joined(separator: "&") }
        var request = HTTPRequest(method: method, scheme: nil, authority: nil, path: path)
        request.headerFields[.accept] = "application/json"
        var requestBody: HTTPBody?
        if let bytes {
            request.headerFields[.contentType] = "application/json"
            request.headerFields[.contentLength] = "\(bytes.count)"
            requestBody = HTTPBody(bytes)
        }
        let metadata = ServerRequestMetadata(pathParameters: parameters.mapValues { Substring($0) })
        do {
            let (response, responseBody) = try await handler(request, requestBody, metadata)
            var data = Data()
            if let responseBody { data = try await Data(collecting: responseBody, upTo: 64 * 1024 * 1024) }
            return Answer(status: response.status.code, body: data.isEmpty ? nil : JSONValue.parse(data).map(Self.plain), problem: nil)
        } catch {
            let problem = ProblemMiddleware<RedressRequestContext>.problem(for: error, path: template, logger: logger)
            return Answer(status: problem.status, body: nil, problem: problem)
        }
    }

    /// The time zone of the reader's branch (its `timeZone`), in which the forms' local times are meant.
    func branchTimeZone() async -> TimeZone {
        let branches = await call(.get, "/v1/branches").items
        let own = branches.first { ($0["code"] as? String) == ConsoleVisit.current?.caller.branchCode } ?? branches.first
        return (own?["timeZone"] as? String).flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
    }

    /// `value` percent-encoded for a path segment or a query component.
    static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }

    /// A JSON value as the plain values Mustache renders: nulls dropped.
    static func plain(_ value: JSONValue) -> Any? {
        switch value {
        case .null: return nil
        case .bool(let flag): return flag
        case .integer(let number): return Int(number)
        case .number(let number): return number
        case .string(let text): return text
        case .array(let items): return items.compactMap(plain)
        case .object(let members): return members.compactMapValues(plain)
        }
    }
}
