import Foundation
import RedressCore
import RedressStore

/// Institutional complaints' referrals and the log of dealings with outside bodies.
extension APIHandlers {
    func getReferral(_ input: Operations.GetReferral.Input) async throws -> Operations.GetReferral.Output {
        let caller = try CaseWorkAccess.reader()
        return .ok(.init(body: .json(try .init(try await institutions.referral(caller, complaintID: try Wire.id(input.path.id, "id"))))))
    }

    func recordReferral(_ input: Operations.RecordReferral.Input) async throws -> Operations.RecordReferral.Output {
        let caller = try CaseWorkAccess.worker()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.requireText(body.institution, "/institution")
        rules.requireText(body.reference, "/reference")
        if body.replyDueAt <= Date() { rules.fail("/replyDueAt", "must be in the future") }
        try rules.check()
        let referral = try await institutions.refer(caller, complaintID: try Wire.id(input.path.id, "id"), institution: body.institution,
                                                    kind: body.institutionKind.rawValue, reference: body.reference,
                                                    replyDueAt: body.replyDueAt)
        return .ok(.init(body: .json(try .init(referral))))
    }

    func replyToReferral(_ input: Operations.ReplyToReferral.Input) async throws -> Operations.ReplyToReferral.Output {
        let caller = try CaseWorkAccess.worker()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.requireText(body.reply, "/reply")
        try rules.check()
        return .ok(.init(body: .json(try .init(try await institutions.reply(caller, complaintID: try Wire.id(input.path.id, "id"),
                                                                          text: body.reply)))))
    }

    func listDealings(_ input: Operations.ListDealings.Input) async throws -> Operations.ListDealings.Output {
        let caller = try CaseWorkAccess.reader()
        let dealings = try await institutions.dealings(caller, complaintID: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(items: try dealings.map(Components.Schemas.Dealing.init)))))
    }

    func logDealing(_ input: Operations.LogDealing.Input) async throws -> Operations.LogDealing.Output {
        let caller = try CaseWorkAccess.worker()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var rules = FieldRules()
        rules.requireText(body.party, "/party")
        rules.requireText(body.summary, "/summary")
        if body.at > Date().addingTimeInterval(300) { rules.fail("/at", "must not be in the future") }
        try rules.check()
        let dealing = try await institutions.logDealing(caller, complaintID: try Wire.id(input.path.id, "id"), partyKind: body.partyKind.rawValue,
                                                        party: body.party, direction: body.direction.rawValue, summary: body.summary,
                                                        at: body.at)
        return .created(.init(body: .json(try .init(dealing))))
    }
}

extension Components.Schemas.InstitutionalReferral {
    /// A referral as the API shows it.
    init(_ referral: RedressStore.InstitutionalReferral) throws {
        self.init(id: Wire.id(referral.id), complaintId: Wire.id(referral.complaintID), institution: referral.institution,
                  institutionKind: try UnlistedValue.member(referral.institutionKind, "institutionKind"), reference: referral.reference,
                  replyDueAt: referral.replyDueAt, recordedBy: Wire.id(referral.recordedBy), recordedAt: referral.recordedAt,
                  reply: referral.reply, repliedBy: referral.repliedBy.map(Wire.id), repliedAt: referral.repliedAt,
                  escalatedAt: referral.escalatedAt, overdue: referral.overdue)
    }
}

extension Components.Schemas.Dealing {
    /// A dealing as the API shows it.
    init(_ dealing: RedressStore.ComplaintDealing) throws {
        self.init(id: Wire.id(dealing.id), complaintId: Wire.id(dealing.complaintID),
                  partyKind: try UnlistedValue.member(dealing.partyKind, "partyKind"), party: dealing.party,
                  direction: try UnlistedValue.member(dealing.direction, "direction"), summary: dealing.summary, at: dealing.at,
                  recordedBy: Wire.id(dealing.recordedBy))
    }
}
