import Foundation
import RedressCore
import RedressStore

extension Components.Schemas.SLAPolicy {
    init(_ policy: SLAConfigurationStore.Policy) throws {
        let result = policy.resultHours
        guard let urgent = result["urgent"], let important = result["important"], let general = result["general"] else {
            throw WireWord.Unknown(word: result.keys.sorted().joined(separator: ","), type: "set of result hours")
        }
        self.init(
            name: policy.name, active: policy.active, categoryIds: policy.categoryIds?.map(Wire.id),
            priorities: try policy.priorities?.map { try WireWord.read($0) }, levels: policy.levels,
            natures: try policy.natures?.map { try WireWord.read($0) }, counting: try WireWord.convert(policy.counting),
            milestoneHours: .init(acknowledge: policy.milestoneHours[SLAMilestone.acknowledge.rawValue],
                                  initialReply: policy.milestoneHours[SLAMilestone.initialReply.rawValue],
                                  preliminaryFeedback: policy.milestoneHours[SLAMilestone.preliminaryFeedback.rawValue]),
            resultHours: .init(urgent: urgent, important: important, general: general),
            milestoneLimits: .init(acknowledge: try policy.milestoneLimits[SLAMilestone.acknowledge.rawValue].map(Components.Schemas.SLALimit.init),
                                   initialReply: try policy.milestoneLimits[SLAMilestone.initialReply.rawValue].map(Components.Schemas.SLALimit.init),
                                   preliminaryFeedback: try policy.milestoneLimits[SLAMilestone.preliminaryFeedback.rawValue]
                                       .map(Components.Schemas.SLALimit.init)),
            resultLimits: .init(urgent: try policy.resultLimits["urgent"].map(Components.Schemas.SLALimit.init),
                                important: try policy.resultLimits["important"].map(Components.Schemas.SLALimit.init),
                                general: try policy.resultLimits["general"].map(Components.Schemas.SLALimit.init)),
            ladder: try policy.ladder.map { rung in
                .init(tier: rung.tier, afterHours: rung.afterMinutes == nil ? rung.afterHours : nil, afterMinutes: rung.afterMinutes,
                      recipients: try rung.recipients.map { try WireWord.convert($0) })
            },
            ackWindowMinutes: policy.ackWindowMinutes, followUpHours: policy.followUpHours,
            followUpCallbackDays: policy.followUpCallbackDays, emergencyLadderPercent: policy.emergencyLadderPercent,
            warningPercent: policy.warningPercent, breachRungs: .init(policy.breachRungs), planApprovalHours: policy.planApprovalHours,
            notifyHeadOnRouting: policy.notifyHeadOnRouting, statutoryResultDays: policy.statutoryResultDays,
            handlingPlanHours: policy.handlingPlanHours, reviewWindowDays: policy.reviewWindowDays, reviewDays: policy.reviewDays,
            id: Wire.id(policy.id), branchId: Wire.id(policy.branchId),
            updatedAt: policy.updatedAt)
    }
}

extension Components.Schemas.BreachRungs {
    /// The rungs as the store keeps them, by milestone name.
    init(_ rungs: [String: Int]) {
        self.init(acknowledge: rungs[SLAMilestone.acknowledge.rawValue], initialReply: rungs[SLAMilestone.initialReply.rawValue],
                  preliminaryFeedback: rungs[SLAMilestone.preliminaryFeedback.rawValue], result: rungs[SLAMilestone.result.rawValue])
    }

    /// The rungs by milestone.
    var rungs: [SLAMilestone: Int] {
        var rungs: [SLAMilestone: Int] = [:]
        rungs[.acknowledge] = acknowledge
        rungs[.initialReply] = initialReply
        rungs[.preliminaryFeedback] = preliminaryFeedback
        rungs[.result] = result
        return rungs
    }
}

extension Components.Schemas.SLALimit {
    /// A limit as the contract spells it.
    init(_ limit: RedressCore.SLALimit) throws {
        self.init(amount: limit.amount, unit: try WireWord.convert(limit.unit))
    }

    /// The limit it describes.
    func limit() throws -> RedressCore.SLALimit {
        RedressCore.SLALimit(amount, try WireWord.convert(unit))
    }
}

extension Components.Schemas.NewSLAPolicy {
    /// The policy the body describes, once the rules the contract cannot state hold: a ladder
    /// numbered 1, 2, 3… whose rungs come later and later and each page someone (one 422 naming
    /// every rule broken).
    func policy(id: UUID = UUID()) throws -> RedressCore.SLAPolicy {
        var milestones: [SLAMilestone: Int] = [:]
        milestones[.acknowledge] = milestoneHours.acknowledge
        milestones[.initialReply] = milestoneHours.initialReply
        milestones[.preliminaryFeedback] = milestoneHours.preliminaryFeedback
        var policy = RedressCore.SLAPolicy(
            id: id, name: name,
            categoryIDs: try categoryIds.map { ids in try ids.enumerated().map { try Wire.id($1, "/categoryIds/\($0)") } },
            priorities: priorities?.map(\.rawValue), levels: levels, natures: natures?.map(\.rawValue),
            counting: try WireWord.convert(counting), milestoneHours: milestones,
            resultHours: ["urgent": resultHours.urgent, "important": resultHours.important, "general": resultHours.general],
            ladder: try ladder.map { rung in
                EscalationTier(tier: rung.tier, afterHours: rung.afterHours ?? 0, afterMinutes: rung.afterMinutes,
                               recipients: try rung.recipients.map { try WireWord.convert($0) })
            },
            ackWindowMinutes: ackWindowMinutes ?? 15, followUpHours: followUpHours ?? 24,
            followUpCallbackDays: followUpCallbackDays ?? [], emergencyLadderPercent: emergencyLadderPercent ?? 100)
        policy.milestoneLimits[.acknowledge] = try milestoneLimits?.acknowledge?.limit()
        policy.milestoneLimits[.initialReply] = try milestoneLimits?.initialReply?.limit()
        policy.milestoneLimits[.preliminaryFeedback] = try milestoneLimits?.preliminaryFeedback?.limit()
        policy.resultLimits["urgent"] = try resultLimits?.urgent?.limit()
        policy.resultLimits["important"] = try resultLimits?.important?.limit()
        policy.resultLimits["general"] = try resultLimits?.general?.limit()
        policy.warningPercent = warningPercent ?? 80
        policy.breachRungs = breachRungs?.rungs ?? [:]
        policy.planApprovalHours = planApprovalHours ?? 24
        policy.notifyHeadOnRouting = notifyHeadOnRouting ?? true
        policy.statutoryResultDays = statutoryResultDays ?? 7
        policy.handlingPlanHours = handlingPlanHours ?? 48
        policy.reviewWindowDays = reviewWindowDays ?? 15
        policy.reviewDays = reviewDays ?? 7
        // The name's rules are the contract's; a name taken in the branch is the store's 409.
        var rules = FieldRules()
        for problem in policy.problems where problem.field != "name" { rules.fail(SLAPointer.pointer(problem.field), problem.message) }
        try rules.check()
        return policy
    }
}

extension Components.Schemas.Calendar {
    init(_ calendar: SLAConfigurationStore.Calendar) {
        let hours = calendar.hours
        self.init(branchId: Wire.id(calendar.branchId), timeZone: calendar.timeZone,
                  hours: .init(sunday: hours["sunday"], monday: hours["monday"], tuesday: hours["tuesday"],
                               wednesday: hours["wednesday"], thursday: hours["thursday"], friday: hours["friday"],
                               saturday: hours["saturday"]),
                  holidays: calendar.holidays, makeUpDays: calendar.makeUpDays, updatedAt: calendar.updatedAt)
    }
}

extension Components.Schemas.CalendarChanges {
    /// A calendar as the store takes it.
    struct Parsed {
        var hours: [Int: [WorkingCalendar.Interval]]
        var holidays: [LocalDate]
        var makeUpDays: [LocalDate]
    }

    /// The calendar the body describes, once the rules the contract cannot state hold: each day's
    /// intervals start before they end and follow one another, at least one interval in the week,
    /// and no day both a holiday and a make-up day (one 422 naming every rule broken).
    func parsed() throws -> Parsed {
        var rules = FieldRules()
        let days: [(String, [String]?)] = [("sunday", hours.sunday), ("monday", hours.monday), ("tuesday", hours.tuesday),
                                           ("wednesday", hours.wednesday), ("thursday", hours.thursday), ("friday", hours.friday),
                                           ("saturday", hours.saturday)]
        let text = Dictionary(uniqueKeysWithValues: days.compactMap { day, spans in spans.map { (day, $0) } })
        let week = WorkingCalendar.parseHours(text)
        for problem in week.problems { rules.fail(SLAPointer.pointer(problem.field), problem.message) }
        if week.problems.isEmpty, week.hours.values.allSatisfy(\.isEmpty) {
            rules.fail("/hours", "must give at least one working interval")
        }
        let holidays = Self.dates(self.holidays, "/holidays", &rules)
        let makeUpDays = Self.dates(self.makeUpDays, "/makeUpDays", &rules)
        if !Set(holidays).isDisjoint(with: makeUpDays) { rules.fail("/makeUpDays", "must not repeat a holiday") }
        try rules.check()
        return Parsed(hours: week.hours, holidays: holidays, makeUpDays: makeUpDays)
    }

    /// The dates of `values`, each a day the contract's `format: date` admitted.
    private static func dates(_ values: [String]?, _ field: String, _ rules: inout FieldRules) -> [LocalDate] {
        (values ?? []).enumerated().compactMap { index, text in
            guard let date = LocalDate(text) else {
                rules.fail("\(field)/\(index)", "must be a date YYYY-MM-DD")
                return nil
            }
            return date
        }
    }
}

/// Where the domain names a field of a policy or calendar (`ladder[1].afterHours`), the API
/// names it by JSON pointer (`/ladder/1/afterHours`).
enum SLAPointer {
    static func pointer(_ field: String) -> String {
        "/" + field.replacingOccurrences(of: "]", with: "").replacingOccurrences(of: "[", with: "/").replacingOccurrences(of: ".", with: "/")
    }
}
