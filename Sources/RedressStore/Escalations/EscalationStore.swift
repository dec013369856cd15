import Foundation
import Postgres
import RedressCore

/// The scheduler's side of escalations: fire what is due, and say when the next one is due.
/// Both go through owner-defined functions (`sql/0010_escalations.sql`) because the scheduler
/// works for every branch; the service role can do nothing else there. Claims run one branch at
/// a time (`BranchClaims`).
public struct EscalationStore: Sendable {
    let pool: PGPool

    /// Creates the store on the service pool.
    public init(pool: PGPool) { self.pool = pool }

    /// One tier of one complaint that fired.
    public struct Fired: Sendable, Equatable {
        public var branchID: UUID
        public var complaintID: UUID
        public var tier: Int
        /// When it was due (not when it was recorded).
        public var dueAt: Date
        /// How late it was recorded, in seconds.
        public var lateSeconds: Int
        /// Pages enqueued for it.
        public var pages: Int
    }

    /// Fires every due tier of up to `batch` due complaints, branch by branch (a transaction each).
    /// In the same transaction, a due complaint that the routing rules would place elsewhere (parked
    /// in an inactive department, routed by rules that now choose another, or not routed) is first
    /// routed (`scheduler.reroute_due`, which `escalate_due` calls first), and a tier whose rung
    /// pages the complaint office makes the office a collaborating department
    /// (`scheduler.join_complaint_office`), so that these happen exactly once with the tier too.
    public func escalateDue(batch: Int) async throws -> [Fired] {
        try await BranchClaims.claim(.escalations, batch: batch, on: pool) { branch, left in
            try await pool.withTransaction { connection in
                let fired = try await connection.query("SELECT * FROM scheduler.escalate_due(\(branch), \(Int32(left)))").map { row in
                    Fired(branchID: try row.decode(at: 0), complaintID: try row.decode(at: 1), tier: Int(try row.decode(Int16.self, at: 2)),
                          dueAt: try row.decode(at: 3), lateSeconds: try row.decode(at: 4), pages: try row.decode(at: 5))
                }
                try await Self.joinComplaintOffice(branch: branch, fired.map { ($0.complaintID, $0.tier) }, connection)
                return fired
            }
        }
    }

    /// An alarm that was raised: a milestone's warning to the person responsible or its breach
    /// escalated to its rung, a plan's page to its approver or a level up, or a notice to a head.
    public struct RaisedAlarm: Sendable, Equatable {
        public var branchID: UUID
        public var complaintID: UUID
        /// The milestone of a warning or breach.
        public var milestone: SLAMilestone?
        /// The plan of a plan's alarm.
        public var planID: UUID?
        /// Why a plan's alarm or a notice went out (`PlanAlarm.Kind`, `StaffNotice`); nil for a milestone's.
        public var reason: String?
        /// The rung a breach paged; 0 for the others.
        public var tier: Int
        public var dueAt: Date
        /// How late it was raised, in seconds.
        public var lateSeconds: Int
        /// Pages enqueued for it.
        public var pages: Int

        /// What it was, as metrics and logs name it: `milestone_warning`, `milestone_breach` or its reason.
        public var kind: String { EscalationStore.kind(reason: reason, followUp: nil, milestone: milestone?.rawValue, tier: tier) }
    }

    /// The kind of an escalation as the API names it: its reason (a plan's alarm or a notice),
    /// else `follow_up`, `tier` (the ladder), `milestone_warning` (tier 0) or `milestone_breach`.
    static func kind(reason: String?, followUp: UUID?, milestone: String?, tier: Int) -> String {
        if let reason { return reason }
        if followUp != nil { return "follow_up" }
        guard milestone != nil else { return "tier" }
        return tier == 0 ? "milestone_warning" : "milestone_breach"
    }

    /// Raises the due alarms of up to `batch` complaints (their milestones' and their plans'),
    /// branch by branch (a transaction each), each alarm once (`scheduler.raise_alarms`, `sql/0051`).
    /// As for a tier, a complaint the routing rules would place elsewhere is routed first, and a
    /// breach whose rung pages the complaint office makes it a collaborator, in the same transaction.
    public func raiseAlarms(batch: Int) async throws -> [RaisedAlarm] {
        try await BranchClaims.claim(.alarms, batch: batch, on: pool) { branch, left in
            try await pool.withTransaction { connection in
                try await connection.query("SELECT scheduler.reroute_due(\(branch), \(Int32(left)), 'alarms')")
                let raised = try await connection.query("SELECT * FROM scheduler.raise_alarms(\(branch), \(Int32(left)))").map { row in
                    RaisedAlarm(branchID: try row.decode(at: 0), complaintID: try row.decode(at: 1),
                                milestone: try row.decode(String?.self, at: 2).flatMap(SLAMilestone.init(rawValue:)),
                                planID: try row.decode(at: 3), reason: try row.decode(at: 4),
                                tier: Int(try row.decode(Int16.self, at: 5)), dueAt: try row.decode(at: 6), lateSeconds: try row.decode(at: 7),
                                pages: try row.decode(at: 8))
                }
                try await Self.joinComplaintOffice(branch: branch, raised.filter { $0.tier > 0 }.map { ($0.complaintID, $0.tier) }, connection)
                return raised
            }
        }
    }

    /// Makes the complaint office a collaborator of each complaint whose fired rung pages it.
    static func joinComplaintOffice(branch: UUID, _ fired: [(complaint: UUID, tier: Int)], _ connection: PGConnection) async throws {
        guard !fired.isEmpty else { return }
        try await connection.query("""
            SELECT count(*) FILTER (WHERE scheduler.join_complaint_office(\(branch), f.complaint, f.tier))
              FROM unnest(\(fired.map(\.complaint))::uuid[], \(fired.map { Int32($0.tier) })::integer[]) AS f (complaint, tier)
            """)
    }

    /// An escalation whose ack window passed: the next rung of its ladder was paged, if any.
    public struct Repaged: Sendable, Equatable {
        public var branchID: UUID
        public var complaintID: UUID
        public var tier: Int
        /// The ladder rung paged now; nil when the escalation stopped waiting (a later tier
        /// superseded it, or the ladder has no further rung).
        public var rung: Int?
        /// Pages enqueued (people not already paged for this escalation).
        public var pages: Int
    }

    /// Re-pages up to `batch` escalations nobody acknowledged within their ack window, branch by
    /// branch (a transaction each).
    public func repageDue(batch: Int) async throws -> [Repaged] {
        try await BranchClaims.claim(.repages, batch: batch, on: pool) { branch, left in
            try await pool.query("SELECT * FROM scheduler.repage_due(\(branch), \(Int32(left)))").map { row in
                Repaged(branchID: try row.decode(at: 0), complaintID: try row.decode(at: 1), tier: Int(try row.decode(Int16.self, at: 2)),
                        rung: try row.decode(Int16?.self, at: 3).map(Int.init), pages: try row.decode(at: 4))
            }
        }
    }

    /// A satisfaction follow-up or callback that fell overdue and was escalated.
    public struct OverdueFollowUp: Sendable, Equatable {
        public var branchID: UUID
        public var complaintID: UUID
        public var followUpID: UUID
        public var lateSeconds: Int
        /// Pages enqueued (the first rung of the complaint's ladder).
        public var pages: Int
    }

    /// Escalates up to `batch` overdue follow-ups, each once, branch by branch (a transaction each).
    public func escalateOverdueFollowUps(batch: Int) async throws -> [OverdueFollowUp] {
        try await BranchClaims.claim(.followUps, batch: batch, on: pool) { branch, left in
            try await pool.query("SELECT * FROM scheduler.escalate_follow_ups(\(branch), \(Int32(left)))").map { row in
                OverdueFollowUp(branchID: try row.decode(at: 0), complaintID: try row.decode(at: 1), followUpID: try row.decode(at: 2),
                                lateSeconds: try row.decode(at: 3), pages: try row.decode(at: 4))
            }
        }
    }

    /// A review (復議) whose reviewers were told, or that fell overdue and was escalated.
    public struct ReviewEscalation: Sendable, Equatable {
        public var branchID: UUID
        public var complaintID: UUID
        public var reviewID: UUID
        /// `review_requested` (its reviewers told) or `review_overdue` (escalated to the branch managers).
        public var reason: String
        public var lateSeconds: Int
        public var pages: Int
    }

    /// Tells the reviewers of up to `batch` new reviews and escalates overdue ones, each once,
    /// branch by branch (a transaction each; `scheduler.escalate_reviews`, sql/0057).
    public func escalateReviews(batch: Int) async throws -> [ReviewEscalation] {
        try await BranchClaims.claim(.reviews, batch: batch, on: pool) { branch, left in
            try await pool.query("SELECT * FROM scheduler.escalate_reviews(\(branch), \(Int32(left)))").map { row in
                ReviewEscalation(branchID: try row.decode(at: 0), complaintID: try row.decode(at: 1), reviewID: try row.decode(at: 2),
                                 reason: try row.decode(at: 3), lateSeconds: try row.decode(at: 4), pages: try row.decode(at: 5))
            }
        }
    }

    /// A rectification task escalated as overdue, with the people named on its timeline.
    public struct RectificationEscalation: Sendable, Equatable {
        public var branchID: UUID
        public var taskID: UUID
        public var lateSeconds: Int
        /// The head of the responsible department and the branch managers.
        public var recipients: [UUID]
    }

    /// Escalates up to `batch` overdue rectification tasks, each once, branch by branch (a
    /// transaction each; `scheduler.escalate_rectifications`, sql/0062).
    public func escalateRectifications(batch: Int) async throws -> [RectificationEscalation] {
        try await BranchClaims.claim(.rectifications, batch: batch, on: pool) { branch, left in
            try await pool.query("SELECT * FROM scheduler.escalate_rectifications(\(branch), \(Int32(left)))").map { row in
                RectificationEscalation(branchID: try row.decode(at: 0), taskID: try row.decode(at: 1), lateSeconds: try row.decode(at: 2),
                                        recipients: try row.decode(at: 3))
            }
        }
    }

    /// An institution's referral left unanswered past its due time, escalated with its pages.
    public struct InstitutionReplyEscalation: Sendable, Equatable {
        public var branchID: UUID
        public var complaintID: UUID
        public var referralID: UUID
        public var lateSeconds: Int
        public var pages: Int
    }

    /// Escalates up to `batch` referrals whose reply is due, each once, branch by branch (a
    /// transaction each; `scheduler.escalate_institution_replies`, sql/0067).
    public func escalateInstitutionReplies(batch: Int) async throws -> [InstitutionReplyEscalation] {
        try await BranchClaims.claim(.institutionReplies, batch: batch, on: pool) { branch, left in
            try await pool.query("SELECT * FROM scheduler.escalate_institution_replies(\(branch), \(Int32(left)))").map { row in
                InstitutionReplyEscalation(branchID: try row.decode(at: 0), complaintID: try row.decode(at: 1),
                                           referralID: try row.decode(at: 2), lateSeconds: try row.decode(at: 3), pages: try row.decode(at: 4))
            }
        }
    }

    /// The earliest time there is work: a tier or an alarm falling due, an ack window ending, a follow-up
    /// falling overdue, or a review to tell of or falling overdue; nil when none.
    public func nextDue() async throws -> Date? {
        try await pool.query("SELECT scheduler.next_due()")[0].decode(Date?.self, at: 0)
    }

    /// As ``nextDue()``, but counting a stale complaint's old deadlines too (`public.next_scheduled_work`,
    /// as readiness does): how far behind the scheduler fleet is, recomputation included.
    public func oldestWork() async throws -> Date? {
        try await pool.query("SELECT public.next_scheduled_work()")[0].decode(Date?.self, at: 0)
    }
}
