import Foundation
import Hummingbird

/// A complaint's page: its summary, its SLA deadlines and how each was reckoned, its timeline,
/// communications, evidence, findings and plans, and a form for each step it allows now (plan
/// approval among them). Every part is an API operation for the reader, so a complaint outside
/// the reader's scope is the plain 404 page.
struct ConsoleComplaintPage: Sendable {
    let api: ConsoleAPI
    let renderer: ConsoleRenderer
    let evidence: CaseWorkRoutes

    /// The measures a plan may take, the milestones shown, and the kinds of evidence, in the form's order.
    static let measures = ["apology", "repair", "replacement", "refund", "compensation", "coupon_points", "free_service",
                           "mediation", "process_fix"]
    static let milestones = ["acknowledge", "initial_reply", "preliminary_feedback", "result"]
    static let evidenceTypes = ["documentary", "electronic", "physical", "witness"]
    static let bases = ["fault", "strict_liability", "causation"]

    func register(on pages: RouterGroup<RedressRequestContext>) {
        pages.get("complaints/:id") { _, context -> Response in
            try await page(id: context.parameters.get("id") ?? "", errors: [:], status: .ok)
        }
        pages.post("complaints/:id/actions/:action") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let action = context.parameters.get("action") ?? ""
            let form = ConsoleForm.current
            var step: [String: Any] = [:]
            if let note = form["note"] { step["note"] = note }
            if let resolution = form["resolution"] { step["resolution"] = resolution }
            if let level = form["level"] { step["level"] = Int(level) ?? level }
            if let satisfaction = form["satisfaction"] { step["satisfaction"] = Int(satisfaction) ?? satisfaction }
            for field in ["nature", "priority", "departmentId", "responsibleUserId", "regulatorReference"] {
                if let value = form[field] { step[field] = value }
            }
            if action == "propose_plan" {
                var plan: [String: Any] = ["measures": form.all("measures")]
                if let description = form["planDescription"] { plan["description"] = description }
                step["plan"] = plan
            }
            let answer = await api.call(.post, "/v1/complaints/{id}/actions/{action}", parameters: ["id": id, "action": action],
                                        json: step)
            if answer.problem == nil { return ConsoleHeaders.redirect("/console/complaints/\(ConsoleAPI.encoded(id))") }
            return try await refused(answer.problem!, id: id, action: action)
        }
        pages.post("complaints/:id/findings") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let form = ConsoleForm.current
            var body: [String: Any] = ["basis": form["basis"] ?? "fault"]
            for field in ["summary", "accountability"] { if let value = form[field] { body[field] = value } }
            for field in ["directParties", "indirectParties"] {
                body[field] = ConsoleCalendarPage.list(form[field], separators: [",", "\n", "、", "，"])
            }
            let answer = await api.call(.post, "/v1/complaints/{id}/findings", parameters: ["id": id], json: body)
            if answer.problem == nil { return ConsoleHeaders.redirect("/console/complaints/\(ConsoleAPI.encoded(id))#findings") }
            return try await refused(answer.problem!, id: id, action: "finding")
        }
        pages.post("complaints/:id/evidence") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let form = ConsoleForm.current
            var body: [String: Any] = ["type": form["type"] ?? "documentary"]
            for field in ["source", "description", "collectedBy"] { if let value = form[field] { body[field] = value } }
            if let collected = form["collectedAt"] {
                body["collectedAt"] = ConsoleIntakePage.rfc3339(local: collected, in: await api.branchTimeZone()) ?? collected
            }
            if let file = form.files["file"], !file.bytes.isEmpty {
                body["contentBase64"] = file.bytes.base64EncodedString()
                body["contentType"] = file.contentType ?? "application/octet-stream"
            }
            let answer = await api.call(.post, "/v1/complaints/{id}/evidence", parameters: ["id": id], json: body)
            if answer.problem == nil { return ConsoleHeaders.redirect("/console/complaints/\(ConsoleAPI.encoded(id))#evidence") }
            return try await refused(answer.problem!, id: id, action: "evidence")
        }
        pages.get("complaints/:id/evidence/:evidenceId/content") { request, context -> Response in
            try await evidence.content(request, complaintID: context.parameters.get("id") ?? "",
                                       evidenceID: context.parameters.get("evidenceId") ?? "", caller: try ConsoleVisit.required().caller)
        }
        pages.post("complaints/:id/communications") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let form = ConsoleForm.current
            var body: [String: Any] = ["direction": form["direction"] ?? "outbound", "channel": form["channel"] ?? "phone",
                                       "kind": form["kind"] ?? "note"]
            if let content = form["content"] { body["content"] = content }
            let answer = await api.call(.post, "/v1/complaints/{id}/communications", parameters: ["id": id], json: body)
            if answer.problem == nil { return ConsoleHeaders.redirect("/console/complaints/\(ConsoleAPI.encoded(id))#communications") }
            return try await refused(answer.problem!, id: id, action: "communication")
        }
    }

    /// The page again, with what the API refused shown in the form that was sent.
    private func refused(_ problem: Problem, id: String, action: String) async throws -> Response {
        guard (400..<500).contains(problem.status), problem.status != 404 else { throw problem }
        let language = try ConsoleVisit.required().language
        var messages = (problem.errors ?? []).map { "\($0.field.trimmingCharacters(in: ["/"])): \(ProblemLanguage.message($0.message, in: language))" }
        if messages.isEmpty {
            messages = [ConsoleRefusal.text(problem, language: language)]
        }
        return try await page(id: id, errors: [action: messages.joined(separator: "; ")], status: HTTPResponse.Status(code: problem.status))
    }

    private func page(id: String, errors: [String: String], status: HTTPResponse.Status) async throws -> Response {
        let visit = try ConsoleVisit.required()
        let t = MessageCatalogue.shared.table(for: visit.language)
        let complaint = await api.call(.get, "/v1/complaints/{id}", parameters: ["id": id])
        if let problem = complaint.problem { throw problem }
        async let timeline = api.call(.get, "/v1/complaints/{id}/timeline", parameters: ["id": id])
        async let communications = api.call(.get, "/v1/complaints/{id}/communications", parameters: ["id": id])
        async let evidence = api.call(.get, "/v1/complaints/{id}/evidence", parameters: ["id": id])
        async let findings = api.call(.get, "/v1/complaints/{id}/findings", parameters: ["id": id])
        async let plans = api.call(.get, "/v1/complaints/{id}/plans", parameters: ["id": id])
        async let departments = api.call(.get, "/v1/departments")
        let names = Dictionary((await departments).items.compactMap { department -> (String, String)? in
            guard let id = department["id"] as? String else { return nil }
            return (id, department["name"] as? String ?? id)
        }, uniquingKeysWith: { first, _ in first })
        var summary = ConsoleValues.labelled(complaint.object, t) as? [String: Any] ?? [:]
        if let department = summary["departmentId"] as? String { summary["departmentName"] = names[department] ?? department }
        let allowed = complaint.object["allowedActions"] as? [String] ?? []
        let view: [String: Any] = [
            "title": "\(t["complaint_title"] ?? "") \(summary["caseNumber"] as? String ?? "")",
            "complaint": summary,
            "deadlines": deadlines(complaint.object, t, language: visit.language),
            "timeline": ConsoleValues.labelled((await timeline).items.reversed() as [Any], t),
            "communications": ConsoleValues.labelled((await communications).items as [Any], t),
            "evidence": ConsoleValues.labelled((await evidence).items as [Any], t),
            "findings": ConsoleValues.labelled((await findings).items as [Any], t),
            "plans": (await plans).items.map { plan -> Any in
                var plan = ConsoleValues.labelled(plan, t) as? [String: Any] ?? [:]
                plan["statusLabel"] = (plan["status"] as? String).map { t["planStatus_\($0)"] ?? $0 }
                plan["measureLabels"] = (plan["measures"] as? [String] ?? []).map { t["measure_\($0)"] ?? $0 }.joined(separator: ", ")
                return plan
            },
            "actions": allowed.map { action(action: $0, t: t, departments: names, error: errors[$0]) },
            "communicationError": ConsoleValues.optional(errors["communication"]),
            "evidenceError": ConsoleValues.optional(errors["evidence"]),
            "findingError": ConsoleValues.optional(errors["finding"]),
            "bases": ConsoleValues.options(Self.bases, key: "basis", chosen: "fault", t),
            "evidenceTypes": ConsoleValues.options(Self.evidenceTypes, key: "evidenceType", chosen: "documentary", t),
            "communicationChannels": ConsoleValues.options(ConsoleIntakePage.channels + ["letter"], key: "channel", chosen: "phone", t),
            "hasActions": !allowed.isEmpty,
        ]
        return try renderer.page("complaint", visit.view("/console/complaints/\(ConsoleAPI.encoded(id))", view), status: status)
    }

    /// One allowed step as a form: its button, a note, and the fields the step takes.
    private func action(action: String, t: [String: String], departments: [String: String], error: String?) -> [String: Any] {
        var form: [String: Any] = ["action": action, "label": t["action_\(action)"] ?? action, "error": ConsoleValues.optional(error)]
        switch action {
        case "grade":
            form["grade"] = true
            form["levels"] = ["1", "2", "3"].map { ["value": $0, "label": t["level_\($0)"] ?? $0] }
            form["priorities"] = ConsoleValues.options(ConsoleIntakePage.priorities, key: "priority", chosen: "general", t)
            form["natures"] = ConsoleValues.options(ConsoleIntakePage.natures, key: "nature", chosen: "general", t)
        case "assign", "reassign":
            form["assign"] = true
            form["departments"] = departments.sorted { $0.value < $1.value }.map { ["value": $0.key, "label": $0.value] }
        case "propose_plan":
            form["plan"] = true
            form["measures"] = Self.measures.map { ["value": $0, "label": t["measure_\($0)"] ?? $0] }
        case "feed_back_result", "resolve_on_the_spot", "mark_invalid":
            form["resolution"] = true
        case "record_satisfaction":
            form["satisfaction"] = true
        default:
            break
        }
        form["primary"] = ["approve_plan", "acknowledge", "grade", "assign"].contains(action)
        return form
    }

    /// Each milestone's deadline with the policy's reckoning, and whether it is met or late.
    private func deadlines(_ complaint: [String: Any], _ t: [String: String], language: String) -> [[String: Any]] {
        guard let sla = complaint["sla"] as? [String: Any], let milestones = sla["milestones"] as? [String: Any] else { return [] }
        let completed = Set(sla["completed"] as? [String] ?? [])
        let counting = sla["counting"] as? String ?? ""
        let now = Date()
        return Self.milestones.compactMap { name -> [String: Any]? in
            guard let deadline = milestones[name] as? [String: Any] else { return nil }
            let at = deadline["at"] as? String
            let due = at.flatMap(ConsoleValues.date)
            let state = completed.contains(name) ? "met" : (due.map { $0 < now } ?? false) ? "late" : "open"
            let hours = (deadline["targetSeconds"] as? Int).map { $0 / 3600 } ?? 0
            let pauses = (deadline["pauses"] as? [Any])?.count ?? 0
            let explanation = MessageCatalogue.shared.text("deadline_explanation", in: language, [
                "hours": "\(hours)", "counting": t["counting_\(counting)"] ?? counting,
                "from": (deadline["from"] as? String).flatMap(ConsoleValues.readableTime) ?? "",
                "pauses": "\(pauses)"])
            return ["milestone": t["milestone_\(name)"] ?? name, "atText": at.flatMap(ConsoleValues.readableTime) ?? "—",
                    "state": state, "stateLabel": t["deadline_\(state)"] ?? state, "explanation": explanation,
                    "policy": sla["policyName"] as? String ?? ""]
        }
    }
}
