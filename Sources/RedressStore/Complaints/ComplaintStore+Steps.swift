import Foundation
import Postgres
import RedressCore

extension ComplaintStore {
    /// Takes a lifecycle step: locks the complaint, asks ``ComplaintLifecycle`` whether the step
    /// applies, records its values, writes a timeline entry with what changed, and a hand-over
    /// when the responsible department or person changes. `.notFound` when the caller cannot
    /// see the complaint; `.forbidden` when they see it but may not change it.
    public func perform(_ caller: Caller, id: UUID, _ step: ComplaintStep) async throws -> Complaint {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                revealed(try await perform(caller, id: id, step, connection), to: caller.scope)
            }
        }
    }

    /// Takes a lifecycle step inside the caller's open transaction (see the public `perform`).
    func perform(_ caller: Caller, id: UUID, _ step: ComplaintStep, _ connection: PGConnection) async throws -> Complaint {
        let movesCase: Set<ComplaintAction> = [.grade, .assign, .reassign]
        let before = try await lockForChange(id, changingVisibility: movesCase.contains(step.action), connection)
        let next: ComplaintLifecycle.State
        switch Result(catching: { () throws(ComplaintLifecycle.Refusal) in
            try ComplaintLifecycle.apply(.init(step.action, actorRoles: caller.roles, satisfaction: step.satisfaction),
                                         to: before.lifecycle)
        }) {
        case .success(let state): next = state
        case .failure(let refusal): throw StoreError.lifecycle(refusal)
        }
        var after = before
        after.status = next.status
        after.pausedFrom = next.pausedFrom
        after.reopenCount = next.reopenCount
        try await applyValues(of: step, to: &after, branchID: before.branchId, connection)
        try await recordCaseWork(of: step, caller: caller, before: before, next: next, connection)
        let chosenByPerson = (step.action == .assign || step.action == .reassign) && step.departmentID != nil
        let saved = try await save(after, closing: next.status == .closed && before.status != .closed,
                                   departmentChosenByPerson: chosenByPerson, connection)
        if Self.schedulesFollowUps(from: before.status, to: saved.status) {
            try await DeadlineWakeUp.complaint(branchID: saved.branchId, complaintID: saved.id, connection)
        }
        if CaseVisibility.changed(from: before, to: saved) {
            try await CaseVisibility.follow(branchID: saved.branchId, complaintID: saved.id, connection)
        }
        try await recordPause(step.action, complaint: saved, connection)
        let reopening = step.action == .reopen || (step.action == .recordSatisfaction && next.status == .investigating)
        var notices: [(notice: StaffNotice, occurrence: String)] = []
        if let department = saved.departmentId, department != before.departmentId {
            notices.append((.departmentRouted, UUID().uuidString.lowercased()))
        }
        if reopening {
            notices.append((.reopened, String(saved.reopenCount)))
        }
        // The head is not told of what they did themselves.
        if !notices.isEmpty, try await Self.isHead(caller, of: saved, connection) {
            notices = []
        }
        let updated = try await Self.refreshSchedule(branchID: saved.branchId, complaintID: saved.id,
                                                meeting: SLAMilestone.met(by: step.action), reopening: reopening,
                                                notifying: notices, connection)
        try await record(step, caller: caller, before: before, after: updated, connection)
        try await tellComplainant(of: step.action, complaint: updated, caller: caller, connection)
        return updated
    }

    /// The message a step sends its complainant: the initial reply once the complaint is graded,
    /// the result (with the compensation of its latest plan that has one) and the satisfaction
    /// survey's invitation once it is fed back, and why it was not taken up when it is found invalid
    /// (a result too: it may be reviewed, but it is not surveyed).
    private func tellComplainant(of action: ComplaintAction, complaint: Complaint, caller: Caller, _ connection: PGConnection) async throws {
        switch action {
        case .grade:
            try await ComplainantMessages.send(.graded, complaintID: complaint.id, branchID: complaint.branchId, caller: caller,
                                               vault: vault, connection)
        case .feedBackResult, .resolveOnTheSpot:
            let compensation = try await connection.query("""
                SELECT p.compensation_amount::text || ' ' || p.currency FROM complaint_plans p
                 WHERE p.branch_id = \(complaint.branchId) AND p.complaint_id = \(complaint.id) AND p.compensation_amount > 0
                 ORDER BY p.proposed_at DESC, p.id DESC LIMIT 1
                """).first?.decode(String?.self, at: 0)
            var values = ["resolution": complaint.resolution ?? ""]
            values["compensation"] = compensation
            try await ComplainantMessages.send(.result, complaintID: complaint.id, branchID: complaint.branchId, caller: caller,
                                               values: values, vault: vault, connection)
            // The satisfaction survey opens with the result; its answer closes or reopens the complaint.
            try await ComplainantMessages.send(.survey, complaintID: complaint.id, branchID: complaint.branchId, caller: caller,
                                               vault: vault, connection)
        case .markInvalid:
            try await ComplainantMessages.send(.result, complaintID: complaint.id, branchID: complaint.branchId, caller: caller,
                                               values: ["resolution": complaint.resolution ?? ""], vault: vault, connection)
        default:
            return
        }
    }

    /// Whether the caller heads the complaint's department.
    static func isHead(_ caller: Caller, of complaint: Complaint, _ connection: PGConnection) async throws -> Bool {
        guard let department = complaint.departmentId else { return false }
        return try await connection.query("""
            SELECT EXISTS (SELECT FROM departments WHERE branch_id = \(complaint.branchId) AND id = \(department)
                                                     AND head_user_id = \(caller.userID))
            """)[0].decode(at: 0)
    }

    /// Opens a pause when the complaint starts waiting for the customer, closes it on resume.
    private func recordPause(_ action: ComplaintAction, complaint: Complaint, _ connection: PGConnection) async throws {
        switch action {
        case .awaitCustomer:
            try await connection.execute("""
                INSERT INTO complaint_pauses (branch_id, complaint_id, \(unescaped: CaseVisibility.columns))
                VALUES (\(complaint.branchId), \(complaint.id), \(complaint.departmentId), \(complaint.collaboratingDepartmentIds),
                        \(complaint.responsibleUserId))
                """)
        case .resume:
            try await connection.execute("""
                UPDATE complaint_pauses SET ended_at = now()
                 WHERE branch_id = \(complaint.branchId) AND complaint_id = \(complaint.id) AND ended_at IS NULL
                """)
        default:
            break
        }
    }

    private func applyValues(of step: ComplaintStep, to complaint: inout Complaint, branchID: UUID, _ connection: PGConnection) async throws {
        switch step.action {
        case .grade:
            complaint.categoryId = step.categoryID ?? complaint.categoryId
            complaint.level = step.level ?? complaint.level
            complaint.nature = step.nature ?? complaint.nature
            complaint.priority = step.priority ?? complaint.priority
            complaint.promisedBy = step.promisedBy ?? complaint.promisedBy
            if complaint.departmentId == nil {
                complaint.departmentId = try await route(branchID: branchID, categoryID: complaint.categoryId,
                                                         channel: complaint.channel, level: complaint.level,
                                                         product: complaint.product, connection)
            }
        case .assign, .reassign:
            if let department = step.departmentID, department != complaint.departmentId {
                let active = try await connection.query("""
                    SELECT active FROM departments WHERE branch_id = \(branchID) AND id = \(department)
                    """).first?.decode(Bool.self, at: 0)
                if active == false { throw StoreError.invalidValue(field: "/departmentId", message: "is inactive: it takes no complaints") }
            }
            complaint.departmentId = step.departmentID ?? complaint.departmentId
            complaint.responsibleUserId = step.responsibleUserID ?? complaint.responsibleUserId
            complaint.collaboratingDepartmentIds = step.collaboratingDepartmentIDs ?? complaint.collaboratingDepartmentIds
        case .markInvalid:
            complaint.nature = "invalid"
            complaint.resolution = step.resolution
        case .resolveOnTheSpot, .feedBackResult, .close:
            complaint.resolution = step.resolution ?? complaint.resolution
        case .recordSatisfaction:
            complaint.satisfaction = step.satisfaction
        case .archive:
            // A review under way is answered before the complaint is put away.
            let reviewed = try await connection.query("""
                SELECT EXISTS (SELECT FROM complaint_reviews
                                WHERE branch_id = \(branchID) AND complaint_id = \(complaint.id) AND status = 'requested')
                """)[0].decode(Bool.self, at: 0)
            if reviewed { throw StoreError.conflict(field: "action", message: "cannot archive the complaint while a review of it is under way") }
        default:
            break
        }
    }

    /// Whether moving from `old` to `new` schedules follow-ups (`public.schedule_follow_ups`): a
    /// result fed back asks for the satisfaction survey, a closure for the callbacks.
    static func schedulesFollowUps(from old: ComplaintStatus, to new: ComplaintStatus) -> Bool {
        (new == .resultFedBack && old != .resultFedBack && old != .followUp) || (new == .closed && old != .closed)
    }

    /// Writes the complaint's changeable fields. A new department is marked as the routing
    /// rules' choice, one an assignment names (`departmentChosenByPerson`, even the same again) as
    /// a person's, so that the scheduler routes again only what the rules chose
    /// (`scheduler.reroute_due`, `sql/0053`).
    func save(_ complaint: Complaint, closing: Bool, departmentChosenByPerson: Bool = false,
              _ connection: PGConnection) async throws -> Complaint {
        let rows = try await connection.query("""
            UPDATE complaints
               SET status = \(complaint.status.rawValue), paused_from = \(complaint.pausedFrom?.rawValue),
                   reopen_count = \(complaint.reopenCount), category_id = \(complaint.categoryId),
                   level = \(complaint.level.map(Int16.init))::smallint, nature = \(complaint.nature),
                   priority = \(complaint.priority), department_id = \(complaint.departmentId),
                   department_by_rule = CASE WHEN \(departmentChosenByPerson) THEN false
                                             WHEN department_id IS NOT DISTINCT FROM \(complaint.departmentId) THEN department_by_rule
                                             ELSE \(complaint.departmentId != nil) END,
                   responsible_user_id = \(complaint.responsibleUserId),
                   collaborating_department_ids = \(complaint.collaboratingDepartmentIds),
                   satisfaction = \(complaint.satisfaction.map(Int16.init))::smallint, resolution = \(complaint.resolution),
                   promised_by = \(complaint.promisedBy),
                   closed_at = CASE WHEN \(closing) THEN now() WHEN \(complaint.status.isOpen) THEN NULL ELSE closed_at END,
                   updated_at = now()
             WHERE branch_id = \(complaint.branchId) AND id = \(complaint.id)
            RETURNING \(unescaped: ComplaintColumns.list)
            """)
        guard let row = rows.first else { throw StoreError.forbidden }
        return try ComplaintColumns.complaint(row)
    }

    private func record(_ step: ComplaintStep, caller: Caller, before: Complaint, after: Complaint, _ connection: PGConnection) async throws {
        let (old, new) = Self.changes(from: before, to: after)
        try await connection.execute("""
            INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind, before, after, note,
                                          \(unescaped: CaseVisibility.columns))
            VALUES (\(after.branchId), \(after.id), \(caller.userID), \(caller.actorRoles),
                    \(step.action.rawValue), \(PGJSON(old)), \(PGJSON(new)), \(step.note),
                    \(after.departmentId), \(after.collaboratingDepartmentIds), \(after.responsibleUserId))
            """)
        if before.departmentId != after.departmentId || before.responsibleUserId != after.responsibleUserId {
            try await connection.execute("""
                INSERT INTO complaint_handovers (branch_id, complaint_id, from_department_id, to_department_id,
                                                 from_user_id, to_user_id, by_user_id, reason, \(unescaped: CaseVisibility.columns))
                VALUES (\(after.branchId), \(after.id), \(before.departmentId), \(after.departmentId),
                        \(before.responsibleUserId), \(after.responsibleUserId), \(caller.userID),
                        \(step.note ?? (step.action == .grade ? "routing rule at grading" : nil)),
                        \(after.departmentId), \(after.collaboratingDepartmentIds), \(after.responsibleUserId))
                """)
        }
    }

    /// The fields that differ, as text, before and after.
    static func changes(from before: Complaint, to after: Complaint) -> ([String: String?], [String: String?]) {
        func fields(_ c: Complaint) -> [String: String?] {
            [
                "status": c.status.rawValue, "pausedFrom": c.pausedFrom?.rawValue, "reopenCount": String(c.reopenCount),
                "categoryId": c.categoryId?.uuidString.lowercased(), "level": c.level.map(String.init), "nature": c.nature,
                "priority": c.priority, "departmentId": c.departmentId?.uuidString.lowercased(),
                "responsibleUserId": c.responsibleUserId?.uuidString.lowercased(),
                "collaboratingDepartmentIds": c.collaboratingDepartmentIds.map { $0.uuidString.lowercased() }.joined(separator: ","),
                "satisfaction": c.satisfaction.map(String.init), "resolution": c.resolution,
                "promisedBy": c.promisedBy.map { ISO8601DateFormatter().string(from: $0) },
            ]
        }
        let old = fields(before), new = fields(after)
        let changed = old.keys.filter { old[$0]! != new[$0]! }
        return (old.filter { changed.contains($0.key) }, new.filter { changed.contains($0.key) })
    }
}
