import Foundation
import RedressCore

/// The JSON document of a policy row (`sla_policies.document`): everything but the id, name and
/// whether it is active. `scheduler.*` functions read `ladder` and `ackWindowMinutes` from it, and
/// the follow-up triggers `followUpHours` and `followUpCallbackDays`; the service turns
/// `warningPercent`, `breachRungs`, `planApprovalHours` and `notifyHeadOnRouting` into each
/// complaint's alarms (`SLAAlarm`, `PlanAlarm`, `StaffNotice`).
struct SLAPolicyDocument: Codable {
    var categoryIDs: [UUID]?
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
    var emergencyLadderPercent: Int?
    var milestoneLimits: [String: SLALimit]?
    var resultLimits: [String: SLALimit]?
    var warningPercent: Int?
    var breachRungs: [String: Int]?
    var planApprovalHours: Int?
    var notifyHeadOnRouting: Bool?
    var statutoryResultDays: Int?
    var handlingPlanHours: Int?
    var reviewWindowDays: Int?
    var reviewDays: Int?

    /// The document of `policy`.
    init(_ policy: SLAPolicy) {
        categoryIDs = policy.categoryIDs
        priorities = policy.priorities
        levels = policy.levels
        natures = policy.natures
        counting = policy.counting
        milestoneHours = Dictionary(uniqueKeysWithValues: policy.milestoneHours.map { ($0.key.rawValue, $0.value) })
        resultHours = policy.resultHours
        ladder = policy.ladder
        ackWindowMinutes = policy.ackWindowMinutes
        followUpHours = policy.followUpHours
        followUpCallbackDays = policy.followUpCallbackDays
        emergencyLadderPercent = policy.emergencyLadderPercent
        milestoneLimits = policy.milestoneLimits.isEmpty ? nil
            : Dictionary(uniqueKeysWithValues: policy.milestoneLimits.map { ($0.key.rawValue, $0.value) })
        resultLimits = policy.resultLimits.isEmpty ? nil : policy.resultLimits
        warningPercent = policy.warningPercent
        planApprovalHours = policy.planApprovalHours
        notifyHeadOnRouting = policy.notifyHeadOnRouting
        statutoryResultDays = policy.statutoryResultDays
        handlingPlanHours = policy.handlingPlanHours
        reviewWindowDays = policy.reviewWindowDays
        reviewDays = policy.reviewDays
        breachRungs = policy.breachRungs.isEmpty ? nil
            : Dictionary(uniqueKeysWithValues: policy.breachRungs.map { ($0.key.rawValue, $0.value) })
    }

    func policy(id: UUID, name: String) -> SLAPolicy {
        var policy = SLAPolicy(id: id, name: name, categoryIDs: categoryIDs, priorities: priorities, levels: levels, natures: natures,
                  counting: counting,
                  milestoneHours: Dictionary(uniqueKeysWithValues: milestoneHours.compactMap { key, hours in
                      SLAMilestone(rawValue: key).map { ($0, hours) }
                  }),
                  resultHours: resultHours, ladder: ladder, ackWindowMinutes: ackWindowMinutes ?? 15,
                  followUpHours: followUpHours ?? 24, followUpCallbackDays: followUpCallbackDays ?? [],
                  emergencyLadderPercent: emergencyLadderPercent ?? 100)
        policy.milestoneLimits = Dictionary(uniqueKeysWithValues: (milestoneLimits ?? [:]).compactMap { key, limit in
            SLAMilestone(rawValue: key).map { ($0, limit) }
        })
        policy.resultLimits = resultLimits ?? [:]
        policy.warningPercent = warningPercent ?? 80
        policy.planApprovalHours = planApprovalHours ?? 24
        policy.notifyHeadOnRouting = notifyHeadOnRouting ?? true
        policy.statutoryResultDays = statutoryResultDays ?? 7
        policy.handlingPlanHours = handlingPlanHours ?? 48
        policy.reviewWindowDays = reviewWindowDays ?? 15
        policy.reviewDays = reviewDays ?? 7
        policy.breachRungs = Dictionary(uniqueKeysWithValues: (breachRungs ?? [:]).compactMap { key, rung in
            SLAMilestone(rawValue: key).map { ($0, rung) }
        })
        return policy
    }
}

/// A policy row as the store reads it.
struct SLAPolicyRow: Codable {
    var id: UUID
    var name: String
    var document: SLAPolicyDocument
}
