import RedressCore
import RedressStore

/// Branches: everyone reads the branches in their scope; a branch's admin changes its name,
/// region and time zone.
extension APIHandlers {
    func listBranches(_ input: Operations.ListBranches.Input) async throws -> Operations.ListBranches.Output {
        let items = try await branches.list(try AuthenticatedCaller.required().scope)
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.Branch.init), nextCursor: nil))))
    }

    func getBranch(_ input: Operations.GetBranch.Input) async throws -> Operations.GetBranch.Output {
        let branch = try await branches.get(try AuthenticatedCaller.required().scope, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(branch))))
    }

    func updateBranch(_ input: Operations.UpdateBranch.Input) async throws -> Operations.UpdateBranch.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.timeZone(body.timeZone)
        try rules.check()
        let branch = try await branches.update(caller.scope, id: try Wire.id(input.path.id, "id"), name: FieldUpdate(body.name),
                                               region: FieldUpdate(body.region), timeZone: FieldUpdate(body.timeZone))
        return .ok(.init(body: .json(.init(branch))))
    }
}
