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

    func acknowledgePage(_ input: Operations.AcknowledgePage.Input) async throws -> Operations.AcknowledgePage.Output {
        let page = try await pages.acknowledge(try AuthenticatedCaller.required(), pageID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(try .init(page))))
    }

    func listEscalations(_ input: Operations.ListEscalations.Input) async throws -> Operations.ListEscalations.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: Self.escalationReviewers) else { throw Problem.forbidden(needing: .departmentHead) }
        let listed = try await pages.escalations(caller, unacknowledged: input.query.unacknowledged ?? false,
                                                 departmentsOnly: input.query.myDepartments ?? false,
                                                 page: try Wire.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: listed.items.map(Components.Schemas.Escalation.init), nextCursor: listed.nextCursor))))
    }
}
