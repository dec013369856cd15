import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// Bot API keys: admins list, issue and revoke their branch's keys; a bot lists its own.
/// The secret is in the creation response only.
struct APIKeyRoutes: Sendable {
    let keys: APIKeyStore

    struct NewKey: StrictBody {
        static let fields: Set<String> = ["userId", "name", "expiresAt"]
        var userId: UUID
        var name: String
        /// ISO 8601 date-time; read as text so a bad value is reported with its field.
        var expiresAt: String?
    }

    struct IssuedKey: Encodable {
        var key: APIKey
        /// The secret; shown this once.
        var secret: String
    }

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("api-keys") { request, context -> Response in
            let page = try await keys.list(try context.requireCaller().scope, page: try RequestParameters.page(request))
            return try JSONResponse.make(status: .ok, body: page)
        }
        group.post("api-keys") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let body = try await RequestBody.decode(NewKey.self, from: request)
            var rules = FieldRules()
            rules.text(body.name, "/name", length: 1...200)
            let expiresAt = rules.futureDateTime(body.expiresAt, "/expiresAt")
            try rules.check()
            let issued = try await keys.create(
                caller.scope, branchID: caller.branchID, userID: body.userId, name: body.name,
                expiresAt: expiresAt, createdBy: caller.userID)
            var response = try JSONResponse.make(status: .created, body: IssuedKey(key: issued.key, secret: issued.secret))
            response.headers[.location] = "/v1/api-keys/\(issued.key.id.uuidString.lowercased())"
            return response
        }
        group.delete("api-keys/:id") { _, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            _ = try await keys.revoke(caller.scope, id: try RequestParameters.id(context))
            return Response(status: .noContent)
        }
    }
}
