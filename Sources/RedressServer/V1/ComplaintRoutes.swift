import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import RedressCore
import RedressStore

/// Complaints: intake, listing, the phone lookup (`POST /v1/complaints/search`), reading,
/// lifecycle steps and the timeline.
struct ComplaintRoutes: Sendable {
    let complaints: ComplaintStore
    /// Phone lookups per user (not per session).
    let phoneSearches: RateLimiter

    /// Roles that take complaints in.
    static let intakeRoles: Set<Role> = [.agent, .handler, .departmentHead, .branchManager]
    /// Roles that read complaints (bots get redacted summaries through their own API).
    static let readerRoles: Set<Role> = Role.caseWide.union(Role.departmentScoped)

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.post("complaints") { request, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: Self.intakeRoles) else { throw Problem.forbidden(needing: .agent) }
            let key = try Self.idempotencyKey(request)
            let (body, bytes) = try await RequestBody.decodeWithBytes(IntakeBody.self, from: request)
            let result = try await complaints.intake(caller, try body.intake(), idempotencyKey: key,
                                                     requestHash: key.map { _ in Data(SHA256.hash(data: bytes)) })
            var response = try JSONResponse.make(status: result.replayed ? .ok : .created, body: result.complaint)
            response.headers[.location] = "/v1/complaints/\(result.complaint.id.uuidString.lowercased())"
            return response
        }
        group.get("complaints") { request, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: Self.readerRoles) else { throw Problem.forbidden(needing: .agent) }
            let page = try await complaints.list(caller, try ComplaintQuery.filter(request), page: try RequestParameters.page(request))
            return try JSONResponse.make(status: .ok, body: page)
        }
        group.post("complaints/search") { request, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: Self.readerRoles) else { throw Problem.forbidden(needing: .agent) }
            let filter = try await ComplaintQuery.phoneFilter(request, caller, limiter: phoneSearches)
            let page = try await complaints.list(caller, filter, page: try RequestParameters.page(request))
            return try JSONResponse.make(status: .ok, body: page)
        }
        group.get("complaints/:id") { _, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: Self.readerRoles) else { throw Problem.notFound() }
            return try JSONResponse.make(status: .ok, body: try await complaints.get(caller.scope, id: try RequestParameters.id(context)))
        }
        group.patch("complaints/:id") { request, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: Self.intakeRoles) else { throw Problem.forbidden(needing: .agent) }
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(ClassificationBody.self, from: request)
            var rules = FieldRules()
            rules.number(body.change.level.newValue ?? nil, 1...3, "/level")
            rules.oneOf(body.change.nature.newValue, ComplaintVocabulary.natures, "/nature")
            rules.oneOf(body.change.priority.newValue, ComplaintVocabulary.priorities, "/priority")
            rules.multilineText(body.note, "/note", length: 1...5_000)
            if body.change == Classification() { rules.fail("body", "must change at least one of categoryId, level, nature, priority") }
            try rules.check()
            return try JSONResponse.make(status: .ok, body: try await complaints.reclassify(caller, id: id, body.change, note: body.note))
        }
        group.get("complaints/:id/timeline") { _, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: Self.readerRoles) else { throw Problem.notFound() }
            let events = try await complaints.timeline(caller.scope, id: try RequestParameters.id(context))
            return try JSONResponse.make(status: .ok, body: Page(items: events, nextCursor: nil))
        }
        group.get("complaints/:id/handovers") { _, context -> Response in
            let caller = try context.requireCaller()
            guard !caller.roles.isDisjoint(with: Self.readerRoles) else { throw Problem.notFound() }
            let items = try await complaints.handovers(caller.scope, id: try RequestParameters.id(context))
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
        group.post("complaints/:id/actions/:action") { request, context -> Response in
            let caller = try context.requireCaller()
            let id = try RequestParameters.id(context)
            guard let action = context.parameters.get("action").flatMap(ComplaintAction.init(rawValue:)) else {
                throw Problem.invalidRequest([.init(field: "action", message: "must be one of "
                    + ComplaintAction.allCases.map(\.rawValue).joined(separator: ", "))])
            }
            guard !caller.roles.isDisjoint(with: action.permittedRoles) else {
                throw Problem(kind: "forbidden", title: "Forbidden", status: .forbidden,
                              detail: "\(action.rawValue) needs one of the roles "
                                  + action.permittedRoles.map(\.rawValue).sorted().joined(separator: ", ") + ".")
            }
            let body = try await RequestBody.decodeIfPresent(StepBody.self, from: request) ?? StepBody()
            let complaint = try await complaints.perform(caller, id: id, try body.step(action))
            return try JSONResponse.make(status: .ok, body: complaint)
        }
    }

    /// The optional `Idempotency-Key` header: 1–200 visible ASCII characters.
    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return nil }
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.invalidRequest([.init(field: "Idempotency-Key", message: "must be 1 to 200 visible ASCII characters")])
        }
        return key
    }
}
