import HTTPTypes
import Hummingbird

/// Adds the headers every API response should carry: no MIME sniffing, no framing, no referrer,
/// no active content, HTTPS only once a browser has seen it over TLS.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headers: [(HTTPField.Name, String)] {
        [
            (.init("X-Content-Type-Options")!, "nosniff"),
            (.init("X-Frame-Options")!, "DENY"),
            (.init("Referrer-Policy")!, "no-referrer"),
            (.init("Content-Security-Policy")!, "default-src 'none'; frame-ancestors 'none'"),
            (.init("Strict-Transport-Security")!, "max-age=31536000; includeSubDomains"),
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for (name, value) in Self.headers where response.headers[name] == nil {
            response.headers[name] = value
        }
        return response
    }
}
