import Foundation
import RedressCore
import RedressStore

/// The values the complaint API accepts, with the rules that name offending fields.
enum ComplaintVocabulary {
    static let channels: Set<String> = ["phone", "web", "email", "visit", "sms", "chat", "social_media", "third_party",
                                        "app", "internal", "institutional"]
    static let sources: Set<String> = ["external", "internal", "institutional"]
    static let customerTypes: Set<String> = ["individual", "enterprise", "government", "public_institution", "social_organisation"]
    static let priorities: Set<String> = ["urgent", "important", "general"]
    /// Natures a person may set; `repeat` is detected and `invalid` is a lifecycle step.
    static let natures: Set<String> = ["general", "major"]
}

extension FieldRules {
    /// A value from a fixed vocabulary.
    mutating func oneOf(_ value: String?, _ allowed: Set<String>, _ field: String) {
        guard let value else { return }
        if !allowed.contains(value) { fail(field, "must be one of " + allowed.sorted().joined(separator: ", ")) }
    }

    /// A non-negative amount of money with at most two decimal places, below 10^12.
    mutating func money(_ value: Decimal?, _ field: String) {
        guard let value else { return }
        var cents = value * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &cents, 0, .plain)
        if value < 0 || value >= 1_000_000_000_000 || rounded != cents {
            fail(field, "must be an amount from 0 to 999999999999.99 with at most two decimals")
        }
    }

    /// A whole number within `range`.
    mutating func number(_ value: Int?, _ range: ClosedRange<Int>, _ field: String) {
        guard let value else { return }
        if !range.contains(value) { fail(field, "must be from \(range.lowerBound) to \(range.upperBound)") }
    }

    /// An ISO 8601 date-time not later than a few minutes from now.
    mutating func pastDateTime(_ value: String?, _ field: String, now: Date = Date()) -> Date? {
        guard let date = anyDateTime(value, field) else { return nil }
        if date > now.addingTimeInterval(300) { fail(field, "must not be in the future") }
        return date
    }
}

/// `POST /v1/complaints`.
struct IntakeBody: StrictBody {
    static let fields: Set<String> = ["channel", "source", "complainant", "occurredAt", "receivedAt", "product", "party",
                                      "location", "description", "desiredOutcome", "categoryId", "level", "nature", "priority"]
    static let nestedFields: [String: Set<String>] = [
        "complainant": ["name", "phone", "email", "address", "idNumber", "customerType", "customerRef"],
    ]

    struct Complainant: Decodable {
        var name: String?
        var phone: String?
        var email: String?
        var address: String?
        var idNumber: String?
        var customerType: String?
        var customerRef: String?
    }

    var channel: String
    var source: String?
    var complainant: Complainant
    var occurredAt: String?
    var receivedAt: String?
    var product: String?
    var party: String?
    var location: String?
    var description: String
    var desiredOutcome: String?
    var categoryId: UUID?
    var level: Int?
    var nature: String?
    var priority: String?

    /// Checks every value and returns the intake record, or throws a 422 naming the fields.
    func intake() throws -> ComplaintIntake {
        var rules = FieldRules()
        rules.oneOf(channel, ComplaintVocabulary.channels, "/channel")
        rules.oneOf(source, ComplaintVocabulary.sources, "/source")
        rules.oneOf(complainant.customerType, ComplaintVocabulary.customerTypes, "/complainant/customerType")
        rules.text(complainant.name, "/complainant/name", length: 1...200)
        rules.phone(complainant.phone, "/complainant/phone")
        rules.email(complainant.email, "/complainant/email")
        rules.text(complainant.address, "/complainant/address", length: 1...500)
        rules.text(complainant.idNumber, "/complainant/idNumber", length: 1...40)
        rules.text(complainant.customerRef, "/complainant/customerRef", length: 1...100)
        let occurred = rules.pastDateTime(occurredAt, "/occurredAt")
        let received = rules.pastDateTime(receivedAt, "/receivedAt")
        rules.text(product, "/product", length: 1...200)
        rules.text(party, "/party", length: 1...200)
        rules.text(location, "/location", length: 1...500)
        rules.multilineText(description, "/description", length: 1...20_000)
        rules.multilineText(desiredOutcome, "/desiredOutcome", length: 1...5_000)
        rules.number(level, 1...3, "/level")
        rules.oneOf(nature, ComplaintVocabulary.natures, "/nature")
        rules.oneOf(priority, ComplaintVocabulary.priorities, "/priority")
        try rules.check()
        return ComplaintIntake(
            channel: channel, source: source ?? (channel == "internal" || channel == "institutional" ? channel : "external"),
            complainant: Complaint.Complainant(
                name: complainant.name, phone: complainant.phone, email: complainant.email, address: complainant.address,
                idNumber: complainant.idNumber, customerType: complainant.customerType ?? "individual",
                customerRef: complainant.customerRef),
            occurredAt: occurred, receivedAt: received, product: product, party: party, location: location,
            description: description, desiredOutcome: desiredOutcome, categoryID: categoryId, level: level,
            nature: nature ?? "general", priority: priority ?? "general")
    }
}

/// `PATCH /v1/complaints/{id}`: re-classification.
struct ClassificationBody: StrictBody {
    static let fields: Set<String> = ["categoryId", "level", "nature", "priority", "note"]
    var change = Classification()
    var note: String?

    enum CodingKeys: String, CodingKey { case categoryId, level, nature, priority, note }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        change.categoryID = try container.nullableUpdate(UUID.self, forKey: .categoryId)
        change.level = try container.nullableUpdate(Int.self, forKey: .level)
        change.nature = try container.update(String.self, forKey: .nature)
        change.priority = try container.update(String.self, forKey: .priority)
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }
}

/// `POST /v1/complaints/{id}/actions/{action}`.
struct StepBody: StrictBody {
    static let fields: Set<String> = ["note", "categoryId", "level", "nature", "priority", "departmentId",
                                      "responsibleUserId", "collaboratingDepartmentIds", "satisfaction", "resolution",
                                      "plan", "regulatorReference", "survey", "promisedBy"]
    static let nestedFields: [String: Set<String>] = [
        "plan": ["measures", "description", "compensationAmount", "currency", "responsibleDepartmentId",
                 "responsibleUserId", "dueAt", "regulatorFilingRequired"],
        "survey": ["method", "attitude", "efficiency", "outcome", "comments"],
    ]

    struct PlanBody: Decodable {
        var measures: [String]
        var description: String
        var compensationAmount: Decimal?
        var currency: String?
        var responsibleDepartmentId: UUID?
        var responsibleUserId: UUID?
        var dueAt: String?
        var regulatorFilingRequired: Bool?
    }

    struct SurveyBody: Decodable {
        var method: String
        var attitude: Int?
        var efficiency: Int?
        var outcome: Int?
        var comments: String?
    }
    var note: String?
    var categoryId: UUID?
    var level: Int?
    var nature: String?
    var priority: String?
    var departmentId: UUID?
    var responsibleUserId: UUID?
    var collaboratingDepartmentIds: [UUID]?
    var satisfaction: Int?
    var resolution: String?
    var plan: PlanBody?
    var promisedBy: String?
    var regulatorReference: String?
    var survey: SurveyBody?

    /// An empty body (steps such as `acknowledge` need nothing).
    init() {}

    /// Checks the values and what `action` requires, and returns the step.
    func step(_ action: ComplaintAction) throws -> ComplaintStep {
        var rules = FieldRules()
        rules.multilineText(note, "/note", length: 1...5_000)
        rules.number(level, 1...3, "/level")
        rules.oneOf(nature, ComplaintVocabulary.natures, "/nature")
        rules.oneOf(priority, ComplaintVocabulary.priorities, "/priority")
        rules.number(satisfaction, 1...10, "/satisfaction")
        rules.multilineText(resolution, "/resolution", length: 1...5_000)
        switch action {
        case .grade:
            if level == nil { rules.fail("/level", "is required to grade") }
            if priority == nil { rules.fail("/priority", "is required to grade") }
        case .assign, .reassign:
            if departmentId == nil && responsibleUserId == nil && collaboratingDepartmentIds == nil {
                rules.fail("/departmentId", "or responsibleUserId or collaboratingDepartmentIds is required to assign")
            }
            rules.distinct(collaboratingDepartmentIds, "/collaboratingDepartmentIds", limit: 20)
        case .markInvalid, .resolveOnTheSpot, .feedBackResult:
            if resolution == nil { rules.fail("/resolution", "is required for this step") }
        case .recordSatisfaction:
            if satisfaction == nil { rules.fail("/satisfaction", "is required for this step") }
        case .proposePlan:
            if plan == nil { rules.fail("/plan", "is required to propose a plan") }
        case .reopen, .rejectPlan:
            if note == nil { rules.fail("/note", "must give the reason") }
        default:
            break
        }
        rules.text(regulatorReference, "/regulatorReference", length: 1...200)
        let promise = rules.anyDateTime(promisedBy, "/promisedBy")
        var newPlan: NewPlan?
        if let plan {
            let allowed: Set<String> = ["apology", "repair", "replacement", "refund", "compensation", "coupon_points",
                                        "free_service", "mediation", "process_fix"]
            if plan.measures.isEmpty { rules.fail("/plan/measures", "must name at least one measure") }
            for (index, measure) in plan.measures.enumerated() { rules.oneOf(measure, allowed, "/plan/measures/\(index)") }
            rules.distinct(plan.measures, "/plan/measures", limit: 9)
            rules.multilineText(plan.description, "/plan/description", length: 1...20_000)
            rules.money(plan.compensationAmount, "/plan/compensationAmount")
            if let currency = plan.currency, currency.count != 3 || !currency.allSatisfy({ $0.isUppercase && $0.isASCII }) {
                rules.fail("/plan/currency", "must be an ISO 4217 code such as CNY")
            }
            if plan.compensationAmount != nil && plan.currency == nil { rules.fail("/plan/currency", "is required with an amount") }
            let due = rules.anyDateTime(plan.dueAt, "/plan/dueAt")
            newPlan = NewPlan(measures: plan.measures, description: plan.description, compensationAmount: plan.compensationAmount,
                              currency: plan.currency, responsibleDepartmentID: plan.responsibleDepartmentId,
                              responsibleUserID: plan.responsibleUserId, dueAt: due,
                              regulatorFilingRequired: plan.regulatorFilingRequired ?? false)
        }
        var newSurvey: Survey?
        if let survey {
            rules.oneOf(survey.method, ["phone", "sms", "email", "visit", "online_questionnaire"], "/survey/method")
            rules.number(survey.attitude, 1...10, "/survey/attitude")
            rules.number(survey.efficiency, 1...10, "/survey/efficiency")
            rules.number(survey.outcome, 1...10, "/survey/outcome")
            rules.multilineText(survey.comments, "/survey/comments", length: 1...5_000)
            newSurvey = Survey(method: survey.method, attitude: survey.attitude, efficiency: survey.efficiency,
                               outcome: survey.outcome, comments: survey.comments)
        }
        try rules.check()
        return ComplaintStep(action, note: note, categoryID: categoryId, level: level, nature: nature, priority: priority,
                             promisedBy: promise,
                             departmentID: departmentId, responsibleUserID: responsibleUserId,
                             collaboratingDepartmentIDs: collaboratingDepartmentIds, satisfaction: satisfaction,
                             resolution: resolution, plan: newPlan, regulatorReference: regulatorReference, survey: newSurvey)
    }
}
