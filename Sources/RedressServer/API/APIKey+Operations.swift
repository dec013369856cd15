import Foundation
import RedressCore
import RedressStore

/// Bot API keys: admins list, issue and revoke their branch's keys; a bot lists its own. The
/// secret is in the creation response only.
extension APIHandlers {
    func listAPIKeys(_ input: Operations.ListAPIKeys.Input) async throws -> Operations.ListAPIKeys.Output {
        let page = try await apiKeys.list(try AuthenticatedCaller.required().scope,
                                          page: try Wire.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.APIKey.init), nextCursor: page.nextCursor))))
    }

    func createAPIKey(_ input: Operations.CreateAPIKey.Input) async throws -> Operations.CreateAPIKey.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        if let expiresAt = body.expiresAt, expiresAt <= Date() {
            throw Problem.validationFailed([.init(field: "/expiresAt", message: "must be in the future")])
        }
        let issued = try await apiKeys.create(caller.scope, branchID: caller.branchID, userID: try Wire.id(body.userId, "/userId"),
                                              name: body.name, expiresAt: body.expiresAt, createdBy: caller.userID)
        return .created(.init(headers: .init(location: "/v1/api-keys/\(Wire.id(issued.key.id))"),
                              body: .json(.init(key: .init(issued.key), secret: issued.secret))))
    }

    /// Revokes a key at once; revoking it again is harmless.
    func revokeAPIKey(_ input: Operations.RevokeAPIKey.Input) async throws -> Operations.RevokeAPIKey.Output {
        let caller = try AuthenticatedCaller.required(holding: .admin)
        _ = try await apiKeys.revoke(caller.scope, id: try Wire.id(input.path.id, "id"))
        return .noContent(.init())
    }
}
