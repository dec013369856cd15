import Foundation
import RedressCore
import RedressStore

/// Users: callers list and read the people their scope shows; admins create, change and delete
/// the users of their own branch, including roles, departments and passwords (which they may
/// mark as to be changed at the next sign-in) — except executives, auditors and holders of HQ
/// grants, whom operators manage.
extension APIHandlers {
    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let page = try await users.list(
            try AuthenticatedCaller.required().scope, departmentID: try Wire.id(input.query.departmentId, "departmentId"),
            page: try Wire.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: try page.items.map(Components.Schemas.User.init), nextCursor: page.nextCursor))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let user = try await users.get(try AuthenticatedCaller.required().scope, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(try .init(user))))
    }

    /// People sign in with a password; bots take none (they use API keys).
    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let roles: [Role] = try body.roles.map(Wire.vocabulary)
        var rules = FieldRules()
        rules.roles(roles)
        rules.rolesAdminsGrant(roles)
        if roles.contains(.bot) {
            if body.password != nil { rules.fail("/password", "bots sign in with API keys and take no password") }
            if body.passwordChangeRequired == true { rules.fail("/passwordChangeRequired", "bots have no password to change") }
        } else if body.password == nil {
            rules.fail("/password", "is required for people")
        }
        rules.password(body.password)
        try rules.check()
        let user = try await users.create(caller.scope, branchID: caller.branchID, UserStore.NewUser(
            login: body.login, name: body.name, position: body.position ?? "", email: body.email, phone: body.phone, roles: roles,
            departmentIDs: try Self.departmentIDs(body.departmentIds) ?? [], password: body.password,
            passwordChangeRequired: body.passwordChangeRequired ?? false))
        return .created(.init(headers: .init(location: "/v1/users/\(Wire.id(user.id))"), body: .json(try .init(user))))
    }

    /// Changes the fields sent; `email` or `phone` sent as null clears it, left out keeps it. An
    /// admin cannot deactivate themselves or give up their own admin role, and changes their own
    /// password only with `POST /v1/me/password`, which asks for the current one: neither a new
    /// password nor a required change can be set on oneself here.
    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let id = try Wire.id(input.path.id, "id")
        var changes = UserStore.Changes()
        changes.login = FieldUpdate(body.login)
        changes.name = FieldUpdate(body.name)
        changes.position = FieldUpdate(body.position)
        changes.email = .clearable(body.email, field: "email")
        changes.phone = .clearable(body.phone, field: "phone")
        changes.roles = FieldUpdate(try body.roles.map { try $0.map(Wire.vocabulary) })
        changes.departmentIDs = FieldUpdate(try Self.departmentIDs(body.departmentIds))
        changes.active = FieldUpdate(body.active)
        changes.password = FieldUpdate(body.password)
        changes.passwordChangeRequired = FieldUpdate(body.passwordChangeRequired)
        var rules = FieldRules()
        rules.roles(changes.roles.newValue)
        rules.rolesAdminsGrant(changes.roles.newValue)
        rules.password(changes.password.newValue)
        if id == caller.userID { Self.refuseWhatAnAdminMayNotDoToThemselves(changes, &rules) }
        try rules.check()
        return .ok(.init(body: .json(try .init(try await users.update(caller.scope, id: id, changes)))))
    }

    func deleteUser(_ input: Operations.DeleteUser.Input) async throws -> Operations.DeleteUser.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        let id = try Wire.id(input.path.id, "id")
        if id == caller.userID {
            throw Problem.validationFailed([.init(field: "id", message: "an admin cannot delete themselves")])
        }
        try await users.delete(caller.scope, id: id)
        return .noContent(.init())
    }

    /// An admin's changes to their own account that are refused: locking themselves out, and
    /// setting their own password, or requiring its change, without the current one.
    private static func refuseWhatAnAdminMayNotDoToThemselves(_ changes: UserStore.Changes, _ rules: inout FieldRules) {
        if changes.active.newValue == false || (changes.roles.newValue.map { !$0.contains(.admin) } ?? false) {
            rules.fail(changes.active.isSet ? "/active" : "/roles", "an admin cannot lock themselves out")
        }
        if changes.password.isSet {
            rules.fail("/password", "your own password changes with POST /v1/me/password, which asks for the current one")
        }
        if changes.passwordChangeRequired.newValue == true {
            rules.fail("/passwordChangeRequired", "a password change is required of others; change your own with POST /v1/me/password")
        }
    }

    /// The `departmentIds` a request sent, as UUIDs.
    private static func departmentIDs(_ texts: [String]?) throws -> [UUID]? {
        try texts?.enumerated().map { index, text in try Wire.id(text, "/departmentIds/\(index)") }
    }
}
