import RedressCore
import RedressStore

/// SLA policies and each branch's working calendar: everyone in a branch reads them, its admins
/// change them. A change recomputes the deadlines of the branch's open complaints (the scheduler
/// does it within moments of the change).
extension APIHandlers {
    func listSLAPolicies(_ input: Operations.ListSLAPolicies.Input) async throws -> Operations.ListSLAPolicies.Output {
        let items = try await sla.policies(try AuthenticatedCaller.required().scope)
        return .ok(.init(body: .json(.init(items: try items.map(Components.Schemas.SLAPolicy.init), nextCursor: nil))))
    }

    func getSLAPolicy(_ input: Operations.GetSLAPolicy.Input) async throws -> Operations.GetSLAPolicy.Output {
        let policy = try await sla.policy(try AuthenticatedCaller.required().scope, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(try .init(policy))))
    }

    func createSLAPolicy(_ input: Operations.CreateSLAPolicy.Input) async throws -> Operations.CreateSLAPolicy.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let created = try await sla.createPolicy(caller.scope, branchID: caller.branchID, try body.policy(), active: body.active ?? true)
        return .created(.init(headers: .init(location: "/v1/sla-policies/\(Wire.id(created.id))"), body: .json(try .init(created))))
    }

    func replaceSLAPolicy(_ input: Operations.ReplaceSLAPolicy.Input) async throws -> Operations.ReplaceSLAPolicy.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let id = try Wire.id(input.path.id, "id")
        let replaced = try await sla.replacePolicy(caller.scope, id: id, try body.policy(id: id), active: body.active ?? true)
        return .ok(.init(body: .json(try .init(replaced))))
    }

    func getCalendar(_ input: Operations.GetCalendar.Input) async throws -> Operations.GetCalendar.Output {
        let calendar = try await sla.calendar(try AuthenticatedCaller.required().scope, branchID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(calendar))))
    }

    func replaceCalendar(_ input: Operations.ReplaceCalendar.Input) async throws -> Operations.ReplaceCalendar.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let branchID = try Wire.id(input.path.id, "id")
        let parsed = try body.parsed()
        let calendar = try await sla.replaceCalendar(caller.scope, branchID: branchID, hours: parsed.hours, holidays: parsed.holidays,
                                                     makeUpDays: parsed.makeUpDays)
        return .ok(.init(body: .json(.init(calendar))))
    }
}
