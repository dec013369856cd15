import Foundation
import RedressCore
import RedressStore

/// The satisfaction follow-up queue: due first, filtered by `status`, `overdue` and
/// `complaintId`; one follow-up; and its outcome, the customer's answer, which closes the
/// complaint (6 or more) or reopens it.
extension APIHandlers {
    func listFollowUps(_ input: Operations.ListFollowUps.Input) async throws -> Operations.ListFollowUps.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: CaseWorkAccess.readers) else { throw Problem.forbidden(needing: .agent) }
        let query = input.query
        let filter = FollowUpFilter(status: query.status?.rawValue ?? "due", overdueOnly: query.overdue ?? false,
                                    complaintID: try Wire.id(query.complaintId, "complaintId"))
        let page = try await followUps.list(caller, filter, page: try Wire.page(limit: query.limit, cursor: query.cursor))
        return .ok(.init(body: .json(.init(items: try page.items.map(Components.Schemas.FollowUp.init), nextCursor: page.nextCursor))))
    }

    func getFollowUp(_ input: Operations.GetFollowUp.Input) async throws -> Operations.GetFollowUp.Output {
        let caller = try CaseWorkAccess.reader()
        let followUp = try await followUps.get(caller, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(try .init(followUp))))
    }

    func recordFollowUpOutcome(_ input: Operations.RecordFollowUpOutcome.Input) async throws -> Operations.RecordFollowUpOutcome.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: ComplaintAction.recordSatisfaction.permittedRoles) else {
            throw Problem.forbidden(needing: .agent)
        }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let survey = Survey(method: body.method.rawValue, attitude: body.attitude, efficiency: body.efficiency, outcome: body.outcome,
                            comments: body.comments)
        let result = try await followUps.recordOutcome(caller, id: try Wire.id(input.path.id, "id"), score: body.score, survey: survey,
                                                       note: body.note, complaints: complaints)
        return .ok(.init(body: .json(.init(followUp: try .init(result.followUp), complaint: try .init(result.complaint)))))
    }
}
