import Hummingbird
import RedressCore
import RedressStore

/// Resolves `Authorization: Bearer <token>` (a session token or bot API key) to the caller on
/// every request it guards; anything else is a 401 problem. Resolution asks the database each
/// time, so signing out or revoking a key takes effect at once.
struct Authenticator: RouterMiddleware {
    typealias Context = RedressRequestContext
    let auth: AuthStore
    /// Requests per credential.
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization],
              header.count > 7, header.prefix(7).lowercased() == "bearer ",
              let secret = CredentialSecret(presented: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        else { throw Problem.unauthenticated }
        guard var caller = try await auth.resolve(secret) else { throw Problem.unauthenticated }
        let credential: String
        switch caller.credential {
        case .session(let id): credential = "session:\(id)"
        case .apiKey(let id): credential = "key:\(id)"
        }
        if let wait = limiter.admit(credential) {
            throw Problem.rateLimited(retryAfter: wait)
        }
        var context = context
        caller.requestID = context.id
        context.caller = caller
        context.logger[metadataKey: "user"] = "\(caller.userID)"
        return try await next(request, context)
    }
}
