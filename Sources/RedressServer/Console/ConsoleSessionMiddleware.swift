import HTTPTypes
import Hummingbird
import RedressStore

/// Resolves the console's session cookie exactly as the API resolves a bearer token (the same
/// ``Authenticator``: its lookups, limits and revocation), checks the CSRF token of every form
/// sent, and binds the ``ConsoleVisit``. Without a working session a page read goes to the
/// sign-in form and a form sent is refused.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = RedressRequestContext
    let authenticator: Authenticator
    let secureCookies: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = ConsoleCookies.value(ConsoleCookies.session, in: request) else { return signIn(request) }
        var head = request.head
        head.headerFields[.authorization] = "Bearer \(token)"
        let authorized = Request(head: head, body: request.body)
        let language = MessageCatalogue.language(preference: ConsoleCookies.value(ConsoleCookies.language, in: request),
                                                 acceptLanguage: request.headers[.acceptLanguage])
        do {
            return try await authenticator.handle(authorized, context: context) { request, context in
                guard let caller = context.caller else { throw Problem.unauthenticated }
                let visit = ConsoleVisit(caller: caller, language: language, csrf: ConsoleCookies.csrfToken(for: token))
                if request.method == .post {
                    var copy = request
                    let form = try await ConsoleForm.read(copy, context: context)
                    guard let sent = form["csrf"], ConsoleCookies.same(sent, visit.csrf) else { throw ConsoleRefusal.csrf }
                    copy.body = .init(buffer: .init(string: ""))
                    return try await ConsoleVisit.$current.withValue(visit) {
                        try await ConsoleForm.$current.withValue(form) { try await next(copy, context) }
                    }
                }
                return try await ConsoleVisit.$current.withValue(visit) { try await next(request, context) }
            }
        } catch let problem as Problem where problem.status == 401 {
            return signIn(request, clearing: true)
        } catch let problem as Problem where problem == .passwordChangeRequired {
            return ConsoleHeaders.redirect("/console/password")
        }
    }

    private func signIn(_ request: Request, clearing: Bool = false) -> Response {
        let cookies = clearing ? [ConsoleCookies.setting(ConsoleCookies.session, "", secure: secureCookies, maxAge: 0)] : []
        return ConsoleHeaders.redirect("/console/sign-in", cookies: cookies)
    }
}
