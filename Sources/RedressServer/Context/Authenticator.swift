import Hummingbird
import RedressCore
import RedressStore

/// Resolves `Authorization: Bearer <token>` (a session token or bot API key) to the caller on
/// every request it guards; anything else is a 401 problem. Resolution asks the database each
/// time, so signing out or revoking a key takes effect at once. A client address whose tokens
/// failed to resolve too often is answered 429 before its next token costs a lookup. A person who
/// must change a password somebody else chose gets 403 for everything but that.
struct Authenticator: RouterMiddleware {
    typealias Context = RedressRequestContext
    let auth: AuthStore
    /// Requests per credential.
    let limiter: RateLimiter
    /// Requests per intake key, which has a limit of its own.
    let intakeLimiter: RateLimiter
    /// Failed resolutions per client address.
    let failures: RateLimiter
    /// Who the client is, behind trusted proxies.
    let clients: ClientAddress

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization],
              header.count > 7, header.prefix(7).lowercased() == "bearer ",
              let secret = CredentialSecret(presented: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        else { throw Problem.unauthenticated }
        let client = clients.key(request, context)
        if let wait = failures.exhausted(client) { throw Problem.rateLimited(retryAfter: wait) }
        guard var caller = try await auth.resolve(secret) else {
            _ = failures.admit(client)
            throw Problem.unauthenticated
        }
        let counter: RateLimiter = if case .intakeKey = caller.credential { intakeLimiter } else { limiter }
        if let wait = counter.admit(caller.credentialKey) {
            throw Problem.rateLimited(retryAfter: wait)
        }
        var context = context
        caller.requestID = context.id
        context.caller = caller
        context.credential = secret
        context.logger[metadataKey: "user"] = "\(caller.userID)"
        if caller.passwordChangeRequired && !Self.allowedBeforePasswordChange(request) {
            throw Problem.passwordChangeRequired
        }
        if case .intakeKey = caller.credential, !Self.allowedWithIntakeKey(request) {
            throw Problem(kind: "forbidden", title: "Forbidden", status: .forbidden,
                          detail: "An intake key takes complaints in (POST /v1/complaints, POST /v1/inbound/email) and does nothing else.")
        }
        return try await AuthenticatedCaller.$current.withValue(caller) {
            try await AuthenticatedCaller.$credential.withValue(secret) { try await next(request, context) }
        }
    }

    /// What an intake key may do: take a complaint in, or pass on a message (a mail gateway's key).
    static func allowedWithIntakeKey(_ request: Request) -> Bool {
        request.method == .post && ["/v1/complaints", "/v1/inbound/email"].contains(request.uri.path)
    }

    /// What a session may do while its person must change a password somebody else chose.
    static func allowedBeforePasswordChange(_ request: Request) -> Bool {
        switch (request.method, request.uri.path) {
        case (.get, "/v1/me"), (.post, "/v1/me/password"), (.post, "/v1/auth/sign-out"): return true
        // The console's own way to the same: its password page and signing out.
        case (.get, "/console/password"), (.post, "/console/password"), (.post, "/console/sign-out"): return true
        default: return false
        }
    }
}

extension Caller {
    /// The key per-credential limits count by: `session:<id>` or `key:<id>`.
    var credentialKey: String {
        switch credential {
        case .session(let id): return "session:\(id)"
        case .apiKey(let id): return "key:\(id)"
        case .accessCode(let complaintID): return "complaint:\(complaintID)"
        case .intakeKey(let id, _): return "key:\(id)"
        }
    }
}
