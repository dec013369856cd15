import Foundation
import Postgres
import RedressCore

/// The work queue: everything that needs the caller, sorted into buckets, read in one statement
/// under the caller's scope (row-level security decides every row, as for any listing).
public struct WorkQueueStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// The caller's buckets (all of them unless `buckets` names some), each with its full count
    /// and one page of items; `page.after` continues a single bucket.
    public func queue(_ caller: Caller, coverage: WorkQueueCoverage, buckets: [WorkQueueBucket],
                      page: PageRequest) async throws -> [WorkQueueBucketPage] {
        let wanted = buckets.isEmpty ? WorkQueueBucket.allCases : buckets
        let query = Self.query(coverage, buckets: wanted, page: page)
        // The statement of a shape is the same for every request, and planning it for each one's
        // values costs more (a few milliseconds, under the policies) than its generic plan loses.
        let rows = try await database.withScope(caller.scope, readOnly: true, genericPlans: true) { connection in
            try await connection.query(query)
        }
        var counts: [WorkQueueBucket: Int] = [:]
        var items: [WorkQueueBucket: [(item: WorkItem, key: String)]] = [:]
        for row in rows {
            guard let bucket = WorkQueueBucket(ordinal: try row.decode(Int16.self, at: 0)) else { continue }
            counts[bucket] = Int(try row.decode(Int64.self, at: 1))
            // A bucket with nothing after the cursor still comes back, with its count alone.
            guard try row.decode(UUID?.self, at: 3) != nil, try row.decode(UUID?.self, at: 8) != nil else { continue }
            items[bucket, default: []].append((try Self.item(row), String(try row.decode(Int64.self, at: 2))))
        }
        return wanted.map { bucket in
            // Items are keyed by what the bucket lists: the follow-up, or else the complaint.
            let listed = page.page(keyed: items[bucket] ?? [], id: { $0.followUpID ?? $0.complaint.id })
            return WorkQueueBucketPage(bucket: bucket, count: counts[bucket] ?? 0, items: listed.items, nextCursor: listed.nextCursor)
        }
    }

    /// Columns of the complaint each item shows, after the bucket, count, key and item id.
    static let complaintColumns = """
        c.id, c.branch_id, c.case_number, c.status, c.level, c.priority, c.nature, c.category_id, c.department_id,
        c.responsible_user_id, c.received_at, c.due_at, c.reopen_count, c.next_escalation_tier, c.next_escalation_at,
        ARRAY(SELECT t FROM unnest(c.escalated_tiers) t ORDER BY t)::int[],
        c.acknowledge_deadline, c.acknowledge_met_at, c.initial_reply_deadline, c.initial_reply_met_at,
        c.preliminary_feedback_deadline, c.preliminary_feedback_met_at, c.result_deadline, c.result_met_at
        """

    /// The statement: `mine` holds the open complaints the coverage names (a union of one index
    /// range per department, collaboration or responsibility, all in the home branch, so on Citus a
    /// single shard); only those whose ladder fired or a milestone's breach escalated are looked for
    /// among the escalations nobody acknowledged (a tier or a breach: the escalations with a rung);
    /// `tagged` puts each into the buckets it belongs to (by the bucket's ordinal) with the bucket's
    /// sort time; one sort per bucket then gives its count (taken before the cursor, so a bucket with
    /// no item left after it still answers its count) and its first `limit + 1` items after the
    /// cursor, which alone are joined back to their complaints. Only the conditions the coverage
    /// needs become part of the statement, so each shape gets its own plan.
    static func query(_ coverage: WorkQueueCoverage, buckets: [WorkQueueBucket], page: PageRequest) -> PGQuery {
        var q = SQLBuilder("")
        let branch = q.bind(coverage.branchID)
        let me = q.bind(coverage.userID)
        let departments = q.bind(coverage.departmentIDs.sorted { $0.uuidString < $1.uuidString })
        // Who the coverage reaches, each way on its own so that each can walk its own index. (The
        // collaborations cannot use the index on the arrays: `&&` is not leakproof, so under
        // row-level security it is checked after the policy; they walk the partial index of the
        // open complaints that have any, `sql/0054`.)
        var reaches = ["true"]
        if !coverage.wholeBranch {
            reaches = ["c.department_id = ANY (\(departments))",
                       "c.collaborating_department_ids && \(departments) AND c.collaborating_department_ids <> '{}'",
                       "c.responsible_user_id = \(me)"]
        }
        let filter = coverage.departmentFilter.map { q.bind($0) }
        // The coverage and the department filter over a row's columns of its case: a complaint's
        // own (`c.`), or the copies a follow-up keeps of them (`f.case_`).
        func reached(_ prefix: String) -> String {
            coverage.wholeBranch ? "" : " AND (\(prefix)department_id = ANY (\(departments))"
                + " OR \(prefix)collaborating_department_ids && \(departments) OR \(prefix)responsible_user_id = \(me))"
        }
        func narrowed(_ prefix: String) -> String {
            filter.map { " AND (\(prefix)department_id = \($0) OR \(prefix)collaborating_department_ids @> ARRAY[\($0)]::uuid[])" } ?? ""
        }
        let ownDepartments = coverage.wholeBranch ? "true" : "m.department_id = ANY (\(departments))"
        let approvesOf = q.bind(coverage.approvesPlansOf.sorted { $0.uuidString < $1.uuidString })
        let branchPlans = q.bind(coverage.approvesBranchPlans)
        let open = "c.status NOT IN ('closed', 'archived')"
        var arms: [String] = []
        for bucket in buckets {
            let name = "\(bucket.ordinal)::smallint"
            switch bucket {
            case .overdue:
                arms.append("SELECT \(name), m.due_at, m.id, m.id, NULL::uuid, NULL::smallint FROM mine m WHERE m.due_at < now()")
            case .dueWithin24h:
                arms.append("SELECT \(name), m.due_at, m.id, m.id, NULL::uuid, NULL::smallint FROM mine m"
                            + " WHERE m.due_at >= now() AND m.due_at < now() + interval '24 hours'")
            case .unassigned:
                arms.append("SELECT \(name), m.received_at, m.id, m.id, NULL::uuid, NULL::smallint FROM mine m"
                            + " WHERE m.responsible_user_id IS NULL AND \(ownDepartments)")
            case .reopened:
                arms.append("SELECT \(name), m.received_at, m.id, m.id, NULL::uuid, NULL::smallint FROM mine m WHERE m.reopen_count > 0")
            case .escalatedUnacknowledged:
                arms.append("""
                    SELECT DISTINCT ON (m.id) \(name), e.recorded_at, m.id, m.id, NULL::uuid, e.tier
                      FROM mine m JOIN escalations e ON e.branch_id = \(branch) AND e.complaint_id = m.id AND e.acknowledged_at IS NULL AND e.tier > 0
                     WHERE m.escalated
                     ORDER BY m.id, e.recorded_at, e.tier
                    """)
            case .awaitingMyApproval:
                arms.append("""
                    SELECT \(name), p.proposed_at, m.id, m.id, p.id, NULL::smallint
                      FROM mine m JOIN complaint_plans p ON p.branch_id = \(branch) AND p.complaint_id = m.id
                     WHERE p.proposed_by <> \(me)
                       AND ((m.status = 'plan_proposed' AND p.status = 'proposed'
                             AND (\(branchPlans) OR m.department_id = ANY (\(approvesOf))))
                         OR (m.status = 'plan_head_approved' AND p.status = 'head_approved' AND \(branchPlans)
                             AND p.head_approved_by IS DISTINCT FROM \(me)))
                    """)
            case .followUpsOverdue:
                // A follow-up may fall due after its complaint closed, so these are read beside `mine`,
                // by the copy of its case's department, collaborations and person each keeps.
                arms.append("""
                    SELECT \(name), f.due_at, f.id, f.complaint_id, f.id, NULL::smallint
                      FROM follow_ups f
                     WHERE f.branch_id = \(branch) AND f.status = 'due' AND f.due_at < now()\(reached("f.case_"))\(narrowed("f.case_"))
                    """)
            }
        }
        let after = q.after(page.after, time: "t.at", id: "t.item_id", descending: false) ?? "true"
        let limit = q.bind(page.limit + 1)
        // Each way of reaching a complaint leaves out those an earlier way reached, so the union
        // needs no pass to remove duplicates.
        let ways = reaches.indices.map { index in
            ([reaches[index]] + reaches[..<index].map { "(\($0)) IS NOT TRUE" }).joined(separator: " AND ")
        }
        q.append("""
            WITH mine AS MATERIALIZED (
                \(ways.map { """
                    SELECT c.id, c.status, c.department_id, c.responsible_user_id, c.received_at, c.due_at, c.reopen_count,
                           cardinality(c.escalated_tiers) > 0
                               OR EXISTS (SELECT FROM unnest(c.sla_alarms_raised) k WHERE k LIKE 'breach:%') AS escalated
                      FROM complaints c WHERE c.branch_id = \(branch) AND \($0)\(narrowed("c.")) AND \(open)
                    """ }.joined(separator: "\n    UNION ALL\n"))
            ), tagged (bucket, at, item_id, complaint_id, ref_id, ref_tier) AS (
                \(arms.map { "(\($0))" }.joined(separator: "\n    UNION ALL "))
            ), ranked AS (
                -- One sort serves the count, the first row of each bucket (which carries the count when
                -- no item is left after the cursor) and the place of each item after the cursor.
                SELECT t.*, \(after) AS listed, count(*) OVER (PARTITION BY t.bucket) AS total, row_number() OVER w AS r,
                       count(*) FILTER (WHERE \(after)) OVER w AS n
                  FROM tagged t
                WINDOW w AS (PARTITION BY t.bucket ORDER BY t.at, t.item_id)
            ), kept AS (
                SELECT k.*, k.listed AND k.n <= \(limit) AS item FROM ranked k WHERE k.r = 1 OR (k.listed AND k.n <= \(limit))
            )
            SELECT t.bucket, t.total, (extract(epoch FROM t.at) * 1000000)::bigint, CASE WHEN t.item THEN t.item_id END, t.at,
                   t.ref_id, t.ref_tier, f.kind, \(complaintColumns)
              FROM kept t
              LEFT JOIN complaints c ON t.item AND c.branch_id = \(branch) AND c.id = t.complaint_id
              LEFT JOIN follow_ups f ON t.item AND t.bucket = \(WorkQueueBucket.followUpsOverdue.ordinal) AND f.branch_id = \(branch)
                                    AND f.id = t.ref_id
             ORDER BY t.bucket, t.at, t.item_id
            """)
        return q.query
    }

    static func item(_ row: PGRow) throws -> WorkItem {
        let base = 8
        let level: Int16? = try row.decode(at: base + 4)
        let summary = WorkItem.Summary(
            id: try row.decode(at: base), branchID: try row.decode(at: base + 1), caseNumber: try row.decode(at: base + 2),
            status: ComplaintStatus(rawValue: try row.decode(String.self, at: base + 3)) ?? .received,
            level: level.map(Int.init), priority: try row.decode(at: base + 5), nature: try row.decode(at: base + 6),
            categoryID: try row.decode(at: base + 7), departmentID: try row.decode(at: base + 8),
            responsibleUserID: try row.decode(at: base + 9), receivedAt: try row.decode(at: base + 10),
            dueAt: try row.decode(at: base + 11), reopenCount: Int(try row.decode(Int32.self, at: base + 12)))
        var breached: [WorkItem.BreachedMilestone] = []
        let now = Date()
        for (offset, milestone) in [SLAMilestone.acknowledge, .initialReply, .preliminaryFeedback, .result].enumerated() {
            let deadline: Date? = try row.decode(at: base + 16 + 2 * offset)
            let met: Date? = try row.decode(at: base + 17 + 2 * offset)
            if let deadline, deadline < (met ?? now) {
                breached.append(WorkItem.BreachedMilestone(milestone: milestone, deadline: deadline, metAt: met))
            }
        }
        let sla = WorkItem.SLAState(
            firedTiers: try row.decode([Int32].self, at: base + 15).map(Int.init),
            nextTier: try row.decode(Int16?.self, at: base + 13).map(Int.init), nextTierAt: try row.decode(at: base + 14),
            breachedMilestones: breached)
        let bucket = WorkQueueBucket(ordinal: try row.decode(Int16.self, at: 0))
        let reference: UUID? = try row.decode(at: 5)
        return WorkItem(
            complaint: summary, sla: sla, since: try row.decode(at: 4),
            planID: bucket == .awaitingMyApproval ? reference : nil,
            escalationTier: try row.decode(Int16?.self, at: 6).map(Int.init),
            followUpID: bucket == .followUpsOverdue ? reference : nil, followUpKind: try row.decode(at: 7))
    }
}
