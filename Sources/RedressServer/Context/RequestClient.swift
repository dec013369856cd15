import Hummingbird

/// Who sent the request being handled, for the generated operations' per-client limits:
/// ``RequestClientMiddleware`` binds it for every request.
enum RequestClient {
    /// The key per-client limits count by (see ``ClientAddress``).
    @TaskLocal static var key: String = "unknown"
}

/// Binds ``RequestClient/key`` for the rest of the request.
struct RequestClientMiddleware: RouterMiddleware {
    typealias Context = RedressRequestContext
    let clients: ClientAddress

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await RequestClient.$key.withValue(clients.key(request, context)) { try await next(request, context) }
    }
}
