import RedressCore
import RedressStore

/// Departments: everyone lists and reads their branches'; admins create, change and delete them
/// in their own branch.
extension APIHandlers {
    func listDepartments(_ input: Operations.ListDepartments.Input) async throws -> Operations.ListDepartments.Output {
        let page = try await departments.list(
            try AuthenticatedCaller.required().scope, branchID: try Wire.id(input.query.branchId, "branchId"),
            page: try Wire.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: try page.items.map(Components.Schemas.Department.init), nextCursor: page.nextCursor))))
    }

    func getDepartment(_ input: Operations.GetDepartment.Input) async throws -> Operations.GetDepartment.Output {
        let department = try await departments.get(try AuthenticatedCaller.required().scope, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(try .init(department))))
    }

    func createDepartment(_ input: Operations.CreateDepartment.Input) async throws -> Operations.CreateDepartment.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let department = try await departments.create(
            caller.scope, branchID: caller.branchID, name: body.name, kind: try Wire.vocabulary(body.kind),
            headUserID: try Wire.id(body.headUserId, "/headUserId"))
        return .created(.init(headers: .init(location: "/v1/departments/\(Wire.id(department.id))"), body: .json(try .init(department))))
    }

    /// Changes the fields sent; `headUserId: null` removes the head, leaving it out keeps them.
    func updateDepartment(_ input: Operations.UpdateDepartment.Input) async throws -> Operations.UpdateDepartment.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let department = try await departments.update(
            caller.scope, id: try Wire.id(input.path.id, "id"), name: FieldUpdate(body.name),
            kind: FieldUpdate(try body.kind.map(Wire.vocabulary)),
            headUserID: .clearable(try Wire.id(body.headUserId, "/headUserId"), field: "headUserId"), active: FieldUpdate(body.active))
        return .ok(.init(body: .json(try .init(department))))
    }

    func deleteDepartment(_ input: Operations.DeleteDepartment.Input) async throws -> Operations.DeleteDepartment.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        try await departments.delete(caller.scope, id: try Wire.id(input.path.id, "id"))
        return .noContent(.init())
    }
}
