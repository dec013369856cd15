import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// Pages (`GET /v1/pages`, the event stream `GET /v1/pages/stream`,
/// `POST /v1/pages/{id}/acknowledge`) for their recipients, people and bots alike, and the
/// escalation review (`GET /v1/escalations`) for those who see complaints.
struct PageRoutes: Sendable {
    let pages: PageStore
    let feed: PageFeed
    let auth: AuthStore
    /// Open streams per credential.
    let streams: StreamRegistry
    /// How often an open stream sends a heartbeat and re-checks its credential.
    let heartbeat: Duration

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("pages") { request, context -> Response in
            let caller = try context.requireCaller()
            let all = try Self.flag(request, "all")
            return try JSONResponse.make(status: .ok, body: Page(items: try await pages.myPages(caller, all: all), nextCursor: nil))
        }
        group.get("pages/stream") { _, context -> Response in
            let caller = try context.requireCaller()
            guard let secret = context.credential else { throw Problem.unauthenticated }
            guard let lease = streams.open(caller.credentialKey) else { throw Problem.tooManyStreams(limit: streams.limit) }
            return PageStream(pages: pages, feed: feed, heartbeat: heartbeat)
                .response(for: caller, recheck: { try await auth.resolve(secret) }, lease: lease)
        }
        group.post("pages/:id/acknowledge") { _, context -> Response in
            let caller = try context.requireCaller()
            return try JSONResponse.make(status: .ok, body: try await pages.acknowledge(caller, pageID: try RequestParameters.id(context)))
        }
        group.get("escalations") { request, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: ComplaintRoutes.readerRoles) else { throw Problem.forbidden(needing: .departmentHead) }
            let items = try await pages.escalations(caller, unacknowledged: try Self.flag(request, "unacknowledged"),
                                                    departmentsOnly: try Self.flag(request, "myDepartments"))
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
    }

    static func flag(_ request: Request, _ name: String) throws -> Bool {
        guard let value = request.uri.queryParameters[Substring(name)] else { return false }
        guard value == "true" || value == "false" else {
            throw Problem.invalidRequest([.init(field: name, message: "must be true or false")])
        }
        return value == "true"
    }
}
