import Foundation
import Hummingbird

/// The work queue of handlers, heads and managers (the API's `getWorkQueue`, bucket by bucket),
/// the agent's list of complaints, the person's pages with their acknowledgement, and the live
/// stream that refreshes them.
struct ConsoleQueuePages: Sendable {
    let api: ConsoleAPI
    let renderer: ConsoleRenderer
    let live: ConsoleLive

    /// The statuses the complaints list filters by.
    static let statuses = ["received", "acknowledged", "graded", "assigned", "investigating", "plan_proposed", "plan_head_approved",
                           "plan_approved", "implementing", "result_fed_back", "follow_up", "awaiting_customer", "closed", "archived"]

    func register(on pages: RouterGroup<RedressRequestContext>) {
        pages.get("queue") { request, _ -> Response in
            try await queue(bucket: request.uri.queryParameters["bucket"].map(String.init),
                            cursor: request.uri.queryParameters["cursor"].map(String.init))
        }
        pages.get("complaints") { request, _ -> Response in try await complaints(status: request.uri.queryParameters["status"].map(String.init)) }
        pages.get("pages") { _, _ -> Response in try await pageList() }
        pages.post("pages/:id/acknowledge") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let answer = await api.call(.post, "/v1/pages/{id}/acknowledge", parameters: ["id": id])
            if let problem = answer.problem, problem.status != 409 { throw problem }
            return ConsoleHeaders.redirect("/console/pages")
        }
        pages.get("live") { _, _ -> Response in try live.stream() }
    }

    /// Every bucket's first items, or one bucket (`bucket`) page by page.
    private func queue(bucket: String?, cursor: String?) async throws -> Response {
        let visit = try ConsoleVisit.required()
        guard visit.works else { throw Problem.notFound() }
        let t = MessageCatalogue.shared.table(for: visit.language)
        var query: [(String, String)] = []
        if let bucket {
            query = [("bucket", bucket), ("limit", "50")]
            if let cursor { query.append(("cursor", cursor)) }
        }
        let answer = await api.call(.get, "/v1/work-queue", query: query)
        if let problem = answer.problem { throw problem }
        let buckets = (answer.object["buckets"] as? [[String: Any]] ?? []).map { part -> [String: Any] in
            var part = ConsoleValues.labelled(part, t) as? [String: Any] ?? [:]
            let shown = (part["items"] as? [Any])?.count ?? 0
            part["empty"] = shown == 0
            let name = part["bucket"] as? String ?? ""
            if let next = part["nextCursor"] as? String {
                part["more"] = bucket == nil ? "/console/queue?bucket=\(name)"
                    : "/console/queue?bucket=\(name)&cursor=\(ConsoleAPI.encoded(next))"
            }
            return part
        }
        let total = buckets.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
        return try renderer.page("queue", visit.view("/console/queue", [
            "title": t["queue_title"] ?? "", "buckets": buckets, "total": total, "oneBucket": bucket != nil,
            "generatedAtText": (answer.object["generatedAt"] as? String).flatMap(ConsoleValues.readableTime) ?? ""]))
    }

    private func complaints(status: String?) async throws -> Response {
        let visit = try ConsoleVisit.required()
        guard visit.takesIn || visit.works else { throw Problem.notFound() }
        let t = MessageCatalogue.shared.table(for: visit.language)
        var query = [("limit", "50")]
        if let status, Self.statuses.contains(status) { query.append(("status", status)) }
        let answer = await api.call(.get, "/v1/complaints", query: query)
        if let problem = answer.problem { throw problem }
        return try renderer.page("complaints", visit.view("/console/complaints", [
            "title": t["complaints_title"] ?? "",
            "complaints": ConsoleValues.labelled(answer.items as [Any], t),
            "empty": answer.items.isEmpty,
            "statuses": [["value": "", "label": t["choose_all"] ?? "", "selected": status == nil]]
                + ConsoleValues.options(Self.statuses, key: "status", chosen: status, t)]))
    }

    private func pageList() async throws -> Response {
        let visit = try ConsoleVisit.required()
        let t = MessageCatalogue.shared.table(for: visit.language)
        let answer = await api.call(.get, "/v1/pages", query: [("limit", "50")])
        if let problem = answer.problem { throw problem }
        let items = answer.items.map { page -> [String: Any] in
            var page = ConsoleValues.labelled(page, t) as? [String: Any] ?? [:]
            page["open"] = page["acknowledgedAt"] == nil
            page["reasonLabel"] = Self.reason(page["summary"] as? [String: Any] ?? [:], tier: page["tier"] as? Int ?? 0, t,
                                              language: visit.language)
            return page
        }
        return try renderer.page("pages", visit.view("/console/pages", [
            "title": t["pages_title"] ?? "", "pages": items, "empty": items.isEmpty]))
    }

    /// Why a page was sent, in words: its reason (and milestone), else its escalation tier.
    static func reason(_ summary: [String: Any], tier: Int, _ t: [String: String], language: String) -> String {
        guard let reason = summary["reason"] as? String else {
            return MessageCatalogue.shared.text("reason_tier", in: language, ["tier": "\(tier)"])
        }
        let milestone = (summary["milestone"] as? String).map { " · " + (t["milestone_\($0)"] ?? $0) } ?? ""
        return (t["reason_\(reason)"] ?? reason) + milestone
    }
}
