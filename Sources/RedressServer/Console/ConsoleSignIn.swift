import Foundation
import HTTPTypes
import Hummingbird

/// The sign-in form (the API's `signIn` operation: its throttling, its answers) and the language
/// switch. The form carries a CSRF value of its own, also held in a `SameSite=Strict` cookie.
struct ConsoleSignIn: Sendable {
    let api: ConsoleAPI
    let renderer: ConsoleRenderer
    let secureCookies: Bool

    func register(on console: RouterGroup<RedressRequestContext>) {
        console.get("sign-in") { request, _ -> Response in
            try form(request, error: nil, values: [:], status: .ok)
        }
        console.post("sign-in") { request, context -> Response in
            let submitted = try await ConsoleForm.read(request, context: context)
            guard let expected = ConsoleCookies.value(ConsoleCookies.signIn, in: request), let sent = submitted["csrf"],
                  ConsoleCookies.same(expected, sent) else { throw ConsoleRefusal.csrf }
            let values = ["branch": submitted["branch"] ?? "", "login": submitted["login"] ?? ""]
            let answer = await api.call(.post, "/v1/auth/sign-in", json: [
                "branch": submitted["branch"] ?? "", "login": submitted["login"] ?? "", "password": submitted.fields["password"]?.first ?? ""])
            guard answer.problem == nil, let token = answer.object["token"] as? String else {
                let key = answer.status == 429 ? "sign_in_throttled" : answer.status >= 500 ? "error_unavailable" : "sign_in_failed"
                let status: HTTPResponse.Status = answer.status == 429 ? .tooManyRequests
                    : answer.status >= 500 ? .serviceUnavailable : .unprocessableContent
                return try form(request, error: key, values: values, status: status)
            }
            let maxAge = (answer.object["expiresAt"] as? String).flatMap(Self.seconds(until:))
            return ConsoleHeaders.redirect("/console/", cookies: [
                ConsoleCookies.setting(ConsoleCookies.session, token, secure: secureCookies, maxAge: maxAge),
                ConsoleCookies.setting(ConsoleCookies.signIn, "", secure: secureCookies, maxAge: 0)])
        }
        console.post("language") { request, context -> Response in
            let submitted = try await ConsoleForm.read(request, context: context)
            // The session's token when signed in, else the sign-in form's own value.
            let expected = ConsoleCookies.value(ConsoleCookies.session, in: request).map(ConsoleCookies.csrfToken(for:))
                ?? ConsoleCookies.value(ConsoleCookies.signIn, in: request)
            guard let expected, let sent = submitted["csrf"], ConsoleCookies.same(expected, sent) else { throw ConsoleRefusal.csrf }
            let language = MessageCatalogue.languages.contains(submitted["language"] ?? "") ? submitted["language"]! : "en"
            let back = submitted["back"].flatMap { $0.wholeMatch(of: /\/console\/[A-Za-z0-9\/_.-]*/) != nil && !$0.contains("..") ? $0 : nil } ?? "/console/"
            return ConsoleHeaders.redirect(back, cookies: [
                ConsoleCookies.setting(ConsoleCookies.language, language, secure: secureCookies, maxAge: 365 * 86400)])
        }
    }

    private func form(_ request: Request, error: String?, values: [String: String], status: HTTPResponse.Status) throws -> Response {
        let language = MessageCatalogue.language(preference: ConsoleCookies.value(ConsoleCookies.language, in: request),
                                                 acceptLanguage: request.headers[.acceptLanguage])
        let t = MessageCatalogue.shared.table(for: language)
        let csrf = ConsoleCookies.randomValue()
        var view: [String: Any] = ["t": t, "lang": language, "csrf": csrf, "values": values, "back": "/console/sign-in",
                                   "title": t["sign_in_title"] ?? "", "zh": language == "zh-Hans"]
        if let error { view["error"] = t[error] ?? error }
        var response = try renderer.page("sign-in", view, status: status)
        response.headers.append(HTTPField(name: .setCookie, value: ConsoleCookies.setting(ConsoleCookies.signIn, csrf, secure: secureCookies)))
        return response
    }

    /// Seconds from now until the RFC 3339 time `text` (the session's end), for the cookie's `Max-Age`.
    static func seconds(until text: String) -> Int? {
        ConsoleValues.date(text).map { max(0, Int($0.timeIntervalSinceNow)) }
    }
}
