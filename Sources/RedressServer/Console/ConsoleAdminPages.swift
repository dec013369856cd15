import Foundation
import Hummingbird

/// The admin's configuration pages for departments, people, categories, routing rules and
/// webhooks (``AdminResource``): each a list with a creation form sent to the API's own operation,
/// its refusals shown next to the field they name, and a button per row that removes it or
/// switches it off and on.
struct ConsoleAdminPages: Sendable {
    let api: ConsoleAPI
    let renderer: ConsoleRenderer

    func register(on pages: RouterGroup<RedressRequestContext>) {
        pages.get("admin/:resource") { _, context -> Response in
            let resource = try Self.resource(context)
            return try await page(resource, values: [:], errors: [:], notice: nil, status: .ok)
        }
        pages.post("admin/:resource") { _, context -> Response in
            let resource = try Self.resource(context)
            let visit = try ConsoleVisit.required()
            let form = ConsoleForm.current
            let (body, values, problems) = Self.body(resource, form)
            guard problems.isEmpty else {
                return try await page(resource, values: values, errors: problems.mapValues { ProblemLanguage.message($0, in: visit.language) },
                                      notice: nil, status: .unprocessableContent)
            }
            let answer = await api.call(.post, resource.path, json: body)
            guard let problem = answer.problem else {
                let t = MessageCatalogue.shared.table(for: visit.language)
                var notice = t["admin_saved"] ?? ""
                if let secret = answer.object["secret"] as? String {
                    notice = MessageCatalogue.shared.text("admin_secret_once", in: visit.language, ["secret": secret])
                }
                return try await page(resource, values: [:], errors: [:], notice: notice, status: .created)
            }
            guard (400..<500).contains(problem.status), problem.status != 404 else { throw problem }
            var errors: [String: String] = [:]
            for error in problem.errors ?? [] {
                let field = error.field.split(separator: "/").first.map(String.init) ?? "name"
                let message = ProblemLanguage.message(error.message, in: visit.language)
                errors[field] = errors[field].map { "\($0); \(message)" } ?? message
            }
            if errors.isEmpty { errors[resource.fields[0].name] = ConsoleRefusal.text(problem, language: visit.language) }
            return try await page(resource, values: values, errors: errors, notice: nil, status: HTTPResponse.Status(code: problem.status))
        }
        pages.post("admin/:resource/:id/remove") { _, context -> Response in
            let resource = try Self.resource(context)
            let id = context.parameters.get("id") ?? ""
            let answer: ConsoleAPI.Answer
            switch resource.removal {
            case .delete: answer = await api.call(.delete, resource.path + "/{id}", parameters: ["id": id])
            case .deactivate:
                answer = await api.call(.patch, resource.path + "/{id}", parameters: ["id": id],
                                        json: ["active": ConsoleForm.current["active"] == "true"])
            case .none: throw Problem.notFound()
            }
            if let problem = answer.problem {
                guard (400..<500).contains(problem.status), problem.status != 404 else { throw problem }
                let visit = try ConsoleVisit.required()
                let message = ConsoleRefusal.text(problem, language: visit.language)
                return try await page(resource, values: [:], errors: [:], notice: nil, refusal: message, status: HTTPResponse.Status(code: problem.status))
            }
            return ConsoleHeaders.redirect("/console/admin/\(resource.slug)")
        }
    }

    /// The resource the path names, for admins only (a 404 otherwise).
    static func resource(_ context: RedressRequestContext) throws -> AdminResource {
        guard try ConsoleVisit.required().has(.admin),
              let resource = AdminResource.all.first(where: { $0.slug == context.parameters.get("resource") }) else { throw Problem.notFound() }
        return resource
    }

    /// The API body of a submitted form, the values to show again, and what cannot be sent at all.
    static func body(_ resource: AdminResource, _ form: ConsoleForm) -> ([String: Any], [String: [String]], [String: String]) {
        var body: [String: Any] = [:], values: [String: [String]] = [:], errors: [String: String] = [:]
        for field in resource.fields {
            let given = form.all(field.name)
            values[field.name] = given
            switch field.kind {
            case .text:
                if let value = given.first { body[field.name] = value }
            case .choice, .reference:
                if let value = given.first { body[field.name] = field.name == "level" ? (Int(value) as Any? ?? value) : value }
            case .choices, .references:
                body[field.name] = given
            case .number:
                if let value = given.first {
                    if let number = Int(value) { body[field.name] = number } else { errors[field.name] = "must be a whole number" }
                }
            }
        }
        // Someone the admin gives a password replaces it with their own at the first sign-in.
        if resource.slug == "people", body["password"] != nil { body["passwordChangeRequired"] = true }
        return (body, values, errors)
    }

    private func page(_ resource: AdminResource, values: [String: [String]], errors: [String: String], notice: String?,
                      refusal: String? = nil, status: HTTPResponse.Status) async throws -> Response {
        let visit = try ConsoleVisit.required()
        let t = MessageCatalogue.shared.table(for: visit.language)
        let listed = await api.call(.get, resource.path, query: resource.path == "/v1/routing-rules" ? [] : [("limit", "200")])
        if let problem = listed.problem { throw problem }
        var lists: [String: [[String: Any]]] = [:]
        for list in resource.references {
            lists[list] = list == resource.slug ? listed.items
                : await api.call(.get, "/v1/\(list)", query: list == "categories" ? [] : [("limit", "200")]).items
        }
        let names = Self.names(lists)
        let rows = listed.items.map { item -> [String: Any] in
            let active = item["active"] as? Bool ?? true
            let id = item["id"] as? String ?? ""
            var row: [String: Any] = [
                "cells": resource.columns.map { Self.cell(item[$0], prefix: resource.labels[$0], names: names, t) },
                "removable": resource.removal != .none, "action": "/console/admin/\(resource.slug)/\(id)/remove",
                "removeLabel": t[resource.removal == .delete ? "admin_remove" : active ? "admin_deactivate" : "admin_activate"] ?? "",
                "active": active ? "false" : "true",
            ]
            if resource.removal == .delete && !active { row["removable"] = false }
            return row
        }
        let fields = resource.fields.map { field -> [String: Any] in
            var view: [String: Any] = ["name": field.name, "label": t["admin_field_\(field.name)"] ?? field.name,
                                       "error": ConsoleValues.optional(errors[field.name]), "text": false, "select": false,
                                       "checkboxes": false, "value": values[field.name]?.first ?? "", "inputType": "text",
                                       "maxLength": NSNull()]
            let chosen = Set(values[field.name] ?? [])
            func options(_ pairs: [(String, String)], optional: Bool) -> [[String: Any]] {
                (optional ? [["value": "", "label": t["choose_none"] ?? "", "selected": chosen.isEmpty]] : [])
                    + pairs.map { ["value": $0.0, "label": $0.1, "selected": chosen.contains($0.0)] }
            }
            switch field.kind {
            case .text(let maxLength, let type):
                view["text"] = true
                view["inputType"] = type
                view["maxLength"] = maxLength
                if type == "password" { view["value"] = "" }
            case .number:
                view["text"] = true
                view["inputType"] = "number"
            case .choice(let words, let labels, let optional):
                view["select"] = true
                view["options"] = options(words.map { ($0, t["\(labels)_\($0)"] ?? $0) }, optional: optional)
            case .choices(let words, let labels):
                view["checkboxes"] = true
                view["options"] = options(words.map { ($0, t["\(labels)_\($0)"] ?? $0) }, optional: false)
            case .reference(let list, let optional):
                view["select"] = true
                view["options"] = options(Self.choices(lists[list] ?? []), optional: optional)
            case .references(let list):
                view["checkboxes"] = true
                view["options"] = options(Self.choices(lists[list] ?? []), optional: false)
            }
            return view
        }
        let sections = AdminResource.sections(t, current: "/console/admin/\(resource.slug)")
        return try renderer.page("admin", visit.view("/console/admin/\(resource.slug)", [
            "title": t["admin_\(resource.slug)"] ?? resource.slug, "sections": sections,
            "columns": resource.columns.map { t["admin_field_\($0)"] ?? $0 }, "rows": rows, "empty": rows.isEmpty,
            "fields": fields, "createAction": "/console/admin/\(resource.slug)", "hasErrors": !errors.isEmpty,
            "notice": ConsoleValues.optional(notice), "refusal": ConsoleValues.optional(refusal)]), status: status)
    }

    /// Each row's name by id, across the lists fetched.
    static func names(_ lists: [String: [[String: Any]]]) -> [String: String] {
        var names: [String: String] = [:]
        for (_, items) in lists {
            for item in items {
                guard let id = item["id"] as? String else { continue }
                names[id] = item["name"] as? String ?? item["code"] as? String ?? id
            }
        }
        return names
    }

    /// A list's rows as choices of a form: each id with its name (and login), by name.
    static func choices(_ items: [[String: Any]]) -> [(String, String)] {
        items.compactMap { item in
            guard let id = item["id"] as? String else { return nil }
            let name = item["name"] as? String ?? id
            return (id, (item["login"] as? String).map { "\(name) (\($0))" } ?? name)
        }.sorted { $0.1 < $1.1 }
    }

    /// A column's text: names for ids, labels for words, yes or no, a dash for nothing.
    static func cell(_ value: Any?, prefix: String?, names: [String: String], _ t: [String: String]) -> String {
        switch value {
        case nil: return "—"
        case let flag as Bool: return t[flag ? "answer_yes" : "answer_no"] ?? "\(flag)"
        case let text as String:
            if let name = names[text] { return name }
            if let prefix, let label = t["\(prefix)_\(text)"] { return label }
            return text
        case let items as [Any]:
            let parts = items.map { cell($0, prefix: prefix, names: names, t) }
            return parts.isEmpty ? "—" : parts.joined(separator: ", ")
        case let value?: return "\(value)"
        }
    }
}
