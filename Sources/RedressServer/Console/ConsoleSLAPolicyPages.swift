import Foundation
import Hummingbird

/// The admin's SLA policies: the branch's policies listed, each edited as the JSON document the
/// API's `replaceSLAPolicy` takes (and a new one from a copy), with every field the API refuses
/// named beside the document and what was typed kept.
struct ConsoleSLAPolicyPages: Sendable {
    let api: ConsoleAPI
    let renderer: ConsoleRenderer

    /// Members of a policy the API writes itself, left out of the document a person edits.
    static let written: Set<String> = ["id", "branchId", "updatedAt"]

    func register(on pages: RouterGroup<RedressRequestContext>) {
        pages.get("admin/sla-policies") { request, _ -> Response in
            let copy = request.uri.queryParameters["copy"].map(String.init)
            return try await list(document: nil, copyOf: copy, errors: [], notice: nil, status: .ok)
        }
        pages.post("admin/sla-policies") { _, _ -> Response in
            let text = ConsoleForm.current.fields["document"]?.first ?? ""
            let answer = await api.call(.post, "/v1/sla-policies", bytes: Data(text.utf8))
            if answer.problem == nil, let id = answer.object["id"] as? String {
                return ConsoleHeaders.redirect("/console/admin/sla-policies/\(ConsoleAPI.encoded(id))")
            }
            return try await list(document: text, copyOf: nil, errors: try refusals(answer), notice: nil,
                                  status: HTTPResponse.Status(code: answer.status))
        }
        pages.get("admin/sla-policies/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            return try await editor(id: id, document: nil, errors: [], saved: false, status: .ok)
        }
        pages.post("admin/sla-policies/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let text = ConsoleForm.current.fields["document"]?.first ?? ""
            let answer = await api.call(.put, "/v1/sla-policies/{id}", parameters: ["id": id], bytes: Data(text.utf8))
            if answer.problem == nil { return try await editor(id: id, document: nil, errors: [], saved: true, status: .ok) }
            return try await editor(id: id, document: text, errors: try refusals(answer), saved: false,
                                    status: HTTPResponse.Status(code: answer.status))
        }
    }

    /// The refusal's field errors as lines (`/milestoneHours/acknowledge: must be at least 1`).
    private func refusals(_ answer: ConsoleAPI.Answer) throws -> [String] {
        guard let problem = answer.problem, (400..<500).contains(problem.status), problem.status != 404 else {
            throw answer.problem ?? Problem.internalError
        }
        let language = try ConsoleVisit.required().language
        let lines = (problem.errors ?? []).map { "\($0.field): \(ProblemLanguage.message($0.message, in: language))" }
        return lines.isEmpty ? [ConsoleRefusal.text(problem, language: language)] : lines
    }

    private func list(document: String?, copyOf: String?, errors: [String], notice: String?, status: HTTPResponse.Status) async throws -> Response {
        let visit = try ConsoleVisit.required()
        guard visit.has(.admin) else { throw Problem.notFound() }
        let t = MessageCatalogue.shared.table(for: visit.language)
        let policies = await api.call(.get, "/v1/sla-policies")
        if let problem = policies.problem { throw problem }
        let items = policies.items
        let template = items.first { ($0["id"] as? String) == copyOf } ?? items.first
        var draft = document ?? ""
        if document == nil, var copy = template {
            copy["name"] = (copy["name"] as? String).map { MessageCatalogue.shared.text("admin_policy_copy", in: visit.language, ["name": $0]) }
            draft = Self.editable(copy)
        }
        return try renderer.page("sla-policies", visit.view("/console/admin/sla-policies", [
            "title": t["admin_sla-policies"] ?? "", "sections": AdminResource.sections(t, current: "/console/admin/sla-policies"),
            "policies": ConsoleValues.labelled(items.map { item -> [String: Any] in
                var item = item
                item["href"] = "/console/admin/sla-policies/\(item["id"] as? String ?? "")"
                return item
            } as [Any], t),
            "document": draft, "errors": errors, "hasErrors": !errors.isEmpty]), status: status)
    }

    private func editor(id: String, document: String?, errors: [String], saved: Bool, status: HTTPResponse.Status) async throws -> Response {
        let visit = try ConsoleVisit.required()
        guard visit.has(.admin) else { throw Problem.notFound() }
        let t = MessageCatalogue.shared.table(for: visit.language)
        let policy = await api.call(.get, "/v1/sla-policies/{id}", parameters: ["id": id])
        if let problem = policy.problem { throw problem }
        return try renderer.page("sla-policy", visit.view("/console/admin/sla-policies/\(ConsoleAPI.encoded(id))", [
            "title": "\(t["admin_sla_policy"] ?? "") \(policy.object["name"] as? String ?? "")",
            "sections": AdminResource.sections(t, current: "/console/admin/sla-policies"),
            "action": "/console/admin/sla-policies/\(ConsoleAPI.encoded(id))", "id": id,
            "document": document ?? Self.editable(policy.object), "errors": errors, "hasErrors": !errors.isEmpty, "saved": saved]),
            status: status)
    }

    /// The policy as the document a person edits: indented JSON without the members the API writes.
    static func editable(_ policy: [String: Any]) -> String {
        let document = policy.filter { !written.contains($0.key) }
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
