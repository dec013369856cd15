import Hummingbird

/// Who sent the request being handled, for the generated operations' per-client limits:
/// ``RequestClientMiddleware`` binds it for every request.
enum RequestClient {
    /// The key per-client limits count by (see ``ClientAddress``).
    @TaskLocal static var key: String = "unknown"
    /// The request's id, for the audit trail of operations that have no caller.
    @TaskLocal static var requestID: String? = nil
}

/// Binds ``RequestClient/key`` for the rest of the request.
struct RequestClientMiddleware: RouterMiddleware {
    typealias Context = RedressRequestContext
    let clients: ClientAddress

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await RequestClient.$key.withValue(clients.key(request, context)) {
            try await RequestClient.$requestID.withValue(context.id) { try await next(request, context) }
        }
    }
}
