import RedressCore
import RedressStore

/// Pages for their recipients, people and bots alike, and the escalation review for those who
/// see complaints. The event stream of pages (`GET /v1/pages/stream`) is routed by hand
/// (`HandRoutes/PageRoutes.swift`).
extension APIHandlers {
    /// The roles that review escalations: those that read complaints.
    static let escalationReviewers: Set<Role> = Role.caseWide.union(Role.departmentScoped)

    func listPages(_ input: Operations.ListPages.Input) async throws -> Operations.ListPages.Output {
        let items = try await pages.myPages(try AuthenticatedCaller.required(), all: input.query.all ?? false)
        return .ok(.init(body: .json(.init(items: try items.map(Components.Schemas.Page.init), nextCursor: nil))))
    }

    func acknowledgePage(_ input: Operations.AcknowledgePage.Input) async throws -> Operations.AcknowledgePage.Output {
        let page = try await pages.acknowledge(try AuthenticatedCaller.required(), pageID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(try .init(page))))
    }

    func listEscalations(_ input: Operations.ListEscalations.Input) async throws -> Operations.ListEscalations.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: Self.escalationReviewers) else { throw Problem.forbidden(needing: .departmentHead) }
        let items = try await pages.escalations(caller, unacknowledged: input.query.unacknowledged ?? false,
                                                departmentsOnly: input.query.myDepartments ?? false)
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.Escalation.init), nextCursor: nil))))
    }
}
