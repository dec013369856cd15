import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// SLA policies (`/v1/sla-policies`) and each branch's working calendar
/// (`/v1/branches/{id}/calendar`): everyone in a branch reads them, its admins change them. A
/// change recomputes the deadlines of the branch's open complaints (the scheduler does it within
/// moments of the change).
struct SLARoutes: Sendable {
    let sla: SLAConfigurationStore

    struct PolicyBody: StrictBody {
        static let fields: Set<String> = ["name", "active", "categoryIds", "priorities", "levels", "natures", "counting",
                                          "milestoneHours", "resultHours", "ladder", "ackWindowMinutes",
                                          "followUpHours", "followUpCallbackDays"]
        static let nestedFields: [String: Set<String>] = [
            "milestoneHours": Set(SLAMilestone.allCases.filter { $0 != .result }.map(\.rawValue)),
            "resultHours": Set(SLAPolicy.priorities),
            "ladder": ["tier", "afterHours", "recipients"],
        ]
        var name: String
        var active: Bool?
        var categoryIds: [UUID]?
        var priorities: [String]?
        var levels: [Int]?
        var natures: [String]?
        var counting: SLACounting
        var milestoneHours: [String: Int]
        var resultHours: [String: Int]
        var ladder: [EscalationTier]
        var ackWindowMinutes: Int?
        var followUpHours: Int?
        var followUpCallbackDays: [Int]?

        /// The policy, after every field's rules hold.
        func policy(id: UUID = UUID()) throws -> SLAPolicy {
            var rules = FieldRules()
            rules.distinct(categoryIds, "/categoryIds", limit: 200)
            rules.distinct(priorities, "/priorities", limit: 3)
            for (index, priority) in (priorities ?? []).enumerated() { rules.oneOf(priority, ComplaintVocabulary.priorities, "/priorities/\(index)") }
            rules.distinct(levels, "/levels", limit: 3)
            for (index, level) in (levels ?? []).enumerated() { rules.number(level, 1...3, "/levels/\(index)") }
            rules.distinct(natures, "/natures", limit: 2)
            for (index, nature) in (natures ?? []).enumerated() { rules.oneOf(nature, ComplaintVocabulary.natures, "/natures/\(index)") }
            rules.text(name, "/name", length: 1...200)
            for (index, rung) in ladder.enumerated() {
                rules.distinct(rung.recipients, "/ladder/\(index)/recipients", limit: EscalationRecipient.allCases.count)
            }
            let policy = SLAPolicy(
                id: id, name: name, categoryIDs: categoryIds, priorities: priorities, levels: levels, natures: natures, counting: counting,
                milestoneHours: Dictionary(uniqueKeysWithValues: milestoneHours.compactMap { key, hours in
                    SLAMilestone(rawValue: key).map { ($0, hours) }
                }),
                resultHours: resultHours, ladder: ladder, ackWindowMinutes: ackWindowMinutes ?? 15,
                followUpHours: followUpHours ?? 24, followUpCallbackDays: followUpCallbackDays ?? [])
            for problem in policy.problems where problem.field != "name" {
                rules.fail(SLARoutes.pointer(problem.field), problem.message)
            }
            try rules.check()
            return policy
        }
    }

    struct CalendarBody: StrictBody {
        static let fields: Set<String> = ["hours", "holidays", "makeUpDays"]
        static let nestedFields: [String: Set<String>] = ["hours": Set(WorkingCalendar.weekdayNames)]
        var hours: [String: [String]]
        var holidays: [String]?
        var makeUpDays: [String]?
    }

    func register(on group: RouterGroup<RedressRequestContext>) {
        group.get("sla-policies") { _, context -> Response in
            let items = try await sla.policies(try context.requireCaller().scope)
            return try JSONResponse.make(status: .ok, body: Page(items: items, nextCursor: nil))
        }
        group.get("sla-policies/:id") { _, context -> Response in
            let caller = try context.requireCaller()
            return try JSONResponse.make(status: .ok, body: try await sla.policy(caller.scope, id: try RequestParameters.id(context)))
        }
        group.post("sla-policies") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let body = try await RequestBody.decode(PolicyBody.self, from: request)
            let created = try await sla.createPolicy(caller.scope, branchID: caller.branchID, try body.policy(), active: body.active ?? true)
            var response = try JSONResponse.make(status: .created, body: created)
            response.headers[.location] = "/v1/sla-policies/\(created.id.uuidString.lowercased())"
            return response
        }
        group.put("sla-policies/:id") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(PolicyBody.self, from: request)
            let replaced = try await sla.replacePolicy(caller.scope, id: id, try body.policy(id: id), active: body.active ?? true)
            return try JSONResponse.make(status: .ok, body: replaced)
        }
        group.get("branches/:id/calendar") { _, context -> Response in
            let caller = try context.requireCaller()
            return try JSONResponse.make(status: .ok, body: try await sla.calendar(caller.scope, branchID: try RequestParameters.id(context)))
        }
        group.put("branches/:id/calendar") { request, context -> Response in
            let caller = try context.requireCaller(holding: .admin)
            let id = try RequestParameters.id(context)
            let body = try await RequestBody.decode(CalendarBody.self, from: request)
            var rules = FieldRules()
            let parsed = WorkingCalendar.parseHours(body.hours)
            for problem in parsed.problems { rules.fail(Self.pointer(problem.field), problem.message) }
            if parsed.problems.isEmpty, parsed.hours.values.allSatisfy(\.isEmpty) {
                rules.fail("/hours", "must give at least one working interval")
            }
            let holidays = Self.dates(body.holidays, "/holidays", &rules)
            let makeUpDays = Self.dates(body.makeUpDays, "/makeUpDays", &rules)
            if !Set(holidays).isDisjoint(with: makeUpDays) { rules.fail("/makeUpDays", "must not repeat a holiday") }
            try rules.check()
            let calendar = try await sla.replaceCalendar(caller.scope, branchID: id, hours: parsed.hours, holidays: holidays,
                                                         makeUpDays: makeUpDays)
            return try JSONResponse.make(status: .ok, body: calendar)
        }
    }

    static func dates(_ values: [String]?, _ field: String, _ rules: inout FieldRules) -> [LocalDate] {
        guard let values else { return [] }
        rules.distinct(values, field, limit: 1000)
        return values.enumerated().compactMap { index, text in
            guard let date = LocalDate(text) else {
                rules.fail("\(field)/\(index)", "must be a date YYYY-MM-DD")
                return nil
            }
            return date
        }
    }

    /// A problem's field (`ladder[1].afterHours`) as a JSON pointer (`/ladder/1/afterHours`).
    static func pointer(_ field: String) -> String {
        "/" + field.replacingOccurrences(of: "]", with: "").replacingOccurrences(of: "[", with: "/").replacingOccurrences(of: ".", with: "/")
    }
}
