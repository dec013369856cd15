import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// Departments: everyone lists and reads their branches'; admins create, change and delete
/// them in their own branch.
struct DepartmentRoutes: Sendable {
    let departments: DepartmentStore

    struct NewDepartment: StrictBody {
        static let fields: Set<String> = ["name", "kind", "headUserId"]
        var name: String
        var kind: DepartmentKind
        var headUserId: UUID?
    }

    struct DepartmentChanges: StrictBody {
        static let fields: Set<String> = ["name", "kind", "headUserId"]
        var name: FieldUpdate<String>
        var kind: FieldUpdate<DepartmentKind>
        var headUserId: FieldUpdate<UUID?>

        enum CodingKeys: String, CodingKey { case name, kind, headUserId }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.update(String.self, forKey: .name)
            kind = try container.update(DepartmentKind.self, forKey: .kind)
            headUserId = try container.nullableUpdate(UUID.self, forKey: .headUserId)
        }
    }

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("departments") { request, context -> Response in
            let page = try await departments.list(
                try context.requireCaller().scope, branchID: try RequestParameters.optionalID(request, "branchId"),
                page: try RequestParameters.page(request))
            return try JSONResponse.make(status: .ok, body: page)
        }
        group.get("departments/:id") { _, context -> Response in
            let department = try await departments.get(try context.requireCaller().scope, id: try RequestParameters.id(context))
            return try JSONResponse.make(status: .ok, body: department)
        }
        group.post("departments") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let body = try await RequestBody.decode(NewDepartment.self, from: request)
            var rules = FieldRules()
            rules.text(body.name, "/name", length: 1...200)
            try rules.check()
            let department = try await departments.create(
                caller.scope, branchID: caller.branchID, name: body.name, kind: body.kind, headUserID: body.headUserId)
            var response = try JSONResponse.make(status: .created, body: department)
            response.headers[.location] = "/v1/departments/\(department.id.uuidString.lowercased())"
            return response
        }
        group.patch("departments/:id") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(DepartmentChanges.self, from: request)
            var rules = FieldRules()
            rules.text(body.name.newValue, "/name", length: 1...200)
            try rules.check()
            let department = try await departments.update(
                caller.scope, id: id, name: body.name, kind: body.kind, headUserID: body.headUserId)
            return try JSONResponse.make(status: .ok, body: department)
        }
        group.delete("departments/:id") { _, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            try await departments.delete(caller.scope, id: try RequestParameters.id(context))
            return Response(status: .noContent)
        }
    }
}
