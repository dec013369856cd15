import Foundation
import RedressCore
import RedressStore

/// A signed-in person's request to the console: who they are, the language they read, and the
/// CSRF token their forms must carry.
struct ConsoleVisit: Sendable {
    let caller: Caller
    let language: String
    let csrf: String
    /// When the request began, before anything it shows was read.
    var startedAt = Date()

    /// The visit of the request being handled, bound by ``ConsoleSessionMiddleware``.
    @TaskLocal static var current: ConsoleVisit?

    /// The visit, or a 404 when the route was reached without one (it never is).
    static func required() throws -> ConsoleVisit {
        guard let current else { throw Problem.notFound() }
        return current
    }

    /// Whether the person holds `role`.
    func has(_ role: Role) -> Bool { caller.has(role) }
    /// Sees complaints and works them (the work queue).
    var works: Bool { !caller.roles.isDisjoint(with: [.handler, .departmentHead, .branchManager, .executive]) }
    /// Takes complaints in.
    var takesIn: Bool { caller.has(.agent) }
    /// Reads the branch reports.
    var readsReports: Bool { !caller.roles.isDisjoint(with: [.branchManager, .executive, .auditor]) }

    /// Where the person starts: the work queue, else the complaints list, else what their role reads.
    var home: String {
        if works { return "/console/queue" }
        if takesIn { return "/console/complaints" }
        if has(.auditor) { return "/console/audit" }
        if has(.admin) { return "/console/admin/departments" }
        return "/console/pages"
    }

    /// The values every page's layout reads: the words, the person, the menu, the CSRF token.
    func view(_ current: String, _ values: [String: Any]) -> [String: Any] {
        let t = MessageCatalogue.shared.table(for: language)
        var menu: [[String: Any]] = []
        func item(_ href: String, _ key: String) {
            let here = href == current || (href.hasPrefix("/console/admin/") && current.hasPrefix("/console/admin/"))
            menu.append(["href": href, "label": t[key] ?? key, "current": here])
        }
        if takesIn { item("/console/complaints/new", "nav_intake"); item("/console/complaints", "nav_complaints") }
        if works { item("/console/queue", "nav_queue") }
        if !caller.roles.isDisjoint(with: [.handler, .departmentHead, .branchManager, .executive]) { item("/console/pages", "nav_pages") }
        if readsReports { item("/console/reports", "nav_reports") }
        if has(.auditor) { item("/console/audit", "nav_audit") }
        if has(.admin) { item("/console/admin/departments", "nav_admin") }
        var view = values
        view["t"] = t
        view["lang"] = language
        view["csrf"] = csrf
        view["me"] = ["name": caller.name, "login": caller.login, "branch": caller.branchCode]
        view["menu"] = menu
        view["signedIn"] = true
        view["zh"] = language == "zh-Hans"
        view["live"] = works
        view["renderedAt"] = Int(startedAt.timeIntervalSince1970 * 1000)
        view["back"] = current.hasPrefix("/console/") ? current : "/console/"
        return view
    }
}
