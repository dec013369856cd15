import Foundation

/// The milestones a policy sets targets for, measured from receipt.
public enum SLAMilestone: String, Sendable, Codable, CaseIterable, Comparable {
    /// Confirm receipt to the customer.
    case acknowledge
    /// Assess, grade and give the initial reply.
    case initialReply = "initial_reply"
    /// Give preliminary feedback.
    case preliminaryFeedback = "preliminary_feedback"
    /// Tell the customer the result.
    case result

    public static func < (lhs: SLAMilestone, rhs: SLAMilestone) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Who an escalation tier pages.
public enum EscalationRecipient: String, Sendable, Codable, CaseIterable {
    /// The head of the responsible department.
    case departmentHead = "department_head"
    /// The branch manager(s).
    case branchManager = "branch_manager"
    /// The complaint management office's head.
    case complaintOffice = "complaint_office"
    /// Executives covering the branch.
    case executives
    /// Bots subscribed to the branch or department.
    case bots
}

/// One rung of the escalation ladder: after `afterHours` (or, where an urgent case needs it,
/// `afterMinutes`) of SLA time without resolution, page `recipients`.
public struct EscalationTier: Sendable, Codable, Equatable {
    public var tier: Int
    /// Hours after receipt; 0 when the rung is set in minutes.
    public var afterHours: Int
    /// Minutes after receipt, in place of `afterHours`.
    public var afterMinutes: Int?
    public var recipients: [EscalationRecipient]

    /// Creates a tier.
    public init(tier: Int, afterHours: Int, afterMinutes: Int? = nil, recipients: [EscalationRecipient]) {
        self.tier = tier
        self.afterHours = afterHours
        self.afterMinutes = afterMinutes
        self.recipients = recipients
    }

    /// The SLA time after which the rung is paged, in seconds.
    public var afterSeconds: Int { afterMinutes.map { $0 * 60 } ?? afterHours * 3600 }
}

/// What selects a policy for a complaint.
public struct SLAFacts: Sendable, Equatable {
    public var categoryID: UUID?
    public var priority: String
    public var level: Int?
    public var nature: String
    /// Flagged as a matter of someone's safety.
    public var safety: Bool

    /// Creates the facts of a complaint.
    public init(categoryID: UUID?, priority: String, level: Int?, nature: String, safety: Bool = false) {
        self.categoryID = categoryID
        self.priority = priority
        self.level = level
        self.nature = nature
        self.safety = safety
    }

    /// An emergency (urgent priority or a safety matter): its first tier is paged at intake.
    public var isEmergency: Bool { priority == "urgent" || safety }
}

/// A branch's SLA policy: which complaints it covers, how it counts time, its milestone targets
/// and its escalation ladder. Policy data, not code.
public struct SLAPolicy: Sendable, Codable, Equatable {
    public var id: UUID
    public var name: String
    /// Complaints it covers; nil or empty means any.
    public var categoryIDs: [UUID]?
    public var priorities: [String]?
    public var levels: [Int]?
    public var natures: [String]?
    public var counting: SLACounting
    /// Hours per milestone other than the result.
    public var milestoneHours: [SLAMilestone: Int]
    /// Hours to the result, per priority.
    public var resultHours: [String: Int]
    /// Limits in a unit of their own (working days, minutes…) for milestones other than the
    /// result, in place of their `milestoneHours`.
    public var milestoneLimits: [SLAMilestone: SLALimit] = [:]
    /// Limits in a unit of their own for the result, per priority, in place of its `resultHours`.
    public var resultLimits: [String: SLALimit] = [:]
    public var ladder: [EscalationTier]
    /// Minutes a page waits for acknowledgement before the next rung of the ladder is paged.
    public var ackWindowMinutes: Int
    /// Hours after the result is fed back within which the satisfaction follow-up is due.
    public var followUpHours: Int
    /// Days after closing at which long-term callbacks are due (e.g. 7, 30, 91); none by default.
    public var followUpCallbackDays: [Int]
    /// For an emergency (urgent priority or a safety matter), whose first tier is paged at intake:
    /// the share of their time, in percent, after which the later rungs come. 100 keeps the ladder.
    public var emergencyLadderPercent: Int
    /// The share of a milestone's time, in percent, after which its responsible person is warned
    /// that it is coming due (once); 0 sends no warnings. Default 80.
    public var warningPercent: Int = 80
    /// The ladder rung paged, once, when a milestone is breached; 0 leaves that breach to the
    /// ladder. A milestone not named here pages the first rung.
    public var breachRungs: [SLAMilestone: Int] = [:]
    /// Hours a handling plan may wait for each approval before one level up is paged. Default 24.
    public var planApprovalHours: Int = 24
    /// Whether the head of a department is paged when a complaint is routed or handed to it. Default true.
    public var notifyHeadOnRouting: Bool = true
    /// Calendar days from receipt within which the complainant must have the result: the
    /// statutory limit tracked beside the policy's own targets (001 §2.1¶1.3). Default 7.
    public var statutoryResultDays: Int = 7
    /// Hours from receipt within which a detailed handling plan is drawn up, on the policy's clock
    /// (001 §4.1¶1.2). Default 48.
    public var handlingPlanHours: Int = 48
    /// Calendar days after the result is fed back within which the complainant may ask for a
    /// review (復議) by someone who did not handle the complaint (001 §3.4). Default 15.
    public var reviewWindowDays: Int = 15
    /// Calendar days a review has to be decided before it escalates to the branch managers. Default 7.
    public var reviewDays: Int = 7

    /// Creates a policy.
    public init(id: UUID = UUID(), name: String, categoryIDs: [UUID]? = nil, priorities: [String]? = nil, levels: [Int]? = nil,
                natures: [String]? = nil, counting: SLACounting, milestoneHours: [SLAMilestone: Int],
                resultHours: [String: Int], ladder: [EscalationTier], ackWindowMinutes: Int = 15, followUpHours: Int = 24,
                followUpCallbackDays: [Int] = [], emergencyLadderPercent: Int = 100) {
        self.id = id
        self.name = name
        self.categoryIDs = categoryIDs
        self.priorities = priorities
        self.levels = levels
        self.natures = natures
        self.counting = counting
        self.milestoneHours = milestoneHours
        self.resultHours = resultHours
        self.ladder = ladder
        self.ackWindowMinutes = ackWindowMinutes
        self.followUpHours = followUpHours
        self.followUpCallbackDays = followUpCallbackDays
        self.emergencyLadderPercent = emergencyLadderPercent
    }

    /// The sources' defaults: acknowledge 24 h, initial reply 48 h, preliminary feedback 72 h,
    /// result urgent 24 h / important 48 h / general 72 h; tier 1 at 24 h to the department head,
    /// tier 2 at 48 h to the branch manager and the complaint office, tier 3 at 72 h to executives.
    public static func standard(id: UUID = UUID(), counting: SLACounting = .calendarHours) -> SLAPolicy {
        SLAPolicy(
            id: id, name: "Standard", counting: counting,
            milestoneHours: [.acknowledge: 24, .initialReply: 48, .preliminaryFeedback: 72],
            resultHours: ["urgent": 24, "important": 48, "general": 72],
            ladder: [
                EscalationTier(tier: 1, afterHours: 24, recipients: [.departmentHead, .bots]),
                EscalationTier(tier: 2, afterHours: 48, recipients: [.branchManager, .complaintOffice, .bots]),
                EscalationTier(tier: 3, afterHours: 72, recipients: [.executives, .bots]),
            ])
    }

    /// True when every condition the policy sets holds.
    public func covers(_ facts: SLAFacts) -> Bool {
        func allows<T: Equatable>(_ list: [T]?, _ value: T?) -> Bool {
            guard let list, !list.isEmpty else { return true }
            return value.map(list.contains) ?? false
        }
        return allows(categoryIDs, facts.categoryID) && allows(priorities, facts.priority)
            && allows(levels, facts.level) && allows(natures, facts.nature)
    }

    /// How many conditions the policy sets; the most specific covering policy wins.
    var specificity: Int {
        [categoryIDs?.isEmpty, priorities?.isEmpty, levels?.isEmpty, natures?.isEmpty].filter { $0 == false }.count
    }

    /// The most specific policy covering `facts` (ties broken by name, then id).
    public static func choose(_ policies: [SLAPolicy], for facts: SLAFacts) -> SLAPolicy? {
        policies.filter { $0.covers(facts) }
            .max { ($0.specificity, $1.name, $1.id.uuidString) < ($1.specificity, $0.name, $0.id.uuidString) }
    }

    /// The rung a breach of `milestone` pages: the one the policy names, else the first of its
    /// ladder; nil when the policy leaves it to the ladder (0) or has no ladder.
    public func breachRung(of milestone: SLAMilestone) -> Int? {
        guard let named = breachRungs[milestone] else { return ladder.map(\.tier).min() }
        return named > 0 ? named : nil
    }

    /// Hours to `milestone` for a complaint of `priority`.
    public func hours(to milestone: SLAMilestone, priority: String) -> Int? {
        milestone == .result ? resultHours[priority] : milestoneHours[milestone]
    }
}

/// Every deadline of a complaint under a policy.
public struct SLASchedule: Sendable, Equatable {
    /// The policy the deadlines come from.
    public var policyID: UUID
    public var milestones: [SLAMilestone: SLADeadline]
    public var tiers: [Int: SLADeadline]
    /// The statutory limit for the result, in calendar days from receipt.
    public var statutoryResult: SLADeadline
    /// The limit for drawing up a detailed handling plan.
    public var handlingPlan: SLADeadline

    /// Computes the schedule of a complaint received at `receivedAt`, of `priority`, with its pauses.
    /// For an emergency the first tier falls due at receipt, whatever the calendar and pauses, and
    /// the later rungs after `emergencyLadderPercent` of their time.
    public init(policy: SLAPolicy, receivedAt: Date, priority: String, calendar: WorkingCalendar?, pauses: [SLAPause],
                emergency: Bool = false) {
        policyID = policy.id
        var milestones: [SLAMilestone: SLADeadline] = [:]
        for milestone in SLAMilestone.allCases {
            if let stated = milestone == .result ? policy.resultLimits[priority] : policy.milestoneLimits[milestone] {
                milestones[milestone] = SLAClock.deadline(from: receivedAt, limit: stated, calendar: calendar, pauses: pauses)
            } else if let hours = policy.hours(to: milestone, priority: priority) {
                milestones[milestone] = SLAClock.deadline(from: receivedAt, target: .seconds(hours * 3600), counting: policy.counting,
                                                          calendar: calendar, pauses: pauses)
            }
        }
        self.milestones = milestones
        statutoryResult = SLAClock.deadline(from: receivedAt, target: .seconds(policy.statutoryResultDays * 86_400), counting: .calendarHours,
                                            calendar: calendar, pauses: pauses)
        handlingPlan = SLAClock.deadline(from: receivedAt, target: .seconds(policy.handlingPlanHours * 3600), counting: policy.counting,
                                         calendar: calendar, pauses: pauses)
        let first = policy.ladder.map(\.tier).min()
        tiers = Dictionary(uniqueKeysWithValues: policy.ladder.map { tier in
            if emergency && tier.tier == first {
                return (tier.tier, SLADeadline(at: receivedAt, targetSeconds: 0, counting: policy.counting,
                                               timeZone: policy.counting == .workingCalendar ? calendar?.timeZone : nil, from: receivedAt,
                                               pauses: []))
            }
            let seconds = emergency ? tier.afterSeconds * policy.emergencyLadderPercent / 100 : tier.afterSeconds
            return (tier.tier, SLAClock.deadline(from: receivedAt, target: .seconds(seconds), counting: policy.counting,
                                                 calendar: calendar, pauses: pauses))
        })
    }

    /// The earliest deadline not yet met or fired, given what is done: the complaint's next due time.
    public func nextDue(completed: Set<SLAMilestone>, firedTiers: Set<Int>) -> Date? {
        let open = milestones.filter { !completed.contains($0.key) }.compactMap(\.value.at)
            + tiers.filter { !firedTiers.contains($0.key) }.compactMap(\.value.at)
        return open.min()
    }
}
