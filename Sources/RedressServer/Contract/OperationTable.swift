import HTTPTypes
import NIOConcurrencyHelpers
import OpenAPIRuntime

/// The generated operations by method and document path (`GET /v1/complaints/{id}`), each with
/// the contract's checks in front of it, as the router serves them: the console calls them in
/// process instead of over HTTP, so it validates, scopes and masks exactly as the API does.
final class OperationTable: Sendable {
    typealias Handler = @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    private let handlers = NIOLockedValueBox<[String: Handler]>([:])

    init() {}

    /// Records `handler` as the operation at `method` and `path`.
    func record(_ handler: @escaping Handler, method: HTTPRequest.Method, path: String) {
        handlers.withLockedValue { $0["\(method.rawValue) \(path)"] = handler }
    }

    /// The operation at `method` and the document path `path`, if the contract has one.
    func handler(_ method: HTTPRequest.Method, _ path: String) -> Handler? {
        handlers.withLockedValue { $0["\(method.rawValue) \(path)"] }
    }
}
