import Foundation
import RedressCore
import RedressStore

/// What the complaint operations read from their bodies beyond what openapi.yaml checks: dates
/// not in the future, what each lifecycle step requires, and money with at most two decimals.
extension ComplaintIntake {
    /// How far ahead of the server's clock an intake's dates may be, for clocks that run fast.
    static let clockTolerance: TimeInterval = 300

    /// The intake `body` describes, or a 422 naming a date in the future.
    init(_ body: Components.Schemas.Intake, now: Date = Date()) throws {
        var rules = FieldRules()
        for (date, field) in [(body.occurredAt, "/occurredAt"), (body.receivedAt, "/receivedAt")] {
            if let date, date > now.addingTimeInterval(Self.clockTolerance) { rules.fail(field, "must not be in the future") }
        }
        let person = body.complainant
        switch person.preferredChannel {
        case .sms where person.phone == nil: rules.fail("/complainant/preferredChannel", "is sms, which needs /complainant/phone")
        case .email where person.email == nil: rules.fail("/complainant/preferredChannel", "is email, which needs /complainant/email")
        case .push where person.customerRef == nil:
            rules.fail("/complainant/preferredChannel", "is push, which needs /complainant/customerRef (the app account)")
        default: break
        }
        try rules.check()
        let channel = body.channel.rawValue
        self.init(
            channel: channel,
            source: body.source?.rawValue ?? (channel == "internal" || channel == "institutional" ? channel : "external"),
            complainant: .init(name: person.name, phone: person.phone, email: person.email, address: person.address,
                               idNumber: person.idNumber, customerType: person.customerType?.rawValue ?? "individual",
                               customerRef: person.customerRef,
                               language: person.language.flatMap { ComplainantLanguage(rawValue: $0.rawValue) } ?? .simplifiedChinese,
                               preferredChannel: person.preferredChannel?.rawValue),
            occurredAt: body.occurredAt, receivedAt: body.receivedAt, product: body.product, party: body.party,
            location: body.location, description: body.description, desiredOutcome: body.desiredOutcome,
            categoryID: try Wire.id(body.categoryId, "/categoryId"), level: body.level,
            nature: body.nature?.rawValue ?? "general", priority: body.priority?.rawValue ?? "general", safety: body.safety ?? false)
    }
}

extension ComplaintStep {
    /// `action` with what `body` records, or a 422 naming every field the action needs and lacks.
    init(_ action: ComplaintAction, _ body: Components.Schemas.Step) throws {
        var rules = FieldRules()
        switch action {
        case .grade:
            if body.level == nil { rules.fail("/level", "is required to grade") }
            if body.priority == nil { rules.fail("/priority", "is required to grade") }
        case .assign, .reassign:
            if body.departmentId == nil && body.responsibleUserId == nil && body.collaboratingDepartmentIds == nil {
                rules.fail("/departmentId", "or responsibleUserId or collaboratingDepartmentIds is required to assign")
            }
        case .markInvalid, .resolveOnTheSpot, .feedBackResult:
            if body.resolution == nil { rules.fail("/resolution", "is required for this step") }
        case .recordSatisfaction:
            if body.satisfaction == nil { rules.fail("/satisfaction", "is required for this step") }
        case .proposePlan:
            if body.plan == nil { rules.fail("/plan", "is required to propose a plan") }
        case .reopen, .rejectPlan:
            if body.note == nil { rules.fail("/note", "must give the reason") }
        default:
            break
        }
        let plan = try body.plan.map { try NewPlan($0, &rules) }
        try rules.check()
        self.init(
            action, note: body.note, categoryID: try Wire.id(body.categoryId, "/categoryId"), level: body.level,
            nature: body.nature?.rawValue, priority: body.priority?.rawValue, promisedBy: body.promisedBy,
            departmentID: try Wire.id(body.departmentId, "/departmentId"),
            responsibleUserID: try Wire.id(body.responsibleUserId, "/responsibleUserId"),
            collaboratingDepartmentIDs: try body.collaboratingDepartmentIds?.enumerated().map { index, id in
                try Wire.id(id, "/collaboratingDepartmentIds/\(index)")
            },
            satisfaction: body.satisfaction, resolution: body.resolution, plan: plan, regulatorReference: body.regulatorReference,
            survey: body.survey.map { Survey(method: $0.method.rawValue, attitude: $0.attitude, efficiency: $0.efficiency,
                                             outcome: $0.outcome, comments: $0.comments) })
    }
}

extension NewPlan {
    /// The plan `body` proposes; a compensation needs its currency and at most two decimals,
    /// which `rules` records.
    init(_ body: Components.Schemas.Step.PlanPayload, _ rules: inout FieldRules) throws {
        var amount: Decimal?
        if let compensation = body.compensationAmount {
            // The shortest spelling of the number the client sent, as a decimal (no binary rounding).
            amount = Decimal(string: String(compensation)) ?? Decimal(compensation)
            if let amount, !Self.hasAtMostTwoDecimals(amount) {
                rules.fail("/plan/compensationAmount", "must have at most two decimals")
            }
            if body.currency == nil { rules.fail("/plan/currency", "is required with an amount") }
        }
        self.init(measures: body.measures.map(\.rawValue), description: body.description, compensationAmount: amount,
                  currency: body.currency, responsibleDepartmentID: try Wire.id(body.responsibleDepartmentId, "/plan/responsibleDepartmentId"),
                  responsibleUserID: try Wire.id(body.responsibleUserId, "/plan/responsibleUserId"), dueAt: body.dueAt,
                  regulatorFilingRequired: body.regulatorFilingRequired ?? false)
    }

    /// True when `amount` has no digits beyond the hundredths.
    static func hasAtMostTwoDecimals(_ amount: Decimal) -> Bool {
        var cents = amount * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &cents, 0, .plain)
        return rounded == cents
    }
}
