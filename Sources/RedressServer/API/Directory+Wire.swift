import Foundation
import RedressCore
import RedressStore

extension Components.Schemas.Me {
    /// The caller as `GET /v1/me` shows them: their record, credential and the branches and
    /// departments they reach.
    init(_ caller: Caller, user: User) throws {
        let scope = caller.scope
        let credential: CredentialPayload
        switch caller.credential {
        case .session: credential = .session
        case .apiKey: credential = .apiKey
        case .accessCode, .intakeKey:
            throw Problem(kind: "forbidden", title: "Forbidden", status: .forbidden,
                          detail: "A complainant's access code and an intake key show no one.")
        }
        self.init(user: try .init(user), branchCode: caller.branchCode, credential: credential, expiresAt: caller.expiresAt,
                  branchIds: Wire.ids(scope.branchIDs), departmentIds: Wire.ids(caller.departmentIDs),
                  grantedBranchIds: Wire.ids(scope.branchIDs.subtracting([caller.branchID])))
    }
}

extension Components.Schemas.Branch {
    init(_ branch: RedressStore.Branch) {
        self.init(id: Wire.id(branch.id), code: branch.code, name: branch.name, region: branch.region, timeZone: branch.timeZone,
                  createdAt: branch.createdAt, updatedAt: branch.updatedAt)
    }
}

extension Components.Schemas.Department {
    init(_ department: RedressStore.Department) throws {
        self.init(id: Wire.id(department.id), branchId: Wire.id(department.branchId), name: department.name,
                  kind: try Wire.vocabulary(department.kind), headUserId: department.headUserId.map(Wire.id), active: department.active,
                  createdAt: department.createdAt, updatedAt: department.updatedAt)
    }
}

extension Components.Schemas.User {
    init(_ user: RedressStore.User) throws {
        self.init(id: Wire.id(user.id), branchId: Wire.id(user.branchId), login: user.login, name: user.name, position: user.position,
                  email: user.email, phone: user.phone, roles: try user.roles.map(Wire.vocabulary),
                  departmentIds: user.departmentIds.map(Wire.id), active: user.active,
                  passwordChangeRequired: user.passwordChangeRequired, createdAt: user.createdAt, updatedAt: user.updatedAt)
    }
}

extension Components.Schemas.APIKey {
    init(_ key: RedressStore.APIKey) {
        self.init(id: Wire.id(key.id), branchId: Wire.id(key.branchId), userId: Wire.id(key.userId), kind: key.channel == nil ? .bot : .intake,
                  channel: key.channel, name: key.name, prefix: key.prefix,
                  createdBy: key.createdBy.map(Wire.id), createdAt: key.createdAt, expiresAt: key.expiresAt, revokedAt: key.revokedAt)
    }
}
