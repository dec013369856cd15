import Foundation
import RedressCore
import RedressStore

/// Rectification tasks: made by a branch manager or the head of the responsible department,
/// worked on and submitted by the responsible side, accepted or sent back by a head or manager
/// who is not responsible for them, evaluated for effect once accepted.
extension APIHandlers {
    func listRectifications(_ input: Operations.ListRectifications.Input) async throws -> Operations.ListRectifications.Output {
        let caller = try CaseWorkAccess.reader()
        let filter = RectificationFilter(status: input.query.status?.rawValue, overdue: input.query.overdue,
                                         departmentID: try Wire.id(input.query.departmentId, "departmentId"),
                                         complaintID: try Wire.id(input.query.complaintId, "complaintId"))
        let tasks = try await rectifications.list(caller, filter)
        return .ok(.init(body: .json(.init(items: try tasks.map(Components.Schemas.Rectification.init)))))
    }

    func createRectification(_ input: Operations.CreateRectification.Input) async throws -> Operations.CreateRectification.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: [.branchManager, .departmentHead]) else { throw Problem.forbidden(needing: .branchManager) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.requireText(body.title, "/title")
        rules.requireText(body.problem, "/problem")
        rules.requireText(body.acceptanceCriteria, "/acceptanceCriteria")
        for (index, measure) in body.measures.enumerated() {
            rules.requireText(measure.description, "/measures/\(index)/description")
            rules.requireText(measure.target, "/measures/\(index)/target")
        }
        if body.dueAt <= Date() { rules.fail("/dueAt", "must be in the future") }
        if (body.complaintIds ?? []).isEmpty && (body.categoryIds ?? []).isEmpty {
            rules.fail("/complaintIds", "or categoryIds must name what the task rectifies")
        }
        let draft = RectificationDraft(
            title: body.title, problem: body.problem,
            measures: body.measures.map { RectificationMeasure(description: $0.description, target: $0.target) },
            acceptanceCriteria: body.acceptanceCriteria, departmentID: try Wire.id(body.departmentId, "/departmentId"),
            responsibleUserID: try Wire.id(body.responsibleUserId, "/responsibleUserId"), dueAt: body.dueAt,
            complaintIDs: try Self.ids(body.complaintIds, "/complaintIds", &rules),
            categoryIDs: try Self.ids(body.categoryIds, "/categoryIds", &rules),
            evaluatedDepartmentIDs: try Self.ids(body.evaluatedDepartmentIds, "/evaluatedDepartmentIds", &rules),
            evaluationDays: body.evaluationDays ?? 90)
        try rules.check()
        return .created(.init(body: .json(try .init(try await rectifications.create(caller, draft)))))
    }

    func getRectification(_ input: Operations.GetRectification.Input) async throws -> Operations.GetRectification.Output {
        let caller = try CaseWorkAccess.reader()
        return .ok(.init(body: .json(try .init(try await rectifications.get(caller, id: try Wire.id(input.path.id, "id"))))))
    }

    func listRectificationEvents(_ input: Operations.ListRectificationEvents.Input) async throws
        -> Operations.ListRectificationEvents.Output {
        let caller = try CaseWorkAccess.reader()
        let events = try await rectifications.events(caller, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(items: try events.map(Components.Schemas.RectificationEvent.init)))))
    }

    func recordRectificationProgress(_ input: Operations.RecordRectificationProgress.Input) async throws
        -> Operations.RecordRectificationProgress.Output {
        let caller = try CaseWorkAccess.reader()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.requireText(body.note, "/note")
        try rules.check()
        let task = try await rectifications.recordProgress(caller, id: try Wire.id(input.path.id, "id"), percent: body.progressPercent,
                                                           note: body.note)
        return .ok(.init(body: .json(try .init(task))))
    }

    func submitRectification(_ input: Operations.SubmitRectification.Input) async throws -> Operations.SubmitRectification.Output {
        let caller = try CaseWorkAccess.reader()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.requireText(body.report, "/report")
        try rules.check()
        return .ok(.init(body: .json(try .init(try await rectifications.submit(caller, id: try Wire.id(input.path.id, "id"),
                                                                              report: body.report)))))
    }

    func decideRectification(_ input: Operations.DecideRectification.Input) async throws -> Operations.DecideRectification.Output {
        let caller = try CaseWorkAccess.reader()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.requireText(body.reasoning, "/reasoning")
        try rules.check()
        let task = try await rectifications.decide(caller, id: try Wire.id(input.path.id, "id"), accept: body.outcome == .accepted,
                                                   reasoning: body.reasoning)
        return .ok(.init(body: .json(try .init(task))))
    }

    func getRectificationEffect(_ input: Operations.GetRectificationEffect.Input) async throws
        -> Operations.GetRectificationEffect.Output {
        let caller = try CaseWorkAccess.reader()
        let effect = try await rectifications.effect(caller, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(createdAt: effect.createdAt, acceptedAt: effect.acceptedAt, periodDays: effect.periodDays,
                                           before: effect.before, after: effect.after, changePercent: effect.changePercent,
                                           final: effect.final))))
    }

    /// Ids of a request's list, each parsed; a malformed one is a failed rule naming its index.
    static func ids(_ texts: [String]?, _ field: String, _ rules: inout FieldRules) throws -> [UUID] {
        (texts ?? []).enumerated().compactMap { index, text in
            guard let id = UUID(uuidString: text) else { rules.fail("\(field)/\(index)", "is not a UUID"); return nil }
            return id
        }
    }
}
