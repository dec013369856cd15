import Foundation
import Hummingbird

/// The admin's working calendar of the branch: opening hours per weekday, holidays and make-up
/// working days, saved through the API's `replaceCalendar` with its validations; what it refuses
/// is shown next to the field, with what was typed kept.
struct ConsoleCalendarPage: Sendable {
    let api: ConsoleAPI
    let renderer: ConsoleRenderer

    /// The calendar's days, Monday first.
    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    func register(on pages: RouterGroup<RedressRequestContext>) {
        pages.get("admin/calendar") { _, _ -> Response in
            let (branch, visit) = try await ownBranch()
            let answer = await api.call(.get, "/v1/branches/{id}/calendar", parameters: ["id": branch])
            if let problem = answer.problem { throw problem }
            let hours = answer.object["hours"] as? [String: Any] ?? [:]
            var values: [String: String] = [:]
            for day in Self.weekdays { values[day] = (hours[day] as? [String] ?? []).joined(separator: ", ") }
            values["holidays"] = (answer.object["holidays"] as? [String] ?? []).joined(separator: "\n")
            values["makeUpDays"] = (answer.object["makeUpDays"] as? [String] ?? []).joined(separator: "\n")
            return try page(visit, values: values, errors: [:], timeZone: answer.object["timeZone"] as? String ?? "",
                        saved: false, status: .ok)
        }
        pages.post("admin/calendar") { _, _ -> Response in
            let (branch, visit) = try await ownBranch()
            let form = ConsoleForm.current
            var values: [String: String] = [:]
            var hours: [String: Any] = [:]
            for day in Self.weekdays {
                values[day] = form[day] ?? ""
                hours[day] = Self.list(form[day], separators: [",", "\n", ";"])
            }
            values["holidays"] = form["holidays"] ?? ""
            values["makeUpDays"] = form["makeUpDays"] ?? ""
            let body: [String: Any] = ["hours": hours, "holidays": Self.list(form["holidays"], separators: [",", "\n", " "]),
                                       "makeUpDays": Self.list(form["makeUpDays"], separators: [",", "\n", " "])]
            let answer = await api.call(.put, "/v1/branches/{id}/calendar", parameters: ["id": branch], json: body)
            guard let problem = answer.problem else {
                return try page(visit, values: values, errors: [:], timeZone: answer.object["timeZone"] as? String ?? "", saved: true, status: .ok)
            }
            guard (400..<500).contains(problem.status), problem.status != 404 else { throw problem }
            var errors: [String: String] = [:]
            for error in problem.errors ?? [] {
                let path = error.field.split(separator: "/").map(String.init)
                let field = path.first == "hours" && path.count > 1 ? path[1] : path.first ?? "holidays"
                let message = ProblemLanguage.message(error.message, in: visit.language)
                errors[field] = errors[field].map { "\($0); \(message)" } ?? message
            }
            if errors.isEmpty { errors["holidays"] = problem.detail ?? problem.title }
            return try page(visit, values: values, errors: errors, timeZone: "", saved: false, status: HTTPResponse.Status(code: problem.status))
        }
    }

    /// The admin's own branch id (a 404 for anyone who is not an admin).
    private func ownBranch() async throws -> (String, ConsoleVisit) {
        let visit = try ConsoleVisit.required()
        guard visit.has(.admin) else { throw Problem.notFound() }
        return (visit.caller.branchID.uuidString.lowercased(), visit)
    }

    private func page(_ visit: ConsoleVisit, values: [String: String], errors: [String: String], timeZone: String, saved: Bool,
                      status: HTTPResponse.Status) throws -> Response {
        let t = MessageCatalogue.shared.table(for: visit.language)
        let days = Self.weekdays.map { day -> [String: Any] in
            ["day": day, "label": t["weekday_\(day)"] ?? day, "value": values[day] ?? "", "error": ConsoleValues.optional(errors[day])]
        }
        return try renderer.page("calendar", visit.view("/console/admin/calendar", [
            "title": t["calendar_title"] ?? "", "days": days,
            "sections": AdminResource.sections(t, current: "/console/admin/calendar"), "timeZone": timeZone, "saved": saved,
            "holidays": values["holidays"] ?? "", "makeUpDays": values["makeUpDays"] ?? "",
            "holidaysError": ConsoleValues.optional(errors["holidays"]), "makeUpDaysError": ConsoleValues.optional(errors["makeUpDays"]),
            "hasErrors": !errors.isEmpty]), status: status)
    }

    /// The non-empty items of `text` split at any of `separators`.
    static func list(_ text: String?, separators: Set<Character>) -> [String] {
        (text ?? "").split(whereSeparator: { separators.contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
