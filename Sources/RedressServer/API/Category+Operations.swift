import RedressCore
import RedressStore

/// A branch's complaint categories and routing rules: everyone in it reads them, admins change them.
extension APIHandlers {
    func listCategories(_ input: Operations.ListCategories.Input) async throws -> Operations.ListCategories.Output {
        let items = try await categories.list(try AuthenticatedCaller.required().scope)
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.Category.init), nextCursor: nil))))
    }

    func createCategory(_ input: Operations.CreateCategory.Input) async throws -> Operations.CreateCategory.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let category = try await routingRules.createCategory(caller.scope, branchID: caller.branchID, code: body.code, name: body.name,
                                                             parentID: try Wire.id(body.parentId, "/parentId"))
        return .created(.init(body: .json(.init(category))))
    }

    func updateCategory(_ input: Operations.UpdateCategory.Input) async throws -> Operations.UpdateCategory.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let category = try await routingRules.updateCategory(caller.scope, id: try Wire.id(input.path.id, "id"),
                                                             name: FieldUpdate(body.name), active: FieldUpdate(body.active))
        return .ok(.init(body: .json(.init(category))))
    }

    func listRoutingRules(_ input: Operations.ListRoutingRules.Input) async throws -> Operations.ListRoutingRules.Output {
        let items = try await routingRules.list(try AuthenticatedCaller.required().scope)
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.RoutingRule.init), nextCursor: nil))))
    }

    func createRoutingRule(_ input: Operations.CreateRoutingRule.Input) async throws -> Operations.CreateRoutingRule.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let rule = try await routingRules.create(
            caller.scope, branchID: caller.branchID, position: body.position ?? 100,
            categoryID: try Wire.id(body.categoryId, "/categoryId"), channel: body.channel?.rawValue, level: body.level,
            product: body.product, departmentID: try Wire.id(body.departmentId, "/departmentId"))
        return .created(.init(body: .json(.init(rule))))
    }

    func deleteRoutingRule(_ input: Operations.DeleteRoutingRule.Input) async throws -> Operations.DeleteRoutingRule.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        try await routingRules.delete(caller.scope, id: try Wire.id(input.path.id, "id"))
        return .noContent(.init())
    }
}
