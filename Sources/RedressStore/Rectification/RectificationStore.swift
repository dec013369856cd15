import Foundation
import Postgres
import RedressCore

/// Rectification tasks (`sql/0062_rectification_tasks.sql`): made from complaints or a report's
/// hot spot by a branch manager or the head of the responsible department, worked on by the
/// responsible side, accepted or sent back by a head or branch manager who is not responsible for
/// it, evaluated for effect after acceptance, and escalated once by the scheduler when overdue.
/// Who sees a task is decided by the database as for complaints.
public struct RectificationStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) {
        self.database = database
    }

    static let columns = """
        t.id, t.branch_id, t.title, t.problem, t.measures, t.acceptance_criteria, t.department_id, t.responsible_user_id, t.due_at,
        t.category_ids, t.department_ids, t.evaluation_days, t.status, t.progress_percent, t.status = 'open' AND t.due_at < now(),
        t.created_by, t.created_at, t.acceptance_report, t.submitted_by, t.submitted_at, t.sent_back_count, t.accepted_by,
        t.accepted_at, t.escalated_at,
        coalesce((SELECT array_agg(l.complaint_id ORDER BY l.complaint_id)
                    FROM rectification_complaints l JOIN complaints c ON c.branch_id = l.branch_id AND c.id = l.complaint_id
                   WHERE l.branch_id = t.branch_id AND l.task_id = t.id), '{}'),
        t.steps, t.created_at
        """

    static func task(_ row: PGRow) throws -> RectificationTask {
        RectificationTask(
            id: try row.decode(at: 0), branchID: try row.decode(at: 1), title: try row.decode(at: 2), problem: try row.decode(at: 3),
            measures: try row.decode(PGJSON<[RectificationMeasure]>.self, at: 4).value, acceptanceCriteria: try row.decode(at: 5),
            departmentID: try row.decode(at: 6), responsibleUserID: try row.decode(at: 7), dueAt: try row.decode(at: 8),
            categoryIDs: try row.decode(at: 9), evaluatedDepartmentIDs: try row.decode(at: 10), evaluationDays: try row.decode(at: 11),
            status: try row.decode(at: 12), progressPercent: try row.decode(at: 13), overdue: try row.decode(at: 14),
            createdBy: try row.decode(at: 15), createdAt: try row.decode(at: 16), acceptanceReport: try row.decode(at: 17),
            submittedBy: try row.decode(at: 18), submittedAt: try row.decode(at: 19), sentBackCount: try row.decode(at: 20),
            acceptedBy: try row.decode(at: 21), acceptedAt: try row.decode(at: 22), escalatedAt: try row.decode(at: 23),
            complaintIDs: try row.decode(at: 24), steps: try row.decode(at: 25))
    }

    static func fetch(id: UUID, branches: Set<UUID>, _ connection: PGConnection) async throws -> RectificationTask {
        guard let row = try await connection.query("""
            SELECT \(unescaped: columns) FROM rectification_tasks t
             WHERE t.branch_id = ANY (\(branches.sorted { $0.uuidString < $1.uuidString })) AND t.id = \(id)
            """).first else { throw StoreError.notFound }
        return try task(row)
    }

    /// Makes a task in the caller's own branch, as themselves: a branch manager, or the head of the
    /// responsible department (`.forbidden` otherwise). The responsible person is an active handler
    /// or head who is a member or the head of that department; the complaints are ones the caller
    /// sees; when no categories or departments are named for the evaluation, the complaints' own
    /// are taken, and there must be some.
    public func create(_ caller: Caller, _ draft: RectificationDraft) async throws -> RectificationTask {
        guard caller.roles.contains(.branchManager)
                || (caller.roles.contains(.departmentHead) && caller.scope.departmentIDs.contains(draft.departmentID)) else {
            throw StoreError.forbidden
        }
        let branch = caller.branchID
        return try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let facts = try await connection.query("""
                    SELECT EXISTS (SELECT FROM departments d WHERE d.branch_id = \(branch) AND d.id = \(draft.departmentID) AND d.active),
                           EXISTS (SELECT FROM users u JOIN departments d ON d.branch_id = u.branch_id AND d.id = \(draft.departmentID)
                                    WHERE u.branch_id = \(branch) AND u.id = \(draft.responsibleUserID) AND u.active
                                      AND u.roles && ARRAY['handler', 'department_head']
                                      AND (d.id = ANY (u.department_ids) OR d.head_user_id = u.id)),
                           (SELECT count(*) FROM complaints c WHERE c.branch_id = \(branch) AND c.id = ANY (\(draft.complaintIDs))),
                           (SELECT count(*) FROM categories k WHERE k.branch_id = \(branch) AND k.id = ANY (\(draft.categoryIDs))),
                           (SELECT count(*) FROM departments d WHERE d.branch_id = \(branch) AND d.id = ANY (\(draft.evaluatedDepartmentIDs)))
                    """)[0]
                var rules: [(String, String)] = []
                if try !facts.decode(Bool.self, at: 0) { rules.append(("/departmentId", "is no active department of this branch")) }
                if try !facts.decode(Bool.self, at: 1) {
                    rules.append(("/responsibleUserId", "is no active handler or head of the responsible department"))
                }
                if try facts.decode(Int.self, at: 2) != Set(draft.complaintIDs).count {
                    rules.append(("/complaintIds", "names a complaint that is not there or that you cannot see"))
                }
                if try facts.decode(Int.self, at: 3) != Set(draft.categoryIDs).count {
                    rules.append(("/categoryIds", "names a category that does not exist in this branch"))
                }
                if try facts.decode(Int.self, at: 4) != Set(draft.evaluatedDepartmentIDs).count {
                    rules.append(("/evaluatedDepartmentIds", "names a department that does not exist in this branch"))
                }
                if let (field, message) = rules.first { throw StoreError.invalidReference(field: field, message: message) }
                let named = !draft.categoryIDs.isEmpty || !draft.evaluatedDepartmentIDs.isEmpty
                let made = try await connection.query("""
                    INSERT INTO rectification_tasks (branch_id, title, problem, measures, acceptance_criteria, department_id,
                                                     responsible_user_id, due_at, category_ids, department_ids, evaluation_days, created_by)
                    SELECT \(branch), \(draft.title), \(draft.problem), \(PGJSON(draft.measures)), \(draft.acceptanceCriteria),
                           \(draft.departmentID), \(draft.responsibleUserID), \(draft.dueAt),
                           CASE WHEN \(named) THEN \(Array(Set(draft.categoryIDs)))::uuid[]
                                ELSE coalesce((SELECT array_agg(DISTINCT c.category_id) FROM complaints c
                                                WHERE c.branch_id = \(branch) AND c.id = ANY (\(draft.complaintIDs))
                                                  AND c.category_id IS NOT NULL), '{}') END,
                           CASE WHEN \(named) THEN \(Array(Set(draft.evaluatedDepartmentIDs)))::uuid[]
                                ELSE coalesce((SELECT array_agg(DISTINCT c.department_id) FROM complaints c
                                                WHERE c.branch_id = \(branch) AND c.id = ANY (\(draft.complaintIDs))
                                                  AND c.department_id IS NOT NULL), '{}') END,
                           \(draft.evaluationDays)::integer, \(caller.userID)
                    RETURNING id, cardinality(category_ids) + cardinality(department_ids) > 0
                    """)[0]
                let id: UUID = try made.decode(at: 0)
                guard try made.decode(Bool.self, at: 1) else {
                    throw StoreError.invalidValue(field: "/categoryIds", message: "must name what the effect evaluation counts: "
                                                  + "the complaints have no category or department")
                }
                try await connection.execute("""
                    INSERT INTO rectification_complaints (branch_id, task_id, complaint_id, task_department_id, task_responsible_user_id,
                                                          task_created_at)
                    SELECT \(branch), \(id), c, \(draft.departmentID), \(draft.responsibleUserID), now()
                      FROM unnest(\(Array(Set(draft.complaintIDs)))::uuid[]) AS c
                    """)
                try await Self.recordStep(id: id, branch: branch, caller: caller, connection)
                try await connection.execute("SELECT pg_notify('redress_deadlines', 'rectification:' || \(branch)::text)")
                return try await Self.fetch(id: id, branches: [branch], connection)
            }
        }
    }

    /// The tasks the caller sees, open ones first and due soonest first (at most 500).
    public func list(_ caller: Caller, _ filter: RectificationFilter) async throws -> [RectificationTask] {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.columns) FROM rectification_tasks t
                 WHERE t.branch_id = ANY (\(caller.scope.branchIDs.sorted { $0.uuidString < $1.uuidString }))
                   AND (\(filter.status)::text IS NULL OR t.status = \(filter.status))
                   AND (\(filter.overdue)::boolean IS NULL OR (t.status = 'open' AND t.due_at < now()) = \(filter.overdue))
                   AND (\(filter.departmentID)::uuid IS NULL OR t.department_id = \(filter.departmentID))
                   AND (\(filter.complaintID)::uuid IS NULL
                        OR EXISTS (SELECT FROM rectification_complaints l
                                    WHERE l.branch_id = t.branch_id AND l.task_id = t.id AND l.complaint_id = \(filter.complaintID)))
                 ORDER BY t.status = 'accepted', t.due_at, t.id
                 LIMIT 500
                """).map(Self.task)
        }
    }

    /// One task.
    public func get(_ caller: Caller, id: UUID) async throws -> RectificationTask {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            try await Self.fetch(id: id, branches: caller.scope.branchIDs, connection)
        }
    }

    /// A task's timeline, oldest first.
    public func events(_ caller: Caller, id: UUID) async throws -> [RectificationEvent] {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            let task = try await Self.fetch(id: id, branches: caller.scope.branchIDs, connection)
            return try await connection.query("""
                SELECT e.id, e.at, e.kind, e.actor_id, e.note, e.after FROM rectification_events e
                 WHERE e.branch_id = \(task.branchID) AND e.task_id = \(id) ORDER BY e.at, e.id
                """).map { row in
                RectificationEvent(id: try row.decode(at: 0), at: try row.decode(at: 1), kind: try row.decode(at: 2),
                                   actorID: try row.decode(at: 3), note: try row.decode(at: 4),
                                   after: try row.decode(PGJSON<[String: JSONDocument]>.self, at: 5).value)
            }
        }
    }

    /// Writes progress on the task's timeline as the caller, with the task's visibility copied.
    static func recordProgress(id: UUID, branch: UUID, caller: Caller, percent: Int, note: String, _ connection: PGConnection) async throws {
        try await connection.execute("""
            INSERT INTO rectification_events (branch_id, task_id, kind, actor_id, note, after, task_department_id, task_responsible_user_id)
            SELECT t.branch_id, t.id, 'progress', \(caller.userID), \(note), \(PGJSON(["progressPercent": percent])), t.department_id,
                   t.responsible_user_id
              FROM rectification_tasks t WHERE t.branch_id = \(branch) AND t.id = \(id)
            """)
    }

    /// Writes the entry of the step the caller just took, from the task's row as the step left
    /// it: its kind and count, the report or the reasons.
    static func recordStep(id: UUID, branch: UUID, caller: Caller, _ connection: PGConnection) async throws {
        try await connection.execute("""
            INSERT INTO rectification_events (branch_id, task_id, kind, actor_id, note, after, task_department_id, task_responsible_user_id,
                                              task_steps)
            SELECT t.branch_id, t.id, t.last_step, \(caller.userID),
                   CASE t.last_step WHEN 'submitted' THEN t.acceptance_report WHEN 'created' THEN NULL ELSE t.decision_reasoning END,
                   CASE WHEN t.last_step = 'created' THEN jsonb_build_object('dueAt', to_json(t.due_at) #>> '{}') ELSE '{}' END,
                   t.department_id, t.responsible_user_id, t.steps
              FROM rectification_tasks t WHERE t.branch_id = \(branch) AND t.id = \(id)
            """)
    }
}
