import ArgumentParser
import Foundation
import Logging
import Postgres
import RedressCore
import RedressScheduler
import ServiceLifecycle

/// `redress-bench escalation`: how fast and how punctually the scheduler escalates.
///
/// Burst: of `--complaints` open complaints, `--burst` become due at the same moment, each with its
/// tier 1 and its acknowledgement's breach; measured is the time until every escalation is recorded
/// and its pages enqueued (with the timeline events and outbox rows), with one and with three
/// schedulers, against two hand-written SQL statements doing the same writes (the floor), and with one
/// scheduler again: with the audit trail's other triggers by row (as on Citus), with every entry
/// written by the statement or the row triggers (the claims, which enter their own as installed,
/// handed back to the owner), and without the audit trail (the audit's peer). Rounds alternate
/// between the modes so machine noise hits each alike; the best of each is reported.
///
/// Lateness: `--spread-count` escalations fall due evenly over `--spread-seconds` while a running
/// scheduler (the scheduler role, sleeping and woken as in production) fires them; reported is the
/// lateness from due time to recorded escalation. With `--stale`, one scheduler does it once more
/// while that many open complaints of one branch wait to be recomputed, marked stale as a calendar
/// change marks them when the window opens; reported beside it is how long their recomputation took
/// (the escalations their new deadlines make due are theirs, not counted among the window's).
struct EscalationBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "escalation", abstract: "Escalation throughput and lateness.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Open complaints in the database.")
    var complaints = 1_000_000

    @Option(help: "Complaints that become due at the same moment.")
    var burst = 100_000

    @Option(help: "Rounds of the burst measurement; the best of each mode is reported.")
    var rounds = 2

    @Option(help: "Complaints claimed per scheduler transaction.")
    var batchSize = 500

    @Option(help: "Escalations spread over the lateness window.")
    var spreadCount = 10_000

    @Option(help: "Seconds the lateness window lasts.")
    var spreadSeconds = 60

    @Option(parsing: .upToNextOption,
            help: "The burst's modes to measure (floor, one, three, by-row, triggers, row-triggers, no-audit); a ratio is printed when both its modes ran.")
    var modes: [Mode] = Mode.allCases

    @Flag(help: "Measure the burst only, not the lateness.")
    var noLateness = false

    @Option(help: "Open complaints of one branch made stale as the lateness window opens, in a run of one scheduler of its own (0: none).")
    var stale = 0

    func run() async throws {
        let (owner, service) = try await database.openMigrated(ownerConnections: 2, serviceConnections: 1)
        await service.shutdown()
        let scheduler = try database.schedulerPool(connections: 4)
        let data = EscalationBenchData(owner: owner)
        try await data.prepare(total: complaints, burst: burst)
        try await measureBurst(data: data, owner: owner, service: scheduler, listen: scheduler.configuration.connection)
        if !noLateness {
            try await measureLateness(data: data, owner: owner, service: scheduler, listen: scheduler.configuration.connection)
        }
        await owner.shutdown()
        await scheduler.shutdown()
    }

    enum Mode: String, CaseIterable, ExpressibleByArgument {
        case floor
        case one
        case three
        /// The audit trail written by row triggers, as on Citus (the claims entering their own).
        case oneAuditedByRow = "by-row"
        /// Every entry written by the statement triggers, the claims' too.
        case oneAuditedByTriggers = "triggers"
        /// Every entry written by row triggers, the claims' too: Citus before the claims entered their own.
        case oneAuditedByRowTriggers = "row-triggers"
        /// The audit triggers disabled and the claims entering nothing: the peer the audit's cost is measured against.
        case oneWithoutAudit = "no-audit"

        /// The mode as the figures name it.
        var title: String {
            switch self {
            case .floor: "hand-written SQL (floor)"
            case .one: "1 scheduler"
            case .three: "3 schedulers"
            case .oneAuditedByRow: "1 scheduler, audit by row"
            case .oneAuditedByTriggers: "1 scheduler, triggers only"
            case .oneAuditedByRowTriggers: "1 scheduler, row triggers only"
            case .oneWithoutAudit: "1 scheduler, no audit"
            }
        }

        /// Who writes the audit entries of the mode's burst.
        var audit: EscalationAudit {
            switch self {
            case .floor, .one, .three: .installed
            case .oneAuditedByRow: .byRow
            case .oneAuditedByTriggers: .triggersAlone
            case .oneAuditedByRowTriggers: .rowTriggersAlone
            case .oneWithoutAudit: .none
            }
        }
    }

    private func measureBurst(data: EscalationBenchData, owner: PGPool, service: PGPool, listen: PGConnectionConfiguration) async throws {
        var best: [Mode: Double] = [:]
        var byRound: [Mode: [Double]] = [:]
        var auditRows: Int?
        var auditedWrites = ""
        let claims = try await EscalationAudit.writerFunctions(owner)
        for round in 1...rounds {
            for mode in Mode.allCases where modes.contains(mode) {
                try await data.reset(count: burst, dueInSeconds: "-1")
                try await mode.audit.apply(owner, claims: claims)
                let auditedBefore: Int64 = try await owner.query("SELECT coalesce(max(id), 0) FROM audit_log")[0].decode(at: 0)
                let start = ContinuousClock.now
                switch mode {
                case .floor:
                    // Hand-written SQL at its best. The planner has not seen the burst (neither has the
                    // scheduler's), and would join the statement's 100,000 due complaints to the rows
                    // it wrote by nested loops over its CTEs: hours instead of minutes.
                    for statement in [Self.floorStatement, Self.breachFloorStatement] {
                        try await owner.withConnection { connection in
                            try await connection.withTransaction { connection in
                                try await connection.executeScript("SET LOCAL enable_nestloop = off")
                                _ = try await connection.query(statement)
                            }
                        }
                    }
                case .one, .three, .oneAuditedByRow, .oneAuditedByTriggers, .oneAuditedByRowTriggers, .oneWithoutAudit:
                    let schedulers = (0..<(mode == .three ? 3 : 1)).map { _ in
                        EscalationScheduler(pool: service, listen: listen, configuration: SchedulerConfiguration(batchSize: batchSize))
                    }
                    do {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for scheduler in schedulers {
                                group.addTask {
                                    try await scheduler.drain()
                                    try await scheduler.raiseAlarms()
                                }
                            }
                            try await group.waitForAll()
                        }
                    } catch {
                        try? await EscalationAudit.installed.apply(owner, claims: claims)
                        throw error
                    }
                }
                let seconds = (ContinuousClock.now - start).inSeconds
                let counts = try await data.counts()
                guard counts.escalations == 2 * burst, counts.pages == 3 * burst, counts.due == 0 else {
                    throw ValidationError("\(mode.title) left \(counts) (expected \(2 * burst) escalations, \(3 * burst) pages)")
                }
                try await EscalationAudit.installed.apply(owner, claims: claims)
                let audited: Int = try await owner.query("SELECT count(*) FROM audit_log WHERE id > \(auditedBefore)")[0].decode(at: 0)
                if mode != .floor, mode != .oneWithoutAudit {
                    // Every mode that audits writes the same entries: one per changed row.
                    if let written = auditRows, written != audited {
                        throw ValidationError("\(mode.title) wrote \(audited) audit entries, another mode \(written)")
                    }
                    if auditRows == nil {
                        auditedWrites = try await owner.query("""
                            SELECT entity || ' ' || action || ' ' || count(*) FROM audit_log WHERE id > \(auditedBefore)
                             GROUP BY entity, action ORDER BY count(*) DESC, entity, action
                            """).map { try $0.decode(String.self, at: 0) }.joined(separator: ", ")
                    }
                    auditRows = audited
                }
                best[mode] = min(best[mode] ?? .infinity, seconds)
                byRound[mode, default: []].append(seconds)
                FileHandle.standardError.write(Data(String(format: "round %d %@: %.2f s\n", round, mode.title, seconds).utf8))
            }
        }
        print("\(complaints) open complaints, \(burst) due at once: tier 1 (head, bot) and the acknowledgement's breach to rung 3"
              + " (executive) each; best of \(rounds) rounds" + (auditRows.map { "; \($0) audit entries per burst (\(auditedWrites))" } ?? ""))
        print("mode                                seconds   complaints/s    throughput vs floor")
        for mode in Mode.allCases {
            guard let seconds = best[mode] else { continue }
            print(mode.title.padding(toLength: 34, withPad: " ", startingAt: 0)
                  + String(format: " %8.2f %15.0f", seconds, Double(burst) / seconds)
                  + (best[.floor].map { String(format: " %12.2fx", $0 / seconds) } ?? "             -"))
        }
        guard let bare = best[.oneWithoutAudit], let bareRounds = byRound[.oneWithoutAudit] else { return }
        for (mode, form) in [(Mode.one, "as installed (the claims entering their own, statement triggers the rest)"),
                             (.oneAuditedByRow, "as on Citus (the claims entering their own, row triggers the rest)"),
                             (.oneAuditedByTriggers, "by statement triggers alone"), (.oneAuditedByRowTriggers, "by row triggers alone")] {
            guard let audited = best[mode], let auditedRounds = byRound[mode] else { continue }
            // Each round's own ratio too: its modes ran minutes apart, the best of each maybe an hour apart.
            let ratios = zip(auditedRounds, bareRounds).map { $0 / $1 }
            print(String(format: "audit cost: 1 scheduler takes %.2fx as long with the audit trail %@ as without it", audited / bare, form)
                  + "; by round " + ratios.map { String(format: "%.2fx", $0) }.joined(separator: ", ")
                  + String(format: ", median %.2fx", Self.median(ratios)))
        }
    }

    /// The middle value, or the mean of the two middle values.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private func measureLateness(data: EscalationBenchData, owner: PGPool, service: PGPool, listen: PGConnectionConfiguration) async throws {
        print("\n\(spreadCount) complaints due evenly over \(spreadSeconds) s, each a tier and a breach (due time → recorded escalation),"
              + " running scheduler services")
        print("schedulers   recorded   p50 ms   p99 ms   max ms   stale complaints   recomputed in s")
        for (instances, stale) in [(1, 0), (3, 0)] + (stale > 0 ? [(1, stale)] : []) {
            let step = Double(spreadSeconds) / Double(spreadCount)
            // Marked before the window's due times are set, so that marking delays none of them.
            let marked = try await data.markStale(stale)
            try await data.reset(count: spreadCount, dueInSeconds: "3 + b.position * \(step)")
            let schedulers = (0..<instances).map { _ in
                EscalationScheduler(pool: service, listen: listen, configuration: SchedulerConfiguration(batchSize: batchSize))
            }
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: schedulers, logger: Logger(label: "bench")))
            let recomputation = try await withThrowingTaskGroup(of: Void.self) { tasks in
                let start = ContinuousClock.now
                tasks.addTask { try await group.run() }
                let window = start + .seconds(spreadSeconds + 5)
                var recomputed: Duration?
                while ContinuousClock.now < window || (recomputed == nil && ContinuousClock.now < window + .seconds(600)) {
                    try await Task.sleep(for: .milliseconds(250))
                    if recomputed == nil, try await data.staleCount() == 0 { recomputed = ContinuousClock.now - start }
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return (marked, recomputed)
            }
            let row = try await owner.query("""
                SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM recorded_at - due_at)) * 1000,
                       percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM recorded_at - due_at)) * 1000,
                       (max(extract(epoch FROM recorded_at - due_at)) * 1000)::float8
                  FROM escalations e JOIN bench_burst b ON b.branch_id = e.branch_id AND b.id = e.complaint_id
                """)[0]
            let count: Int = try row.decode(at: 0)
            let recomputed = recomputation.0 == 0 ? "—" : recomputation.1.map { String(format: "%.1f", $0.inSeconds) } ?? "not within 10 min"
            print(String(format: "%10d %10d %8.1f %8.1f %8.1f %18d", instances, count, try row.decode(Double.self, at: 1),
                         try row.decode(Double.self, at: 2), try row.decode(Double.self, at: 3), recomputation.0)
                  + "   " + recomputed)
        }
    }

    /// Every due complaint's acknowledgement breach in one statement, after its tier 1, knowing the
    /// policy: record the escalation and the raised alarm, note it on the timeline, page the
    /// branch's executives (the bot holds the tier's page already).
    static let breachFloorStatement: PGQuery = """
        WITH due AS (
            SELECT c.branch_id, c.id, c.department_id, c.sla_alarm_due_at[1] AS due_at, c.case_number, c.status, c.priority,
                   c.level, c.nature, c.category_id, c.received_at, c.collaborating_department_ids, c.responsible_user_id
              FROM complaints c WHERE c.next_alarm_at <= now()
        ), advanced AS (
            UPDATE complaints c SET sla_alarms_raised = '{breach:acknowledge}', next_alarm_at = NULL
              FROM due WHERE c.branch_id = due.branch_id AND c.id = due.id
        ), recorded AS (
            INSERT INTO escalations (branch_id, complaint_id, tier, alarm_key, milestone, due_at, late_seconds, department_id, paged_tier,
                                     ack_due_at, case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT branch_id, id, 3, 'breach:acknowledge', 'acknowledge', due_at, greatest(0, extract(epoch FROM now() - due_at))::integer,
                   department_id, 3, now() + interval '15 minutes', department_id, collaborating_department_ids, responsible_user_id
              FROM due
            RETURNING branch_id, id, complaint_id, due_at, late_seconds, department_id, case_collaborating_department_ids,
                      case_responsible_user_id
        ), noted AS (
            INSERT INTO complaint_events (branch_id, complaint_id, kind, after,
                                          case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT branch_id, complaint_id, 'milestone_breached',
                   jsonb_build_object('milestone', 'acknowledge', 'tier', '3', 'dueAt', due_at, 'lateSeconds', late_seconds::text,
                                      'departmentId', department_id::text),
                   department_id, case_collaborating_department_ids, case_responsible_user_id
              FROM recorded
        )
        INSERT INTO pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary,
                           case_department_id, case_collaborating_department_ids, case_responsible_user_id)
        SELECT r.branch_id, r.id, r.complaint_id, 3, 3, 'executives', u.id, r.late_seconds > 60,
               jsonb_build_object('caseNumber', d.case_number, 'tier', 3, 'dueAt', r.due_at, 'lateSeconds', r.late_seconds,
                                  'status', d.status, 'priority', d.priority, 'level', d.level, 'nature', d.nature,
                                  'categoryId', d.category_id, 'departmentId', r.department_id, 'receivedAt', d.received_at,
                                  'reason', 'milestone_breached', 'milestone', 'acknowledge'),
               r.department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
          FROM recorded r
          JOIN due d ON d.branch_id = r.branch_id AND d.id = r.complaint_id
          JOIN users u ON u.branch_id = r.branch_id AND 'executive' = ANY (u.roles) AND u.active
        """

    /// Every due complaint's tier 1 in one statement, knowing the ladder: record the escalation,
    /// advance the complaint, note it on the timeline, page the department head and the branch's
    /// bots, and queue the webhook deliveries of those pages.
    static let floorStatement: PGQuery = """
        WITH due AS (
            SELECT c.branch_id, c.id, c.department_id, c.escalation_due_at[1] AS due_at, c.case_number, c.status, c.priority,
                   c.level, c.nature, c.category_id, c.received_at, c.collaborating_department_ids, c.responsible_user_id
              FROM complaints c WHERE c.next_escalation_at <= now()
        ), advanced AS (
            UPDATE complaints c SET escalated_tiers = '{1}', next_escalation_tier = 2, next_escalation_at = c.escalation_due_at[2]
              FROM due WHERE c.branch_id = due.branch_id AND c.id = due.id
        ), recorded AS (
            INSERT INTO escalations (branch_id, complaint_id, tier, due_at, late_seconds, department_id, paged_tier, ack_due_at,
                                     case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT branch_id, id, 1, due_at, greatest(0, extract(epoch FROM now() - due_at))::integer, department_id, 1,
                   now() + interval '15 minutes', department_id, collaborating_department_ids, responsible_user_id
              FROM due
            RETURNING branch_id, id, complaint_id, due_at, late_seconds, department_id, case_collaborating_department_ids,
                      case_responsible_user_id
        ), noted AS (
            INSERT INTO complaint_events (branch_id, complaint_id, kind, after,
                                          case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT branch_id, complaint_id, 'escalated',
                   jsonb_build_object('tier', '1', 'dueAt', due_at, 'lateSeconds', late_seconds::text, 'departmentId', department_id::text),
                   department_id, case_collaborating_department_ids, case_responsible_user_id
              FROM recorded
        ), paged AS (
            INSERT INTO pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late, summary,
                               case_department_id, case_collaborating_department_ids, case_responsible_user_id)
            SELECT r.branch_id, r.id, r.complaint_id, 1, 1, who.kind, who.user_id, r.late_seconds > 60,
                   jsonb_build_object('caseNumber', d.case_number, 'tier', 1, 'dueAt', r.due_at, 'lateSeconds', r.late_seconds,
                                      'status', d.status, 'priority', d.priority, 'level', d.level, 'nature', d.nature,
                                      'categoryId', d.category_id, 'departmentId', r.department_id, 'receivedAt', d.received_at),
                   r.department_id, r.case_collaborating_department_ids, r.case_responsible_user_id
              FROM recorded r
              JOIN due d ON d.branch_id = r.branch_id AND d.id = r.complaint_id
             CROSS JOIN LATERAL (
                  SELECT 'department_head' AS kind, dep.head_user_id AS user_id FROM departments dep
                   WHERE dep.branch_id = r.branch_id AND dep.id = r.department_id AND dep.head_user_id IS NOT NULL
                  UNION ALL
                  SELECT 'bots', u.id FROM users u WHERE u.branch_id = r.branch_id AND 'bot' = ANY (u.roles) AND u.active
              ) who
            RETURNING branch_id, id, recipient_user_id
        )
        INSERT INTO page_deliveries (branch_id, page_id, webhook_id)
        SELECT p.branch_id, p.id, w.id FROM paged p JOIN webhooks w ON w.branch_id = p.branch_id AND w.user_id = p.recipient_user_id AND w.active
        """
}
