import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// Users: callers list and read the people their scope shows; admins create, change and delete
/// the users of their own branch, including roles, departments and passwords — except
/// executives, auditors and holders of HQ grants, whom operators manage.
struct UserRoutes: Sendable {
    let users: UserStore

    struct NewUser: StrictBody {
        static let fields: Set<String> = ["login", "name", "position", "email", "phone", "roles", "departmentIds", "password"]
        var login: String
        var name: String
        var position: String?
        var email: String?
        var phone: String?
        var roles: [Role]
        var departmentIds: [UUID]?
        var password: String?
    }

    struct UserChanges: StrictBody {
        static let fields: Set<String> = ["login", "name", "position", "email", "phone", "roles", "departmentIds", "active", "password"]
        var changes = UserStore.Changes()

        enum CodingKeys: String, CodingKey { case login, name, position, email, phone, roles, departmentIds, active, password }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            changes.login = try container.update(String.self, forKey: .login)
            changes.name = try container.update(String.self, forKey: .name)
            changes.position = try container.update(String.self, forKey: .position)
            changes.email = try container.nullableUpdate(String.self, forKey: .email)
            changes.phone = try container.nullableUpdate(String.self, forKey: .phone)
            changes.roles = try container.update([Role].self, forKey: .roles)
            changes.departmentIDs = try container.update([UUID].self, forKey: .departmentIds)
            changes.active = try container.update(Bool.self, forKey: .active)
            changes.password = try container.update(String.self, forKey: .password)
        }
    }

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("users") { request, context -> Response in
            let page = try await users.list(
                try context.requireCaller().scope, departmentID: try RequestParameters.optionalID(request, "departmentId"),
                page: try RequestParameters.page(request))
            return try JSONResponse.make(status: .ok, body: page)
        }
        group.get("users/:id") { _, context -> Response in
            let user = try await users.get(try context.requireCaller().scope, id: try RequestParameters.id(context))
            return try JSONResponse.make(status: .ok, body: user)
        }
        group.post("users") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let body = try await RequestBody.decode(NewUser.self, from: request)
            var rules = FieldRules()
            rules.login(body.login)
            rules.text(body.name, "/name", length: 1...200)
            rules.text(body.position, "/position", length: 0...200)
            rules.email(body.email)
            rules.phone(body.phone)
            rules.roles(body.roles)
            rules.rolesAdminsGrant(body.roles)
            rules.distinct(body.departmentIds, "/departmentIds", limit: 50)
            if body.roles.contains(.bot) {
                if body.password != nil { rules.fail("/password", "bots sign in with API keys and take no password") }
            } else if body.password == nil {
                rules.fail("/password", "is required for people")
            }
            rules.password(body.password)
            try rules.check()
            let user = try await users.create(caller.scope, branchID: caller.branchID, UserStore.NewUser(
                login: body.login, name: body.name, position: body.position ?? "", email: body.email, phone: body.phone,
                roles: body.roles, departmentIDs: body.departmentIds ?? [], password: body.password))
            var response = try JSONResponse.make(status: .created, body: user)
            response.headers[.location] = "/v1/users/\(user.id.uuidString.lowercased())"
            return response
        }
        group.patch("users/:id") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let id = try RequestParameters.id(context)
            let changes = try await RequestBody.decode(UserChanges.self, from: request).changes
            var rules = FieldRules()
            rules.login(changes.login.newValue)
            rules.text(changes.name.newValue, "/name", length: 1...200)
            rules.text(changes.position.newValue, "/position", length: 0...200)
            rules.email(changes.email.newValue ?? nil)
            rules.phone(changes.phone.newValue ?? nil)
            rules.roles(changes.roles.newValue)
            rules.rolesAdminsGrant(changes.roles.newValue)
            rules.distinct(changes.departmentIDs.newValue, "/departmentIds", limit: 50)
            rules.password(changes.password.newValue)
            if id == caller.userID, changes.active.newValue == false || (changes.roles.newValue.map { !$0.contains(.admin) } ?? false) {
                rules.fail(changes.active.isSet ? "/active" : "/roles", "an admin cannot lock themselves out")
            }
            try rules.check()
            let user = try await users.update(caller.scope, id: id, changes)
            return try JSONResponse.make(status: .ok, body: user)
        }
        group.delete("users/:id") { _, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let id = try RequestParameters.id(context)
            if id == caller.userID {
                throw Problem.validationFailed([.init(field: "id", message: "an admin cannot delete themselves")])
            }
            try await users.delete(caller.scope, id: id)
            return Response(status: .noContent)
        }
    }
}
