import Foundation
import Hummingbird

/// The agent's intake form (every field of the API's `Intake`) and the agent's list of
/// complaints. The form is sent to the API's `createComplaint`; what it refuses comes back next to
/// the field it names, with everything typed kept.
struct ConsoleIntakePage: Sendable {
    let api: ConsoleAPI
    let renderer: ConsoleRenderer

    /// The words of the intake's vocabularies, in the order the form offers them.
    static let channels = ["phone", "web", "email", "visit", "sms", "chat", "social_media", "third_party", "app", "internal", "institutional"]
    static let sources = ["external", "internal", "institutional"]
    static let customerTypes = ["individual", "enterprise", "government", "public_institution", "social_organisation"]
    static let languages = ["zh-Hans", "zh-Hant", "en"]
    static let preferredChannels = ["sms", "email", "push", "online"]
    static let natures = ["general", "major"]
    static let priorities = ["urgent", "important", "general"]
    /// The text fields of the form, by their JSON pointer in `Intake`.
    static let textFields = ["/complainant/name", "/complainant/phone", "/complainant/email", "/complainant/address",
                             "/complainant/idNumber", "/complainant/customerRef", "/product", "/party", "/location",
                             "/description", "/desiredOutcome", "/occurredAt", "/receivedAt"]

    func register(on pages: RouterGroup<RedressRequestContext>) {
        pages.get("complaints/new") { _, _ -> Response in
            try await form(values: [:], errors: [:], status: .ok)
        }
        pages.post("complaints") { _, _ -> Response in
            let visit = try ConsoleVisit.required()
            let submitted = ConsoleForm.current
            var values: [String: String] = [:]
            for field in Self.textFields + ["/channel", "/source", "/complainant/customerType", "/complainant/language",
                                            "/complainant/preferredChannel", "/categoryId", "/level", "/nature", "/priority"] {
                if let value = submitted[Self.formName(field)] { values[field] = value }
            }
            if submitted["safety"] != nil { values["/safety"] = "on" }
            let zone = await api.branchTimeZone()
            var body: [String: Any] = [:]
            var complainant: [String: Any] = [:]
            var errors: [String: String] = [:]
            for (pointer, value) in values {
                let path = pointer.split(separator: "/").map(String.init)
                switch pointer {
                case "/safety": body["safety"] = true
                case "/level":
                    if let level = Int(value) { body["level"] = level } else { errors[pointer] = "must be 1, 2 or 3" }
                case "/occurredAt", "/receivedAt":
                    if let time = Self.rfc3339(local: value, in: zone) { body[path[0]] = time } else {
                        errors[pointer] = "is not a date and time"
                    }
                default:
                    if path.count == 2 { complainant[path[1]] = value } else { body[path[0]] = value }
                }
            }
            body["complainant"] = complainant
            if errors.isEmpty {
                let answer = await api.call(.post, "/v1/complaints", json: body)
                if answer.problem == nil, answer.status < 300 {
                    let t = MessageCatalogue.shared.table(for: visit.language)
                    return try renderer.page("recorded", visit.view("/console/complaints/new", [
                        "title": t["recorded_title"] ?? "", "complaint": ConsoleValues.labelled(answer.object, t)]), status: .created)
                }
                guard let problem = answer.problem, (400..<500).contains(problem.status) else {
                    throw answer.problem ?? Problem.internalError
                }
                for error in problem.errors ?? [] { errors[error.field.hasPrefix("/") ? error.field : "/" + error.field] = error.message }
                if errors.isEmpty { errors["/description"] = problem.detail ?? problem.title }
            }
            return try await form(values: values, errors: errors, status: .unprocessableContent)
        }
    }

    /// A form field's name for a JSON pointer: `/complainant/phone` → `complainant.phone`.
    static func formName(_ pointer: String) -> String {
        pointer.split(separator: "/").joined(separator: ".")
    }

    private func form(values: [String: String], errors: [String: String], status: HTTPResponse.Status) async throws -> Response {
        let visit = try ConsoleVisit.required()
        guard visit.takesIn else { throw Problem.notFound() }
        let t = MessageCatalogue.shared.table(for: visit.language)
        let categories = await api.call(.get, "/v1/categories").items.map { category -> [String: Any] in
            let id = category["id"] as? String ?? ""
            return ["value": id, "label": category["name"] as? String ?? id, "selected": values["/categoryId"] == id]
        }
        let translatedErrors = errors.mapValues { ProblemLanguage.message($0, in: visit.language) }
        let view: [String: Any] = [
            "title": t["intake_title"] ?? "",
            "values": ConsoleValues.nested(values),
            "errors": ConsoleValues.nested(translatedErrors),
            "hasErrors": !errors.isEmpty,
            "errorList": errors.keys.sorted().map { ["field": Self.formName($0), "label": t["field_" + Self.formName($0).replacingOccurrences(of: ".", with: "_")] ?? $0,
                                                       "message": translatedErrors[$0] ?? ""] },
            "channels": ConsoleValues.options(Self.channels, key: "channel", chosen: values["/channel"] ?? "phone", t),
            "sources": ConsoleValues.options(Self.sources, key: "source", chosen: values["/source"] ?? "external", t),
            "customerTypes": ConsoleValues.options(Self.customerTypes, key: "customerType",
                                                   chosen: values["/complainant/customerType"] ?? "individual", t),
            "languages": ConsoleValues.options(Self.languages, key: "language",
                                               chosen: values["/complainant/language"] ?? (visit.language == "en" ? "en" : "zh-Hans"), t),
            "preferredChannels": [["value": "", "label": t["choose_none"] ?? "", "selected": values["/complainant/preferredChannel"] == nil]]
                + ConsoleValues.options(Self.preferredChannels, key: "preferredChannel", chosen: values["/complainant/preferredChannel"], t),
            "natures": [["value": "", "label": t["choose_none"] ?? "", "selected": values["/nature"] == nil]]
                + ConsoleValues.options(Self.natures, key: "nature", chosen: values["/nature"], t),
            "priorities": [["value": "", "label": t["choose_none"] ?? "", "selected": values["/priority"] == nil]]
                + ConsoleValues.options(Self.priorities, key: "priority", chosen: values["/priority"], t),
            "levels": [["value": "", "label": t["choose_none"] ?? "", "selected": values["/level"] == nil]]
                + ["1", "2", "3"].map { ["value": $0, "label": t["level_\($0)"] ?? $0, "selected": values["/level"] == $0] },
            "categories": [["value": "", "label": t["choose_none"] ?? "", "selected": values["/categoryId"] == nil]] + categories,
            "safety": values["/safety"] != nil,
        ]
        return try renderer.page("intake", visit.view("/console/complaints/new", view), status: status)
    }

    /// A `datetime-local` value (`2026-12-05T09:30`) in `zone` as RFC 3339, or nil.
    static func rfc3339(local text: String, in zone: TimeZone) -> String? {
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = zone
        var date: Date?
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] where date == nil {
            parser.dateFormat = format
            date = parser.date(from: text)
        }
        guard let date else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
