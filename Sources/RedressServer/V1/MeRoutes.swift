import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// `GET /v1/me`: who the caller is, with their roles and scope.
struct MeRoutes: Sendable {
    let users: UserStore

    struct Me: Encodable {
        var user: User
        var branchCode: String
        var credential: String
        var expiresAt: Date?
        var branchIds: [UUID]
        var departmentIds: [UUID]
        var grantedBranchIds: [UUID]
    }

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("me") { _, context -> Response in
            let caller = try context.requireCaller()
            let scope = caller.scope
            let user = try await users.get(scope, id: caller.userID)
            let credential: String
            switch caller.credential {
            case .session: credential = "session"
            case .apiKey: credential = "api_key"
            }
            return try JSONResponse.make(status: .ok, body: Me(
                user: user, branchCode: caller.branchCode, credential: credential, expiresAt: caller.expiresAt,
                branchIds: scope.branchIDs.sorted { $0.uuidString < $1.uuidString },
                departmentIds: caller.departmentIDs.sorted { $0.uuidString < $1.uuidString },
                grantedBranchIds: scope.branchIDs.subtracting([caller.branchID]).sorted { $0.uuidString < $1.uuidString }))
        }
    }
}
