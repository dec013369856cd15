import Foundation
import RedressCore
import RedressStore

/// Published handling plans: a branch manager publishes an approved plan for the public and
/// withdraws it; anyone lists a branch's current publications without signing in.
extension APIHandlers {
    func publishPlan(_ input: Operations.PublishPlan.Input) async throws -> Operations.PublishPlan.Output {
        let caller = try CaseWorkAccess.reader()
        guard caller.roles.contains(.branchManager) else { throw Problem.forbidden(needing: .branchManager) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.requireText(body.title, "/title")
        rules.requireText(body.summary, "/summary")
        try rules.check()
        try admitPersonalDataCheck(caller)
        let publication = try await planPublications.publish(caller, complaintID: try Wire.id(input.path.id, "id"),
                                                             planID: try Wire.id(input.path.planId, "planId"),
                                                             title: body.title, summary: body.summary)
        return .ok(.init(body: .json(.init(publication))))
    }

    func withdrawPlan(_ input: Operations.WithdrawPlan.Input) async throws -> Operations.WithdrawPlan.Output {
        let caller = try CaseWorkAccess.reader()
        guard caller.roles.contains(.branchManager) else { throw Problem.forbidden(needing: .branchManager) }
        let publication = try await planPublications.withdraw(caller, complaintID: try Wire.id(input.path.id, "id"),
                                                              planID: try Wire.id(input.path.planId, "planId"))
        return .ok(.init(body: .json(.init(publication))))
    }

    /// Public: `limits.publicLookups` per client address a minute.
    func listPublishedPlans(_ input: Operations.ListPublishedPlans.Input) async throws -> Operations.ListPublishedPlans.Output {
        if let wait = limits.publicLookups.admit(RequestClient.key) { throw Problem.tooManyLookups(retryAfter: wait) }
        guard let plans = try await planPublications.published(branchCode: input.path.code, limit: 100) else {
            throw Problem.notFound("No branch has this code.")
        }
        return .ok(.init(body: .json(.init(items: plans.map(Components.Schemas.PublishedPlan.init)))))
    }
}

extension Components.Schemas.PublishedPlan {
    /// A publication as the public sees it.
    init(_ plan: RedressStore.PublishedPlan) {
        self.init(id: Wire.id(plan.id), title: plan.title, summary: plan.summary, measures: plan.measures, category: plan.category,
                  approvedAt: plan.approvedAt, publishedAt: plan.publishedAt)
    }
}

extension Components.Schemas.PlanPublication {
    /// A publication as the branch's staff see it.
    init(_ publication: RedressStore.PlanPublication) {
        self.init(published: .init(publication.published), planId: Wire.id(publication.planID),
                  complaintId: Wire.id(publication.complaintID), publishedBy: Wire.id(publication.publishedBy),
                  withdrawnAt: publication.withdrawnAt, withdrawnBy: publication.withdrawnBy.map(Wire.id))
    }
}
