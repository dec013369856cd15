import Foundation
import Hummingbird
import Logging
import RedressConsoleAssets
import RedressStore

/// The web console under `/console/`: server-rendered pages for agents, handlers, department
/// heads, managers, auditors and admins, on the API's own operations (``ConsoleAPI``).
struct ConsoleRoutes: Sendable {
    let api: ConsoleAPI
    let authenticator: Authenticator
    let clients: ClientAddress
    let secureCookies: Bool
    let live: ConsoleLive
    let database: ScopedDatabase
    /// The audit trail's store, for the auditors' chain state.
    let audit: AuditStore
    let exports: ReportRoutes
    let evidence: CaseWorkRoutes
    let onTimeTarget: Double
    let renderer: ConsoleRenderer

    func register(on router: Router<RedressRequestContext>) {
        let console = router.group("console")
            .add(middleware: ConsoleErrorMiddleware(renderer: renderer))
            .add(middleware: RequestClientMiddleware(clients: clients))
        console.get("static/:file") { _, context -> Response in try Self.asset(context.parameters.get("file") ?? "") }
        ConsoleSignIn(api: api, renderer: renderer, secureCookies: secureCookies).register(on: console)

        // Errors of the pages are turned into pages inside the session too, so they speak the person's language.
        let pages = console.group().add(middleware: ConsoleSessionMiddleware(authenticator: authenticator, secureCookies: secureCookies))
            .add(middleware: ConsoleErrorMiddleware(renderer: renderer))
        pages.get { _, _ in ConsoleHeaders.redirect(try ConsoleVisit.required().home) }
        pages.post("sign-out") { _, _ -> Response in
            _ = await api.call(.post, "/v1/auth/sign-out")
            return ConsoleHeaders.redirect("/console/sign-in", cookies: [
                ConsoleCookies.setting(ConsoleCookies.session, "", secure: secureCookies, maxAge: 0)])
        }
        ConsoleIntakePage(api: api, renderer: renderer).register(on: pages)
        ConsoleComplaintPage(api: api, renderer: renderer, evidence: evidence).register(on: pages)
        ConsoleQueuePages(api: api, renderer: renderer, live: live).register(on: pages)
        ConsoleReportPage(api: api, renderer: renderer, exports: exports, onTimeTarget: onTimeTarget).register(on: pages)
        ConsoleAuditPage(api: api, audit: audit, database: database, renderer: renderer).register(on: pages)
        ConsoleCalendarPage(api: api, renderer: renderer).register(on: pages)
        ConsoleSLAPolicyPages(api: api, renderer: renderer).register(on: pages)
        ConsoleAdminPages(api: api, renderer: renderer).register(on: pages)
        ConsolePasswordPage(api: api, renderer: renderer).register(on: pages)
        // Anything else under /console/ is the plain 404 page, signed in or not.
        console.get("**") { _, _ -> Response in throw Problem.notFound() }
    }

    /// A static file of the console (`console.css`, `console.js`), cached for an hour.
    static func asset(_ file: String) throws -> Response {
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"]
        guard let type = types[(file as NSString).pathExtension], let text = ConsoleAssets.text("static/\(file)") else {
            throw Problem.notFound()
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
