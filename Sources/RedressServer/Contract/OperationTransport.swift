import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// Registers the generated operations on the router: those the contract marks `security: []`
/// (sign-in) on the open group, every other one behind the ``Authenticator``. `path` is the
/// document's (`/v1/categories/{id}`), the server URL being `/`. Their answers are not to be
/// cached (`Cache-Control: no-store`, as every JSON answer of the API), unless they say otherwise.
struct OperationTransport: ServerTransport {
    let open: RouterGroup<RedressRequestContext>
    let guarded: RouterGroup<RedressRequestContext>
    let document: ContractDocument
    /// Where every operation is recorded too, so the console runs the very same operations.
    let table: OperationTable

    func register(
        _ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method, path: String
    ) throws {
        let isPublic = document.operation(method: method.rawValue, path: path)?.isPublic ?? false
        table.record(handler, method: method, path: path)
        (isPublic ? open : guarded).register({ request, body, metadata in
            var (response, responseBody) = try await handler(request, body, metadata)
            if response.headerFields[.cacheControl] == nil { response.headerFields[.cacheControl] = "no-store" }
            return (response, responseBody)
        }, method: method, path: path)
    }
}
