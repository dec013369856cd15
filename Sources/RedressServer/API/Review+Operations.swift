import Foundation
import RedressCore
import RedressStore

/// Reviews (復議): the complainant asks with their access code (public), the complaint office
/// or a branch manager lists and decides them.
extension APIHandlers {
    /// Public, with the lookup's limit, answers and lock.
    func requestComplaintReview(_ input: Operations.RequestComplaintReview.Input) async throws
        -> Operations.RequestComplaintReview.Output {
        if let wait = limits.publicLookups.admit(RequestClient.key) { throw Problem.tooManyLookups(retryAfter: wait) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let (caseNumber, code) = try Self.caseAndCode(input.path.caseNumber, body.code, codeField: "/code")
        var rules = FieldRules()
        rules.requireText(body.grounds, "/grounds")
        try rules.check()
        switch try await reviews.request(caseNumber: caseNumber, code: code, grounds: body.grounds, client: RequestClient.key,
                                         requestID: RequestClient.requestID) {
        case .done(let review):
            return .created(.init(body: .json(.init(reviewId: Wire.id(review.id), requestedAt: review.requestedAt, dueAt: review.dueAt))))
        case .unknown:
            throw Problem.notFound("No complaint has this case number and access code.")
        case .locked(let seconds):
            throw Problem.tooManyLookups(retryAfter: seconds)
        }
    }

    func listReviews(_ input: Operations.ListReviews.Input) async throws -> Operations.ListReviews.Output {
        let caller = try CaseWorkAccess.reader()
        let filter = ReviewFilter(status: input.query.status?.rawValue, complaintID: try Wire.id(input.query.complaintId, "complaintId"))
        let items = try await reviews.list(caller, filter)
        return .ok(.init(body: .json(.init(items: try items.map(Components.Schemas.ComplaintReview.init)))))
    }

    func getReview(_ input: Operations.GetReview.Input) async throws -> Operations.GetReview.Output {
        let caller = try CaseWorkAccess.reader()
        return .ok(.init(body: .json(try .init(try await reviews.get(caller, id: try Wire.id(input.path.id, "id"))))))
    }

    /// Branch managers and the complaint office's handlers and heads; the store checks the
    /// reviewer did not handle the complaint.
    func decideReview(_ input: Operations.DecideReview.Input) async throws -> Operations.DecideReview.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: [.handler, .departmentHead, .branchManager]) else {
            throw Problem.forbidden(needing: .branchManager)
        }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.requireText(body.reasoning, "/reasoning")
        try rules.check()
        let review = try await reviews.decide(caller, id: try Wire.id(input.path.id, "id"), revised: body.outcome == .revised,
                                              reasoning: body.reasoning)
        return .ok(.init(body: .json(try .init(review))))
    }

    /// Public, with the lookup's limit, answers and lock: the complainant's own survey answer.
    func answerComplainantSurvey(_ input: Operations.AnswerComplainantSurvey.Input) async throws
        -> Operations.AnswerComplainantSurvey.Output {
        if let wait = limits.publicLookups.admit(RequestClient.key) { throw Problem.tooManyLookups(retryAfter: wait) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let (caseNumber, code) = try Self.caseAndCode(input.path.caseNumber, body.code, codeField: "/code")
        let survey = Survey(method: "online_questionnaire", attitude: body.attitude, efficiency: body.efficiency, outcome: body.outcome,
                            comments: body.comments.flatMap { $0.isEmpty ? nil : $0 })
        switch try await followUps.answerSurvey(caseNumber: caseNumber, code: code, score: body.score, survey: survey,
                                                client: RequestClient.key, requestID: RequestClient.requestID, complaints: complaints) {
        case .done(let status):
            return .created(.init(body: .json(.init(status: status.rawValue, reopened: status != .closed))))
        case .unknown:
            throw Problem.notFound("No complaint has this case number and access code.")
        case .locked(let seconds):
            throw Problem.tooManyLookups(retryAfter: seconds)
        }
    }
}

extension Components.Schemas.ComplaintReview {
    /// A review with its complaint's case number.
    init(_ review: RedressStore.ComplaintReview) throws {
        self.init(id: Wire.id(review.id), branchId: Wire.id(review.branchId), complaintId: Wire.id(review.complaintId),
                  caseNumber: review.caseNumber, grounds: review.grounds, requestedAt: review.requestedAt, dueAt: review.dueAt,
                  reviewerDepartmentId: review.reviewerDepartmentId.map(Wire.id),
                  status: try UnlistedValue.member(review.status, "status"), overdue: review.overdue,
                  decidedBy: review.decidedBy.map(Wire.id), decidedAt: review.decidedAt, reasoning: review.reasoning,
                  escalatedAt: review.escalatedAt)
    }
}
