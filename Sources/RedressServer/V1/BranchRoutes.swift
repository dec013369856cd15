import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// `GET /v1/branches`, `GET /v1/branches/{id}`, `PATCH /v1/branches/{id}` (admin of that branch).
struct BranchRoutes: Sendable {
    let branches: BranchStore

    struct BranchChanges: StrictBody {
        static let fields: Set<String> = ["name", "region", "timeZone"]
        var name: FieldUpdate<String>
        var region: FieldUpdate<String>
        var timeZone: FieldUpdate<String>

        enum CodingKeys: String, CodingKey { case name, region, timeZone }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.update(String.self, forKey: .name)
            region = try container.update(String.self, forKey: .region)
            timeZone = try container.update(String.self, forKey: .timeZone)
        }
    }

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("branches") { _, context -> Response in
            let items = try await branches.list(try context.requireCaller().scope)
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
        group.get("branches/:id") { _, context -> Response in
            let branch = try await branches.get(try context.requireCaller().scope, id: try RequestParameters.id(context))
            return try JSONResponse.make(status: .ok, body: branch)
        }
        group.patch("branches/:id") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(BranchChanges.self, from: request)
            var rules = FieldRules()
            rules.text(body.name.newValue, "/name", length: 1...200)
            rules.text(body.region.newValue, "/region", length: 0...200)
            rules.timeZone(body.timeZone.newValue)
            try rules.check()
            let branch = try await branches.update(
                caller.scope, id: id, name: body.name, region: body.region, timeZone: body.timeZone)
            return try JSONResponse.make(status: .ok, body: branch)
        }
    }
}
