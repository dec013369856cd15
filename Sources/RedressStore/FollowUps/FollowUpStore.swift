import Foundation
import Postgres
import RedressCore

/// A satisfaction follow-up or long-term callback of a complaint (`sql/0013_follow_ups.sql`).
public struct FollowUp: Sendable, Codable, Equatable {
    public var id: UUID
    public var branchId: UUID
    public var complaintId: UUID
    public var caseNumber: String
    /// The complaint's status now.
    public var complaintStatus: ComplaintStatus
    public var departmentId: UUID?
    /// `satisfaction` (after the result is fed back) or `callback` (long-term, after closing).
    public var kind: String
    public var dueAt: Date
    /// `due`, `done` or `cancelled`.
    public var status: String
    /// Due and past its due time.
    public var overdue: Bool
    /// When the overdue follow-up was escalated.
    public var escalatedAt: Date?
    /// The survey that answered it.
    public var surveyId: UUID?
    public var completedBy: UUID?
    public var completedAt: Date?
    public var createdAt: Date
}

/// Which follow-ups to list.
public struct FollowUpFilter: Sendable, Equatable {
    /// `due` by default; `done` or `cancelled` for history.
    public var status: String = "due"
    /// Only those past their due time.
    public var overdueOnly = false
    public var complaintID: UUID?

    /// Creates a filter of due follow-ups.
    public init(status: String = "due", overdueOnly: Bool = false, complaintID: UUID? = nil) {
        self.status = status
        self.overdueOnly = overdueOnly
        self.complaintID = complaintID
    }
}

/// The follow-up work queue: agents list their branch's follow-ups, earliest due first, and
/// record each outcome, which closes the complaint (score 6 or more) or reopens it for secondary
/// handling (less than 6).
public struct FollowUpStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    static let columns = """
        f.id, f.branch_id, f.complaint_id, c.case_number, c.status, c.department_id, f.kind, f.due_at, f.status,
        f.status = 'due' AND f.due_at < now(), f.escalated_at, f.survey_id, f.completed_by, f.completed_at, f.created_at,
        (extract(epoch FROM f.due_at) * 1000000)::bigint
        """

    static func followUp(_ row: PGRow) throws -> FollowUp {
        FollowUp(id: try row.decode(at: 0), branchId: try row.decode(at: 1), complaintId: try row.decode(at: 2),
                 caseNumber: try row.decode(at: 3), complaintStatus: ComplaintStatus(rawValue: try row.decode(at: 4)) ?? .received,
                 departmentId: try row.decode(at: 5), kind: try row.decode(at: 6), dueAt: try row.decode(at: 7),
                 status: try row.decode(at: 8), overdue: try row.decode(at: 9), escalatedAt: try row.decode(at: 10),
                 surveyId: try row.decode(at: 11), completedBy: try row.decode(at: 12), completedAt: try row.decode(at: 13),
                 createdAt: try row.decode(at: 14))
    }

    /// The follow-ups `caller` may see, earliest due first.
    public func list(_ caller: Caller, _ filter: FollowUpFilter, page: PageRequest) async throws -> Page<FollowUp> {
        let afterKey = page.after.flatMap { Int64($0.key) }
        return try await database.withScope(caller.scope, readOnly: true) { connection in
            var keys: [UUID: Int64] = [:]
            let items = try await connection.query("""
                SELECT \(unescaped: Self.columns)
                  FROM follow_ups f JOIN complaints c ON c.branch_id = f.branch_id AND c.id = f.complaint_id
                 WHERE f.branch_id = ANY (\(caller.scope.branchIDs.sorted { $0.uuidString < $1.uuidString }))
                   AND f.status = \(filter.status)
                   AND (NOT \(filter.overdueOnly) OR f.due_at < now())
                   AND (\(filter.complaintID)::uuid IS NULL OR f.complaint_id = \(filter.complaintID))
                   AND (\(afterKey)::bigint IS NULL
                        OR (f.due_at, f.id) > (timestamptz 'epoch' + \(afterKey) * interval '1 microsecond', \(page.after?.id)))
                 ORDER BY f.due_at, f.id
                 LIMIT \(Int32(page.limit + 1))
                """).map { row in
                let item = try Self.followUp(row)
                keys[item.id] = try row.decode(Int64.self, at: 15)
                return item
            }
            return page.page(from: items, key: { String(keys[$0.id]!) }, id: \.id)
        }
    }

    /// One follow-up.
    public func get(_ caller: Caller, id: UUID) async throws -> FollowUp {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            try await Self.fetch(id: id, connection)
        }
    }

    static func fetch(id: UUID, _ connection: PGConnection) async throws -> FollowUp {
        let rows = try await connection.query("""
            SELECT \(unescaped: columns)
              FROM follow_ups f JOIN complaints c ON c.branch_id = f.branch_id AND c.id = f.complaint_id
             WHERE f.id = \(id)
            """)
        guard let row = rows.first else { throw StoreError.notFound }
        return try followUp(row)
    }

    /// Records the customer's answer to a due follow-up. While the result awaits confirmation
    /// (fed back, or follow-up under way) this is the `record_satisfaction` step: 6 or more
    /// closes the complaint, less reopens it. At a long-term callback after closing, the survey
    /// is recorded, and a score under 6 reopens the complaint for secondary handling.
    public func recordOutcome(_ caller: Caller, id: UUID, score: Int, survey: Survey, note: String?,
                              complaints: ComplaintStore) async throws -> (followUp: FollowUp, complaint: Complaint) {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let (followUp, complaint) = try await Self.record(caller, id: id, score: score, survey: survey, note: note,
                                                                  complaints: complaints, connection)
                return (followUp, complaints.revealed(complaint, to: caller.scope))
            }
        }
    }

    /// The complainant's own answer to their satisfaction survey, with the case number and access
    /// code (score 1–10 and the three dimensions, method `online_questionnaire`), with the effect of
    /// a recorded follow-up: it answers the satisfaction follow-up, or a long-term callback once it
    /// is due, else the result awaiting confirmation
    /// (6 or more closes the complaint, less reopens it). Answers the complaint's status after it;
    /// `.conflict` when no survey is open (the result not fed back yet, or answered already).
    public func answerSurvey(caseNumber: String, code: AccessCode, score: Int, survey: Survey, client: String,
                             requestID: String?, complaints: ComplaintStore) async throws -> ComplainantOutcome<ComplaintStatus> {
        try await complaints.asComplainant(caseNumber: caseNumber, code: code, client: client, requestID: requestID,
                                           via: "public_survey") { caller, connection in
            guard case .accessCode(let complaintID) = caller.credential else { throw StoreError.forbidden }
            let due = try await connection.query("""
                SELECT f.id FROM follow_ups f
                 WHERE f.branch_id = \(caller.branchID) AND f.complaint_id = \(complaintID) AND f.status = 'due'
                   AND (f.kind = 'satisfaction' OR f.due_at <= now())
                 ORDER BY f.kind = 'satisfaction' DESC, f.due_at, f.id LIMIT 1
                """).first?.decode(UUID.self, at: 0)
            if let due {
                return try await Self.record(caller, id: due, score: score, survey: survey, note: nil, complaints: complaints,
                                             connection).complaint.status
            }
            var step = ComplaintStep(.recordSatisfaction)
            step.satisfaction = score
            step.survey = survey
            do {
                return try await complaints.perform(caller, id: complaintID, step, connection).status
            } catch StoreError.lifecycle {
                throw StoreError.conflict(field: "caseNumber", message: "has no survey open: it opens once the result is fed back, "
                                          + "and closes when it is answered")
            }
        }
    }

    /// Records a follow-up's answer in the caller's open transaction (see ``recordOutcome``).
    static func record(_ caller: Caller, id: UUID, score: Int, survey: Survey, note: String?, complaints: ComplaintStore,
                       _ connection: PGConnection) async throws -> (followUp: FollowUp, complaint: Complaint) {
        // The branch first, unlocked, so that the lock names one branch (a router query on Citus).
        guard let branch = try await connection.query("SELECT branch_id FROM follow_ups WHERE id = \(id)").first?
            .decode(UUID.self, at: 0) else { throw StoreError.notFound }
        let locked = try await connection.query("""
            SELECT f.complaint_id, f.status, c.status FROM follow_ups f
              JOIN complaints c ON c.branch_id = f.branch_id AND c.id = f.complaint_id
             WHERE f.branch_id = \(branch) AND f.id = \(id) AND c.branch_id = \(branch) FOR UPDATE OF f, c
            """)
        guard let row = locked.first else { throw StoreError.notFound }
        let complaintID: UUID = try row.decode(at: 0)
        guard try row.decode(String.self, at: 1) == "due" else {
            throw StoreError.invalidValue(field: "id", message: "this follow-up is no longer due (it was answered or cancelled)")
        }
        // Read by the trigger that completes the follow-up, on whichever node holds its shard.
        try await connection.executeScript("SET LOCAL redress.follow_up_id = \(try PGLiteral.string(id.uuidString.lowercased()))")
        let status = ComplaintStatus(rawValue: try row.decode(String.self, at: 2)) ?? .received
        var step = ComplaintStep(status == .closed ? .reopen : .recordSatisfaction, note: note)
        step.satisfaction = score
        step.survey = survey
        let complaint: Complaint
        if status == .closed {
            complaint = try await complaints.recordCallback(caller, complaintID: complaintID, score: score, survey: survey,
                                                            step: score < 6 ? step : nil, connection)
        } else {
            complaint = try await complaints.perform(caller, id: complaintID, step, connection)
        }
        return (try await fetch(id: id, connection), complaint)
    }
}
