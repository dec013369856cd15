import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// The satisfaction follow-up queue: `GET /v1/follow-ups` (due first; `status`, `overdue`,
/// `complaintId`), `GET /v1/follow-ups/{id}`, and `POST /v1/follow-ups/{id}/outcome`, which
/// records the customer's answer and closes or reopens the complaint.
struct FollowUpRoutes: Sendable {
    let followUps: FollowUpStore
    let complaints: ComplaintStore

    static let statuses: Set<String> = ["due", "done", "cancelled"]

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("follow-ups") { request, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: ComplaintRoutes.readerRoles) else { throw Problem.forbidden(needing: .agent) }
            let page = try await followUps.list(caller, try Self.filter(request), page: try RequestParameters.page(request))
            return try JSONResponse.make(status: .ok, body: page)
        }
        group.get("follow-ups/:id") { _, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: ComplaintRoutes.readerRoles) else { throw Problem.notFound() }
            return try JSONResponse.make(status: .ok, body: try await followUps.get(caller, id: try RequestParameters.id(context)))
        }
        group.post("follow-ups/:id/outcome") { request, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: ComplaintAction.recordSatisfaction.permittedRoles) else {
                throw Problem.forbidden(needing: .agent)
            }
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(OutcomeBody.self, from: request)
            try body.check()
            let survey = Survey(method: body.method, attitude: body.attitude, efficiency: body.efficiency, outcome: body.outcome,
                                comments: body.comments)
            let result = try await followUps.recordOutcome(caller, id: id, score: body.score, survey: survey, note: body.note,
                                                           complaints: complaints)
            return try JSONResponse.make(status: .ok, body: OutcomeResult(followUp: result.followUp, complaint: result.complaint))
        }
    }

    static func filter(_ request: Request) throws -> FollowUpFilter {
        let query = request.uri.queryParameters
        var filter = FollowUpFilter()
        var rules = FieldRules()
        if let status = query["status"].map(String.init) {
            rules.oneOf(status, statuses, "status")
            filter.status = status
        }
        if let overdue = query["overdue"].map(String.init) {
            if overdue == "true" || overdue == "false" { filter.overdueOnly = overdue == "true" } else { rules.fail("overdue", "must be true or false") }
        }
        do { filter.complaintID = try RequestParameters.optionalID(request, "complaintId") } catch let problem as Problem {
            for error in problem.errors ?? [] { rules.fail(error.field, error.message) }
        }
        if !rules.errors.isEmpty { throw Problem.invalidRequest(rules.errors) }
        return filter
    }

    /// What recording an outcome answers: the follow-up, done, and the complaint after it.
    struct OutcomeResult: Encodable {
        var followUp: FollowUp
        var complaint: Complaint
    }
}

/// `POST /v1/follow-ups/{id}/outcome`: how the customer was reached, the overall score 1–10, the
/// dimension scores, comments, and a note for the timeline.
struct OutcomeBody: StrictBody {
    static let fields: Set<String> = ["method", "score", "attitude", "efficiency", "outcome", "comments", "note"]

    var method: String
    var score: Int
    var attitude: Int?
    var efficiency: Int?
    var outcome: Int?
    var comments: String?
    var note: String?

    static let methods: Set<String> = ["phone", "sms", "email", "visit", "online_questionnaire"]

    func check() throws {
        var rules = FieldRules()
        rules.oneOf(method, Self.methods, "/method")
        rules.number(score, 1...10, "/score")
        rules.number(attitude, 1...10, "/attitude")
        rules.number(efficiency, 1...10, "/efficiency")
        rules.number(outcome, 1...10, "/outcome")
        rules.multilineText(comments, "/comments", length: 1...5_000)
        rules.multilineText(note, "/note", length: 1...5_000)
        try rules.check()
    }
}
