import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// `GET /v1/audit`: the audit trail of the branches an auditor audits, newest first, optionally
/// of one entity (`entity=complaints`) or row (`entityId=`); `cursor` continues after a page.
struct AuditRoutes: Sendable {
    let audit: AuditStore
    let database: ScopedDatabase

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("audit") { request, context -> Response in
            let caller = try context.requireCaller(holding: .auditor)
            let query = request.uri.queryParameters
            let entity = query["entity"].map(String.init)
            if let entity, !(1...64).contains(entity.count) || !entity.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "_") }) {
                throw Problem.invalidRequest([.init(field: "entity", message: "must be a table name such as complaints")])
            }
            let entityID = try RequestParameters.optionalID(request, "entityId")
            let limit = try RequestParameters.limit(request)
            var before: Int64?
            if let text = query["cursor"] {
                guard let value = Int64(text), value > 0 else {
                    throw Problem.invalidRequest([.init(field: "cursor", message: "is not a cursor this API issued")])
                }
                before = value
            }
            let items = try await audit.entries(caller.scope, database: database, entity: entity, entityID: entityID, before: before,
                                                limit: limit)
            let next = items.count == limit ? items.last.map { String($0.id) } : nil
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: next))
        }
    }
}
