import Foundation
import Hummingbird
import RedressStore

/// `POST /v1/auth/sign-in` (public) and `POST /v1/auth/sign-out` (authenticated).
struct AuthRoutes: Sendable {
    let auth: AuthStore
    /// Sign-in attempts per client address.
    let signIns: RateLimiter
    /// Who the client is, behind trusted proxies.
    let clients: ClientAddress

    struct SignInBody: StrictBody {
        static let fields: Set<String> = ["branch", "login", "password"]
        var branch: String
        var login: String
        var password: String
    }

    struct SignedIn: Encodable {
        var token: String
        var tokenType = "Bearer"
        var expiresAt: Date
        var userId: UUID
        var branchId: UUID
    }

    func registerPublic(on group: RouterGroup<RedressRequestContext>) {
        group.post("auth/sign-in") { request, context -> Response in
            let client = clients.key(request, context)
            if let wait = signIns.admit(client) { throw Problem.throttled(retryAfter: wait) }
            let body = try await RequestBody.decode(SignInBody.self, from: request)
            var rules = FieldRules()
            rules.text(body.branch, "/branch", length: 1...32)
            rules.text(body.login, "/login", length: 1...64)
            rules.text(body.password, "/password", length: 1...200)
            try rules.check()
            switch try await auth.signIn(branchCode: body.branch, login: body.login, password: body.password, client: client) {
            case .signedIn(let token, let userID, let branchID, let expiresAt):
                return try JSONResponse.make(status: .created, body: SignedIn(
                    token: token, expiresAt: expiresAt, userId: userID, branchId: branchID))
            case .invalidCredentials:
                throw Problem.invalidCredentials
            case .throttled(let seconds):
                throw Problem.throttled(retryAfter: seconds)
            }
        }
    }

    func registerAuthenticated(on group: RouterGroup<RedressRequestContext>) {
        group.post("auth/sign-out") { _, context -> Response in
            try await auth.signOut(try context.requireCaller())
            return Response(status: .noContent)
        }
    }
}
