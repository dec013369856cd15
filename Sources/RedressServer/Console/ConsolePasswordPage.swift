import Hummingbird

/// The person's own password, changed through the API's `changePassword`: the page everyone may
/// reach, and the only one (with signing out) for someone who must replace a password that
/// somebody else chose.
struct ConsolePasswordPage: Sendable {
    let api: ConsoleAPI
    let renderer: ConsoleRenderer

    func register(on pages: RouterGroup<RedressRequestContext>) {
        pages.get("password") { _, _ -> Response in try page(errors: [:], status: .ok) }
        pages.post("password") { _, _ -> Response in
            let form = ConsoleForm.current
            let answer = await api.call(.post, "/v1/me/password", json: [
                "currentPassword": form.fields["currentPassword"]?.first ?? "", "newPassword": form.fields["newPassword"]?.first ?? ""])
            guard let problem = answer.problem else { return ConsoleHeaders.redirect("/console/") }
            guard (400..<500).contains(problem.status) else { throw problem }
            let language = try ConsoleVisit.required().language
            var errors: [String: String] = [:]
            for error in problem.errors ?? [] {
                errors[error.field.trimmingCharacters(in: ["/"])] = ProblemLanguage.message(error.message, in: language)
            }
            if errors.isEmpty { errors["currentPassword"] = ConsoleRefusal.text(problem, language: language) }
            return try page(errors: errors, status: HTTPResponse.Status(code: problem.status))
        }
    }

    private func page(errors: [String: String], status: HTTPResponse.Status) throws -> Response {
        let visit = try ConsoleVisit.required()
        let t = MessageCatalogue.shared.table(for: visit.language)
        return try renderer.page("password", visit.view("/console/password", [
            "title": t["password_title"] ?? "", "required": visit.caller.passwordChangeRequired,
            "currentError": ConsoleValues.optional(errors["currentPassword"]), "newError": ConsoleValues.optional(errors["newPassword"])]),
            status: status)
    }
}
