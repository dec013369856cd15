import Foundation
import RedressCore
import RedressStore

/// Pages for their recipients, people and bots alike, and the escalation review for those who
/// see complaints. The event stream of pages (`GET /v1/pages/stream`) is routed by hand
/// (`HandRoutes/PageRoutes.swift`).
extension APIHandlers {
    /// The roles that review escalations: those that read complaints.
    static let escalationReviewers: Set<Role> = Role.caseWide.union(Role.departmentScoped)

    func listPages(_ input: Operations.ListPages.Input) async throws -> Operations.ListPages.Output {
        let listed = try await pages.myPages(try AuthenticatedCaller.required(), all: input.query.all ?? false,
                                             page: try Wire.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: try listed.items.map(Components.Schemas.Page.init), nextCursor: listed.nextCursor))))
    }

    /// People acknowledge their own pages; bots confirm delivery, or relay a named person's answer.
    func acknowledgePage(_ input: Operations.AcknowledgePage.Input) async throws -> Operations.AcknowledgePage.Output {
        let caller = try AuthenticatedCaller.required()
        var onBehalfOf: UUID?
        if case .json(let body)? = input.body, let person = body.onBehalfOf {
            guard caller.has(.bot) else {
                throw Problem.validationFailed([.init(field: "/onBehalfOf", message: "only a bot relays another person's acknowledgement")])
            }
            onBehalfOf = try Wire.id(person as String, "/onBehalfOf") as UUID
        }
        let page = try await pages.acknowledge(caller, pageID: try Wire.id(input.path.id, "id"), onBehalfOf: onBehalfOf)
        return .ok(.init(body: .json(try .init(page))))
    }

    /// A person puts off the next re-page of one of their pages.
    func snoozePage(_ input: Operations.SnoozePage.Input) async throws -> Operations.SnoozePage.Output {
        let caller = try AuthenticatedCaller.required()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        if caller.has(.bot) { throw Problem.peopleOnly }
        var rules = FieldRules()
        if !(1...1440).contains(body.minutes) { rules.fail("/minutes", "must be from 1 to 1440") }
        try rules.check()
        let page = try await pages.snooze(caller, pageID: try Wire.id(input.path.id, "id"), minutes: body.minutes)
        return .ok(.init(body: .json(try .init(page))))
    }

    /// A person hands one of their pages to a colleague of the same capacity.
    func handOffPage(_ input: Operations.HandOffPage.Input) async throws -> Operations.HandOffPage.Output {
        let caller = try AuthenticatedCaller.required()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        if caller.has(.bot) { throw Problem.peopleOnly }
        let colleague: UUID = try Wire.id(body.toUserId as String, "/toUserId")
        let page = try await pages.handOff(caller, pageID: try Wire.id(input.path.id, "id"), to: colleague)
        return .ok(.init(body: .json(try .init(page))))
    }

    func listEscalations(_ input: Operations.ListEscalations.Input) async throws -> Operations.ListEscalations.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: Self.escalationReviewers) else { throw Problem.forbidden(needing: .departmentHead) }
        let listed = try await pages.escalations(caller, unacknowledged: input.query.unacknowledged ?? false,
                                                 departmentsOnly: input.query.myDepartments ?? false,
                                                 page: try Wire.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: try listed.items.map(Components.Schemas.Escalation.init), nextCursor: listed.nextCursor))))
    }
}
