import Foundation
import RedressCore

/// The alarms a complaint waits for, as the complaint stores them for the scheduler
/// (`sla_alarm_keys`, `sla_alarm_due_at`, `sla_alarm_rungs`; `sql/0051`): its milestones' warnings
/// and breaches, the limits beside them, its plan's, and the notices not raised yet.
struct ComplaintAlarms {
    /// One alarm: its key (unique in the complaint), when it falls due, and the rung a breach pages (0 otherwise).
    typealias Alarm = (key: String, at: Date, rung: Int)

    private(set) var pending: [Alarm] = []

    /// Gathers the alarms of an open complaint; a closed one waits for none.
    init(status: ComplaintStatus, milestones: [SLAAlarm], limits: [(alarm: LimitAlarm, at: Date)], plan: PlanFacts?,
         policy: SLAPolicy?, stored: [(key: String, at: Date)], raised: Set<String>,
         notices: [(notice: StaffNotice, occurrence: String)], now: Date = Date()) {
        guard status.isOpen else { return }
        pending = milestones.map { ($0.key, $0.at, $0.rung) } + limits.map { ($0.alarm.key, $0.at, 0) }
        if let plan {
            pending += plan.alarms(complaintStatus: status, approvalHours: policy?.planApprovalHours ?? 24).map { ($0.key, $0.at, 0) }
        }
        // A notice is added once, when its event happens: until raised it is carried over.
        pending += stored.filter { StaffNotice.isNotice($0.key) && !raised.contains($0.key) }.map { ($0.key, $0.at, 0) }
        pending += notices.filter { $0.notice != .departmentRouted || (policy?.notifyHeadOnRouting ?? true) }
            .map { ($0.notice.key($0.occurrence), now, 0) }
    }

    /// The earliest alarm not raised yet.
    func next(raised: Set<String>) -> Date? {
        pending.filter { !raised.contains($0.key) }.map(\.at).min()
    }
}
