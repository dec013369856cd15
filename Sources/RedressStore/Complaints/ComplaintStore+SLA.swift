import Foundation
import Postgres
import RedressCore

extension ComplaintStore {
    /// Recomputes a complaint's deadlines from its branch's policies, calendar and the complaint's
    /// pauses, and stores them with their explanation, the next due time, the next escalation and
    /// the alarms of its milestones and its plan (`SLAAlarm`, `PlanAlarm`; those the scheduler
    /// raised stay raised), with `notices` to raise moments later (`StaffNotice`). Called in the
    /// transaction of every change that can move a deadline (intake, grading, re-classification,
    /// pauses, milestones met); a moved escalation or alarm time notifies the scheduler.
    static func refreshSchedule(branchID: UUID, complaintID: UUID, meeting met: Set<SLAMilestone> = [],
                         reopening: Bool = false, notifying notices: [(notice: StaffNotice, occurrence: String)] = [],
                         _ connection: PGConnection) async throws -> Complaint {
        let facts = try await connection.query(scheduleFacts(branchID: branchID, complaintID: complaintID))[0]
        let schedule = try Self.schedule(branchID: branchID, complaintID: complaintID, facts: facts, meeting: met, reopening: reopening,
                                         notifying: notices)
        let rows = try await connection.query(schedule.update)
        guard let row = rows.first else { throw StoreError.forbidden }
        if schedule.wakesScheduler {
            try await connection.execute(DeadlineWakeUp.complaint(branchID: branchID, complaintID: complaintID))
        }
        return try ComplaintColumns.complaint(row)
    }

    /// A complaint's schedule as ``schedule`` computed it: the values to store, whether the
    /// scheduler must be woken, and the result's deadline.
    struct ScheduleUpdate {
        var branchID: UUID
        var complaintID: UUID
        var wakesScheduler: Bool
        var resultDue: Date?
        var isOpen: Bool
        var explanation: SLAExplanation?
        var completed: [String]
        /// The next unmet milestone's deadline (nil once the complaint is closed).
        var due: Date?
        var next: (tier: Int16, at: Date)?
        var tierDue: [Date]
        var alarms: [(key: String, at: Date, rung: Int32)]

        var policyID: UUID? { explanation?.policyId }

        /// The UPDATE storing it on the complaint as it stands (a promised time earlier than the
        /// deadline, alarms already raised), returning the complaint's columns; built on demand,
        /// since intake writes the values in its INSERT instead.
        var update: PGQuery {
            let keys = alarms.map(\.key)
            let times = alarms.map(\.at)
            return """
                UPDATE complaints
                   SET sla_policy_id = \(policyID), sla_deadlines = \(explanation.map(PGJSON.init)), sla_completed = \(completed),
                       due_at = CASE WHEN \(isOpen) THEN least(\(due), promised_by) END,
                       next_escalation_tier = \(next?.tier)::smallint, next_escalation_at = \(next?.at),
                       escalation_due_at = \(tierDue), sla_stale = false,
                       sla_alarm_keys = \(keys), sla_alarm_due_at = \(times), sla_alarm_rungs = \(alarms.map(\.rung))::smallint[],
                       next_alarm_at = (SELECT min(a.at) FROM unnest(\(keys)::text[], \(times)::timestamptz[]) AS a (key, at)
                                         WHERE NOT a.key = ANY (sla_alarms_raised))
                 WHERE branch_id = \(branchID) AND id = \(complaintID)
                RETURNING \(unescaped: ComplaintColumns.list)
                """
        }
    }

    /// The statement reading what a complaint's schedule depends on (one row, read by ``schedule``).
    static func scheduleFacts(branchID: UUID, complaintID: UUID) -> PGQuery {
        """
            SELECT c.received_at, c.category_id, c.priority, c.level, c.nature, c.status, c.sla_completed, c.escalated_tiers,
                   c.next_escalation_at, b.time_zone, k.hours, k.holidays::text[], k.make_up_days::text[],
                   coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'name', p.name, 'document', p.document) ORDER BY p.name)
                               FROM sla_policies p WHERE p.branch_id = c.branch_id AND p.active), '[]'::jsonb),
                   coalesce((SELECT jsonb_agg(jsonb_build_array(extract(epoch FROM s.started_at), extract(epoch FROM s.ended_at)))
                               FROM complaint_pauses s WHERE s.branch_id = c.branch_id AND s.complaint_id = c.id), '[]'::jsonb),
                   c.safety, c.sla_alarms_raised, c.next_alarm_at,
                   plan.id, plan.status, plan.proposed_at, plan.head_approved_at, plan.due_at, c.sla_alarm_keys, c.sla_alarm_due_at
              FROM complaints c JOIN branches b ON b.id = c.branch_id
              LEFT JOIN branch_calendars k ON k.branch_id = c.branch_id
              LEFT JOIN LATERAL (SELECT p.id, p.status, p.proposed_at, p.head_approved_at, p.due_at FROM complaint_plans p
                                  WHERE p.branch_id = c.branch_id AND p.complaint_id = c.id
                                  ORDER BY p.proposed_at DESC, p.id DESC LIMIT 1) plan ON true
             WHERE c.branch_id = \(branchID) AND c.id = \(complaintID)
            """
    }

    /// The schedule computed from `facts` (a row of ``scheduleFacts``), as a statement to store it.
    static func schedule(branchID: UUID, complaintID: UUID, facts: PGRow, meeting met: Set<SLAMilestone>, reopening: Bool,
                         notifying notices: [(notice: StaffNotice, occurrence: String)]) throws -> ScheduleUpdate {
        let status = ComplaintStatus(rawValue: try facts.decode(String.self, at: 5)) ?? .received
        var completed = Set(try facts.decode([String].self, at: 6).compactMap(SLAMilestone.init(rawValue:))).union(met)
        if reopening { completed.subtract([.preliminaryFeedback, .result]) }
        let fired = Set(try facts.decode([Int16].self, at: 7).map(Int.init))
        let hours = try facts.decode(PGJSONText?.self, at: 10).map(ScheduleMemos.workingHours.value)
        let calendar = try Self.calendar(timeZone: facts.decode(at: 9), hours: hours, holidays: facts.decode([String]?.self, at: 11),
                                         makeUpDays: facts.decode([String]?.self, at: 12))
        let policies = try ScheduleMemos.policies.value(facts.decode(PGJSONText.self, at: 13))
        let pauses = try facts.decode(PGJSON<[[Double?]]>.self, at: 14).value.map { pair in
            SLAPause(start: Date(timeIntervalSince1970: pair[0] ?? 0), end: pair[1].map(Date.init(timeIntervalSince1970:)))
        }
        let level: Int16? = try facts.decode(at: 3)
        let slaFacts = SLAFacts(categoryID: try facts.decode(at: 1), priority: try facts.decode(at: 2), level: level.map(Int.init),
                                nature: try facts.decode(at: 4), safety: try facts.decode(at: 15))
        var explanation: SLAExplanation?
        var due: Date?
        var next: (tier: Int, at: Date)?
        var tierDue: [Date] = []
        var alarms: [SLAAlarm] = []
        var limitAlarms: [(alarm: LimitAlarm, at: Date)] = []
        var chosen: SLAPolicy?
        if let policy = SLAPolicy.choose(policies, for: slaFacts) {
            chosen = policy
            let schedule = SLASchedule(policy: policy, receivedAt: try facts.decode(at: 0), priority: slaFacts.priority,
                                       calendar: calendar, pauses: pauses, emergency: slaFacts.isEmergency)
            explanation = SLAExplanation(policy: policy, schedule: schedule, calendar: calendar, completed: completed)
            // By tier number: tier n at index n (1-based in SQL); a paused clock's tiers lie far ahead.
            let highest = schedule.tiers.keys.max() ?? 0
            tierDue = highest > 0 ? (1...highest).map { schedule.tiers[$0]?.at ?? .distantFuture } : []
            if status.isOpen {
                due = schedule.milestones.filter { !completed.contains($0.key) }.compactMap(\.value.at).min()
                let unresolved = !completed.contains(.result)
                if unresolved {
                    alarms = schedule.alarms(policy: policy, calendar: calendar, pauses: pauses, completed: completed)
                    limitAlarms = schedule.limitAlarms(status: status, hasPlan: try facts.decode(UUID?.self, at: 18) != nil)
                    next = schedule.tiers.filter { !fired.contains($0.key) }.compactMap { tier, deadline in deadline.at.map { (tier, $0) } }
                        .min { ($0.1, $0.0) < ($1.1, $1.0) }
                }
            }
        }
        let previous: Date? = try facts.decode(at: 8)
        let raised = Set(try facts.decode([String].self, at: 16))
        let previousAlarm: Date? = try facts.decode(at: 17)
        let planID: UUID? = try facts.decode(at: 18)
        let plan = try planID.map { PlanFacts(id: $0, status: try facts.decode(at: 19), proposedAt: try facts.decode(at: 20),
                                              headApprovedAt: try facts.decode(at: 21), dueAt: try facts.decode(at: 22)) }
        let stored = zip(try facts.decode([String].self, at: 23), try facts.decode([Date].self, at: 24)).map { (key: $0.0, at: $0.1) }
        let alarmsDue = ComplaintAlarms(status: status, milestones: alarms, limits: limitAlarms, plan: plan, policy: chosen, stored: stored,
                                      raised: raised, notices: notices)
        return ScheduleUpdate(branchID: branchID, complaintID: complaintID,
                              wakesScheduler: previous != next?.at || previousAlarm != alarmsDue.next(raised: raised),
                              resultDue: explanation?.milestones[SLAMilestone.result.rawValue]?.at, isOpen: status.isOpen,
                              explanation: explanation, completed: completed.map(\.rawValue).sorted(), due: status.isOpen ? due : nil,
                              next: next.map { (Int16($0.tier), $0.at) }, tierDue: tierDue,
                              alarms: alarmsDue.pending.map { ($0.key, $0.at, Int32($0.rung)) })
    }

    /// Recomputes the deadlines of up to `batch` complaints per branch that a policy, calendar or
    /// time-zone change marked stale, each branch in a transaction of its own with the system
    /// scope of that branch; returns how many it recomputed, or throws the first failure once every
    /// branch had its turn.
    public func recomputeStale(batch: Int) async throws -> Int {
        let outcome = try await recomputeStaleBatch(batch: batch)
        if let failure = outcome.failures.first { throw failure.error }
        return outcome.recomputed
    }

    /// What one round of recomputation did: how many branches had stale complaints, how many
    /// complaints it recomputed, and what failed (those complaints stay stale).
    public struct StaleRecomputation: Sendable {
        /// A complaint that could not be recomputed, or a branch whose stale complaints could not
        /// be listed (`complaintID` nil).
        public struct Failure: Sendable {
            public var branchID: UUID
            public var complaintID: UUID?
            public var error: any Error
        }

        public var branches = 0
        public var recomputed = 0
        public var failures: [Failure] = []
    }

    /// As ``recomputeStale(batch:)``, but what fails is reported instead of thrown, and holds back
    /// nothing else: a branch's batch (the complaints with the earliest old deadlines first, but for
    /// those in `passingOver`) is recomputed in one transaction, and when that fails, one complaint
    /// per transaction, so that only the complaint that cannot be recomputed stays stale. Only
    /// cancellation and the list of branches throw.
    public func recomputeStaleBatch(batch: Int, passingOver: [UUID] = []) async throws -> StaleRecomputation {
        let branches = try await database.pool.query("SELECT scheduler.stale_branches()").map { try $0.decode(UUID.self, at: 0) }
        var outcome = StaleRecomputation(branches: branches.count)
        for branch in branches {
            let listing = Self.staleComplaints(branch: branch, batch: batch, passingOver: passingOver)
            do {
                outcome.recomputed += try await recomputeStale(branch: branch, listing)
            } catch {
                try Task.checkCancellation()
                let single = try await recomputeOneByOne(branch: branch, listing)
                outcome.recomputed += single.recomputed
                outcome.failures += single.failures
            }
        }
        return outcome
    }

    /// The branch's batch again, one complaint per transaction, after the batch's transaction
    /// failed: only the complaint that fails stays stale.
    private func recomputeOneByOne(branch: UUID, _ listing: PGQuery) async throws -> StaleRecomputation {
        var outcome = StaleRecomputation()
        let ids: [UUID]
        do {
            ids = try await database.withScope(.system(branch: branch)) { connection in
                try await connection.query(listing).map { try $0.decode(UUID.self, at: 0) }
            }
        } catch {
            try Task.checkCancellation()
            outcome.failures.append(.init(branchID: branch, error: error))
            return outcome
        }
        for id in ids {
            do {
                outcome.recomputed += try await recomputeStale(branch: branch, Self.staleComplaint(branch: branch, id: id))
            } catch {
                try Task.checkCancellation()
                outcome.failures.append(.init(branchID: branch, complaintID: id, error: error))
            }
        }
        return outcome
    }

    /// Recomputes the branch's stale complaints `listing` locks, in one transaction with the
    /// branch's system scope; returns how many.
    private func recomputeStale(branch: UUID, _ listing: PGQuery) async throws -> Int {
        try await database.withScope(.system(branch: branch)) { connection in
            let ids = try await connection.query(listing).map { try $0.decode(UUID.self, at: 0) }
            for id in ids {
                _ = try await Self.refreshSchedule(branchID: branch, complaintID: id, connection)
            }
            return ids.count
        }
    }

    /// Up to `batch` stale complaints of a branch, locked, those whose old deadline comes first
    /// first (one already due may be waiting on it), passing over those another scheduler holds
    /// and those named; read in that order from `complaints_stale_by_old_deadline` (`sql/0087`).
    static func staleComplaints(branch: UUID, batch: Int, passingOver: [UUID]) -> PGQuery {
        """
            SELECT id FROM complaints WHERE branch_id = \(branch) AND sla_stale AND NOT id = ANY (\(passingOver)::uuid[])
             ORDER BY least(next_escalation_at, next_alarm_at) NULLS LAST, id
             LIMIT \(Int32(batch)) FOR UPDATE SKIP LOCKED
            """
    }

    /// One stale complaint, locked, unless another scheduler holds it or it is no longer stale.
    private static func staleComplaint(branch: UUID, id: UUID) -> PGQuery {
        "SELECT id FROM complaints WHERE branch_id = \(branch) AND id = \(id) AND sla_stale FOR UPDATE SKIP LOCKED"
    }

    static func calendar(timeZone: String, hours: [String: [[Int]]]?, holidays: [String]?, makeUpDays: [String]?) -> WorkingCalendar? {
        guard let hours else { return nil }
        let intervals = Dictionary(uniqueKeysWithValues: hours.compactMap { day, spans -> (Int, [WorkingCalendar.Interval])? in
            guard let weekday = Int(day) else { return nil }
            return (weekday, spans.filter { $0.count == 2 }.map { WorkingCalendar.Interval($0[0] / 60, $0[0] % 60, $0[1] / 60, $0[1] % 60) })
        })
        let standard = intervals[2] ?? [WorkingCalendar.Interval(9, 0, 12, 0), WorkingCalendar.Interval(13, 0, 18, 0)]
        return WorkingCalendar(timeZone: timeZone, hours: intervals, holidays: Set((holidays ?? []).compactMap(LocalDate.init)),
                               makeUpDays: Set((makeUpDays ?? []).compactMap(LocalDate.init)), makeUpHours: standard)
    }
}
