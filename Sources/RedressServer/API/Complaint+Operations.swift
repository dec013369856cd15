import Crypto
import Foundation
import RedressCore
import RedressStore

/// Complaints: intake, the listing and the phone lookup, reading, re-classification, lifecycle
/// steps, the timeline and hand-overs. The store opens or masks customers' personal data for the
/// caller's roles and records every read in the audit trail.
extension APIHandlers {
    func createComplaint(_ input: Operations.CreateComplaint.Input) async throws -> Operations.CreateComplaint.Output {
        let caller = try AuthenticatedCaller.required()
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var intake = try ComplaintIntake(body)
        let byKey: Bool
        if case .intakeKey(_, let channel) = caller.credential {
            // A channel's key takes complaints in on its own channel only, as they reach it now.
            guard body.channel.rawValue == channel else {
                throw Problem.validationFailed([.init(field: "/channel", message: "must be \(channel), the channel of this intake key")])
            }
            intake.receivedAt = nil
            byKey = true
        } else if caller.roles.isDisjoint(with: ComplaintAccess.intakeRoles) {
            throw Problem.forbidden(needing: .agent)
        } else {
            byKey = false
        }
        let key = input.headers.idempotencyKey
        // A retry with the same key must repeat the body byte for byte: its fingerprint is stored with the key.
        let fingerprint = key.map { _ in Data(SHA256.hash(data: RequestFields.bytes)) }
        let result = try await complaints.intake(caller, intake, idempotencyKey: key, requestHash: fingerprint)
        var complaint = try Components.Schemas.Complaint(result.complaint)
        if byKey { complaint = complaint.receipt }
        complaint.accessCode = result.accessCode?.description
        let location = "/v1/complaints/\(complaint.id)"
        if result.replayed { return .ok(.init(headers: .init(location: location), body: .json(complaint))) }
        return .created(.init(headers: .init(location: location), body: .json(complaint)))
    }

    func listComplaints(_ input: Operations.ListComplaints.Input) async throws -> Operations.ListComplaints.Output {
        let caller = try ComplaintAccess.caller(among: ComplaintAccess.readerRoles, else: .forbidden(needing: .agent))
        let page = try await complaints.list(caller, try input.query.filter(), page: try input.query.page())
        return .ok(.init(body: .json(try .init(page))))
    }

    /// Only roles that see phone numbers in full may look one up (a masked number's hidden digits
    /// cannot be recovered by trying candidates), each user `limits.phoneSearches` times a minute
    /// across all their sessions; the store records every lookup, hit or miss.
    func searchComplaintsByPhone(_ input: Operations.SearchComplaintsByPhone.Input) async throws
        -> Operations.SearchComplaintsByPhone.Output {
        let caller = try ComplaintAccess.caller(among: ComplaintAccess.readerRoles, else: .forbidden(needing: .agent))
        guard PersonalDataMask.seesInFull(caller.roles) else { throw Problem.needsPersonalDataInFull(to: "Looking complaints up by phone number") }
        var filter = try input.query.filter()
        let pageRequest = try input.query.page()
        // A lookup refused for its query costs none of the caller's lookups.
        if let wait = limits.phoneSearches.admit("user:\(caller.userID)") { throw Problem.rateLimited(retryAfter: wait) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        filter.phone = body.phone
        let page = try await complaints.list(caller, filter, page: pageRequest)
        return .ok(.init(body: .json(try .init(page))))
    }

    func getComplaint(_ input: Operations.GetComplaint.Input) async throws -> Operations.GetComplaint.Output {
        let caller = try ComplaintAccess.caller(among: ComplaintAccess.readerRoles, else: .notFound())
        let complaint = try await complaints.get(caller.scope, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(try .init(complaint))))
    }

    /// Re-classifies an open complaint; `categoryId` and `level` sent as `null` are cleared.
    func updateComplaint(_ input: Operations.UpdateComplaint.Input) async throws -> Operations.UpdateComplaint.Output {
        let caller = try ComplaintAccess.caller(among: ComplaintAccess.intakeRoles, else: .forbidden(needing: .agent))
        let id = try Wire.id(input.path.id, "id")
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        var change = Classification()
        change.categoryID = .clearable(try Wire.id(body.categoryId, "/categoryId"), field: "categoryId")
        change.level = .clearable(body.level, field: "level")
        change.nature = FieldUpdate(body.nature?.rawValue)
        change.priority = FieldUpdate(body.priority?.rawValue)
        if change == Classification() {
            throw Problem.validationFailed([.init(field: "body", message: "must change at least one of categoryId, level, nature, priority")])
        }
        let complaint = try await complaints.reclassify(caller, id: id, change, note: body.note)
        return .ok(.init(body: .json(try .init(complaint))))
    }

    /// A lifecycle step: the action's roles first (403 naming them), then what the action needs
    /// from the body (422), then the lifecycle (409 with the current status and allowed steps).
    func takeAction(_ input: Operations.TakeAction.Input) async throws -> Operations.TakeAction.Output {
        let caller = try AuthenticatedCaller.required()
        let id = try Wire.id(input.path.id, "id")
        guard let action = ComplaintAction(rawValue: input.path.action.rawValue) else {
            throw Problem.invalidRequest([.init(field: "action", message: "must be one of "
                + ComplaintAction.allCases.map(\.rawValue).joined(separator: ", "))])
        }
        guard !caller.roles.isDisjoint(with: action.permittedRoles) else {
            throw Problem(kind: "forbidden", title: "Forbidden", status: .forbidden,
                          detail: "\(action.rawValue) needs one of the roles "
                              + action.permittedRoles.map(\.rawValue).sorted().joined(separator: ", ") + ".")
        }
        var body = Components.Schemas.Step()
        if case .json(let sent)? = input.body { body = sent }
        let complaint = try await complaints.perform(caller, id: id, try ComplaintStep(action, body))
        return .ok(.init(body: .json(try .init(complaint))))
    }

    func getTimeline(_ input: Operations.GetTimeline.Input) async throws -> Operations.GetTimeline.Output {
        let caller = try ComplaintAccess.caller(among: ComplaintAccess.readerRoles, else: .notFound())
        let events = try await complaints.timeline(caller.scope, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(items: events.map(Components.Schemas.Event.init), nextCursor: nil))))
    }

    func listHandovers(_ input: Operations.ListHandovers.Input) async throws -> Operations.ListHandovers.Output {
        let caller = try ComplaintAccess.caller(among: ComplaintAccess.readerRoles, else: .notFound())
        let handovers = try await complaints.handovers(caller.scope, id: try Wire.id(input.path.id, "id"))
        return .ok(.init(body: .json(.init(items: handovers.map(Components.Schemas.Handover.init), nextCursor: nil))))
    }
}

extension Components.Schemas.Complaint {
    /// What an intake key is answered, also on a retry: the complaint as it was taken in, without
    /// what staff have done with it since or what the branch knows of the customer's other
    /// complaints (an intake key reads nothing).
    var receipt: Self {
        var receipt = self
        receipt.repeatOf = nil
        receipt.responsibleUserId = nil
        receipt.satisfaction = nil
        receipt.resolution = nil
        receipt.closedAt = nil
        receipt.sla = nil
        receipt.dueAt = nil
        receipt.escalatedTiers = nil
        receipt.nextEscalationTier = nil
        receipt.nextEscalationAt = nil
        return receipt
    }
}
