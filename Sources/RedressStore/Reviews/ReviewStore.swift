import Foundation
import Postgres
import RedressCore

/// A review (復議) of a complaint's result, asked by its complainant and decided by someone who
/// did not handle it (`sql/0057_complainants_answer_surveys_and_ask_for_reviews.sql`).
public struct ComplaintReview: Sendable, Codable, Equatable {
    public var id: UUID
    public var branchId: UUID
    public var complaintId: UUID
    public var caseNumber: String
    /// Why the complainant asks.
    public var grounds: String
    public var requestedAt: Date
    public var dueAt: Date
    /// The complaint office that reviews it; nil when the branch has none (its managers review).
    public var reviewerDepartmentId: UUID?
    /// `requested`, `upheld` or `revised`.
    public var status: String
    /// Requested and past its due time.
    public var overdue: Bool
    public var decidedBy: UUID?
    public var decidedAt: Date?
    /// The reviewer's reasons, told to the complainant.
    public var reasoning: String?
    /// When the scheduler escalated it as overdue.
    public var escalatedAt: Date?
}

/// Which reviews to list.
public struct ReviewFilter: Sendable, Equatable {
    /// Only those with this status (`requested`, `upheld`, `revised`); any when nil.
    public var status: String?
    public var complaintID: UUID?

    /// Creates a filter.
    public init(status: String? = nil, complaintID: UUID? = nil) {
        self.status = status
        self.complaintID = complaintID
    }
}

/// Reviews: the complainant asks with their access code within the policy's window after the
/// result; the complaint office (which joins the complaint) or a branch manager decides;
/// `revised` reopens the complaint. Each step is on the timeline and told to the complainant.
public struct ReviewStore: Sendable {
    let database: ScopedDatabase
    let complaints: ComplaintStore

    /// Creates the store.
    public init(database: ScopedDatabase) {
        self.database = database
        self.complaints = ComplaintStore(database: database)
    }

    static let columns = """
        r.id, r.branch_id, r.complaint_id, c.case_number, r.grounds, r.requested_at, r.due_at, r.reviewer_department_id, r.status,
        r.status = 'requested' AND r.due_at < now(), r.decided_by, r.decided_at, r.reasoning, r.escalated_at
        """

    static func review(_ row: PGRow) throws -> ComplaintReview {
        ComplaintReview(id: try row.decode(at: 0), branchId: try row.decode(at: 1), complaintId: try row.decode(at: 2),
                        caseNumber: try row.decode(at: 3), grounds: try row.decode(at: 4), requestedAt: try row.decode(at: 5),
                        dueAt: try row.decode(at: 6), reviewerDepartmentId: try row.decode(at: 7), status: try row.decode(at: 8),
                        overdue: try row.decode(at: 9), decidedBy: try row.decode(at: 10), decidedAt: try row.decode(at: 11),
                        reasoning: try row.decode(at: 12), escalatedAt: try row.decode(at: 13))
    }

    static func fetch(id: UUID, _ connection: PGConnection) async throws -> ComplaintReview {
        guard let row = try await connection.query("""
            SELECT \(unescaped: columns) FROM complaint_reviews r JOIN complaints c ON c.branch_id = r.branch_id AND c.id = r.complaint_id
             WHERE r.id = \(id)
            """).first else { throw StoreError.notFound }
        return try review(row)
    }

    /// The reviews `caller` may see, those due soonest first (at most 500).
    public func list(_ caller: Caller, _ filter: ReviewFilter) async throws -> [ComplaintReview] {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.columns)
                  FROM complaint_reviews r JOIN complaints c ON c.branch_id = r.branch_id AND c.id = r.complaint_id
                 WHERE r.branch_id = ANY (\(caller.scope.branchIDs.sorted { $0.uuidString < $1.uuidString }))
                   AND (\(filter.status)::text IS NULL OR r.status = \(filter.status))
                   AND (\(filter.complaintID)::uuid IS NULL OR r.complaint_id = \(filter.complaintID))
                 ORDER BY r.status <> 'requested', r.due_at, r.id
                 LIMIT 500
                """).map(Self.review)
        }
    }

    /// One review.
    public func get(_ caller: Caller, id: UUID) async throws -> ComplaintReview {
        try await database.withScope(caller.scope, readOnly: true) { connection in try await Self.fetch(id: id, connection) }
    }

    /// The complainant asks for a review of their complaint's result, with its case number and
    /// access code: within the window of the complaint's policy after the result was fed back
    /// (or the complaint was resolved at once or found invalid), with none open. The complaint
    /// office joins the complaint to review it; the grounds are in the communications log as the
    /// complainant's statement; the complainant is told when the answer is due. `.conflict`
    /// (naming `caseNumber`) when no review may be asked now.
    public func request(caseNumber: String, code: AccessCode, grounds: String, client: String,
                        requestID: String?) async throws -> ComplainantOutcome<ComplaintReview> {
        try await complaints.asComplainant(caseNumber: caseNumber, code: code, client: client, requestID: requestID,
                                           via: "public_review") { caller, connection in
            guard case .accessCode(let complaintID) = caller.credential else { throw StoreError.forbidden }
            let complaint = try await complaints.lockForChange(complaintID, changingVisibility: true, connection)
            let branch = complaint.branchId
            guard [.resultFedBack, .followUp, .closed].contains(complaint.status) else {
                throw StoreError.conflict(field: "caseNumber", message: complaint.status == .archived
                    ? "is archived: its review period is over"
                    : "has no result to review yet: a review may be asked once the result is fed back")
            }
            let facts = try await connection.query("""
                SELECT (SELECT max(e.at) FROM complaint_events e
                         WHERE e.branch_id = c.branch_id AND e.complaint_id = c.id
                           AND e.kind IN ('feed_back_result', 'resolve_on_the_spot', 'mark_invalid')),
                       coalesce((p.document ->> 'reviewWindowDays')::integer, 15), coalesce((p.document ->> 'reviewDays')::integer, 7),
                       (SELECT max(r.requested_at) FROM complaint_reviews r WHERE r.branch_id = c.branch_id AND r.complaint_id = c.id),
                       (SELECT d.id FROM departments d WHERE d.branch_id = c.branch_id AND d.kind = 'complaint_office' AND d.active
                         ORDER BY d.name, d.id LIMIT 1)
                  FROM complaints c LEFT JOIN sla_policies p ON p.branch_id = c.branch_id AND p.id = c.sla_policy_id
                 WHERE c.branch_id = \(branch) AND c.id = \(complaintID)
                """)[0]
            let windowDays: Int32 = try facts.decode(at: 1), reviewDays: Int32 = try facts.decode(at: 2)
            guard let resultAt: Date = try facts.decode(at: 0),
                  Date() < resultAt.addingTimeInterval(Double(windowDays) * 86_400) else {
                throw StoreError.conflict(field: "caseNumber",
                                          message: "is past its review window: a review may be asked within \(windowDays) days of the result")
            }
            // One review per result: asked again after its decision, the same result is not reviewed twice.
            if let asked: Date = try facts.decode(at: 3), asked >= resultAt {
                throw StoreError.conflict(field: "caseNumber", message: "was reviewed, or is being reviewed, since its latest result")
            }
            // The office reviews what others handled; what it handled itself, the branch managers do.
            let office: UUID? = try facts.decode(UUID?.self, at: 4).flatMap { $0 == complaint.departmentId ? nil : $0 }
            if let office, !complaint.collaboratingDepartmentIds.contains(office) {
                try await joinOffice(office, complaint: complaint, caller: caller, connection)
            }
            let reviewID = try await connection.query("""
                INSERT INTO complaint_reviews (branch_id, complaint_id, grounds, requested_by, due_at, reviewer_department_id,
                                               \(unescaped: CaseVisibility.columns))
                SELECT \(branch), \(complaintID), \(grounds), \(caller.userID), now() + make_interval(days => \(reviewDays)), \(office),
                       \(unescaped: CaseVisibility.fromComplaint)
                  FROM complaints c WHERE c.branch_id = \(branch) AND c.id = \(complaintID)
                RETURNING id
                """)[0].decode(UUID.self, at: 0)
            let review = try await Self.fetch(id: reviewID, connection)
            _ = try await CaseWorkStore.logCommunication(caller, branchID: branch, complaintID: complaintID, direction: "inbound",
                                                         channel: "web", kind: "statement", content: grounds, connection)
            try await CaseWorkStore.recordEvent("review_requested", caller: caller, branchID: branch, complaintID: complaintID,
                                                after: ["reviewId": reviewID.uuidString.lowercased(),
                                                        "dueAt": ISO8601DateFormatter().string(from: review.dueAt)],
                                                connection)
            try await ComplainantMessages.send(.reviewReceived, complaintID: complaintID, branchID: branch, caller: caller,
                                               times: ["reviewDueBy": review.dueAt],
                                               vault: complaints.vault, connection)
            try await DeadlineWakeUp.complaint(branchID: branch, complaintID: complaintID, connection)
            return review
        }
    }

    /// The complaint office joins the complaint it is to review, as when a tier pages it (0048).
    private func joinOffice(_ office: UUID, complaint: Complaint, caller: Caller, _ connection: PGConnection) async throws {
        try await connection.execute("""
            UPDATE complaints SET collaborating_department_ids = collaborating_department_ids || \(office)::uuid, updated_at = now()
             WHERE branch_id = \(complaint.branchId) AND id = \(complaint.id)
            """)
        try await CaseVisibility.follow(branchID: complaint.branchId, complaintID: complaint.id, connection)
        try await CaseWorkStore.recordEvent("office_joined", caller: caller, branchID: complaint.branchId, complaintID: complaint.id,
                                            after: ["departmentId": office.uuidString.lowercased(), "reason": "review"], connection)
    }

    /// Decides a review `upheld` or `revised` with the reasons told to the complainant. The
    /// reviewer is a branch manager, or a member of the reviewing complaint office, and neither
    /// the complaint's responsible person nor the head of its department (`.forbidden` otherwise;
    /// `.notFound` when the caller cannot see the review). `revised` reopens the complaint for
    /// secondary handling, which the decision may do even where the reviewer only collaborates:
    /// it runs confined to that one complaint. `.conflict` when the review was decided already.
    public func decide(_ caller: Caller, id: UUID, revised: Bool, reasoning: String) async throws -> ComplaintReview {
        let seen = try await get(caller, id: id)
        // Granted branches are read-only: reviews are decided in the reviewer's own branch.
        guard seen.branchId == caller.branchID else { throw StoreError.forbidden }
        let scope = caller.scope.confined(to: seen.complaintId, writingIn: seen.branchId)
        return try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let complaint = try await complaints.lockForChange(seen.complaintId, connection)
                let review = try await connection.query("""
                    SELECT status, reviewer_department_id FROM complaint_reviews WHERE branch_id = \(seen.branchId) AND id = \(id) FOR UPDATE
                    """)
                guard let row = review.first else { throw StoreError.notFound }
                guard try row.decode(String.self, at: 0) == "requested" else {
                    throw StoreError.conflict(field: "id", message: "was decided already")
                }
                let office: UUID? = try row.decode(at: 1)
                let inOffice = office.map { caller.departmentIDs.contains($0) } ?? false
                let reviews = caller.roles.contains(.branchManager)
                    || (inOffice && !caller.roles.isDisjoint(with: [.handler, .departmentHead]))
                guard reviews, caller.userID != complaint.responsibleUserId,
                      try await !ComplaintStore.isHead(caller, of: complaint, connection),
                      try await !Self.handled(complaint, by: caller, connection) else { throw StoreError.forbidden }
                let reopens = ComplaintLifecycle.allowedActions(from: complaint.lifecycle).contains(.reopen)
                if revised && !reopens {
                    throw StoreError.conflict(field: "/outcome", message: "cannot be revised: the complaint is \(complaint.status.rawValue) "
                                              + "and can no longer be reopened")
                }
                try await connection.execute("""
                    UPDATE complaint_reviews SET status = \(revised ? "revised" : "upheld"), decided_by = \(caller.userID),
                                                 decided_at = now(), reasoning = \(reasoning)
                     WHERE branch_id = \(seen.branchId) AND id = \(id)
                    """)
                try await CaseWorkStore.recordEvent("review_decided", caller: caller, branchID: seen.branchId,
                                                    complaintID: seen.complaintId,
                                                    after: ["reviewId": id.uuidString.lowercased(), "outcome": revised ? "revised" : "upheld"],
                                                    note: reasoning, connection)
                if revised {
                    _ = try await complaints.perform(caller, id: seen.complaintId,
                                                     ComplaintStep(.reopen, note: "review revised: \(reasoning)"), connection)
                }
                let language = try await connection.query("""
                    SELECT complainant_language FROM complaints WHERE branch_id = \(seen.branchId) AND id = \(seen.complaintId)
                    """)[0].decode(String.self, at: 0)
                try await ComplainantMessages.send(.reviewDecided, complaintID: seen.complaintId, branchID: seen.branchId, caller: caller,
                                                   values: ["reviewOutcome": MessageWording.reviewOutcome(
                                                               revised: revised, in: ComplainantLanguage(rawValue: language) ?? .simplifiedChinese),
                                                            "reviewReason": reasoning],
                                                   vault: complaints.vault, connection)
                return try await Self.fetch(id: id, connection)
            }
        }
    }

    /// Whether `caller` was ever responsible for the complaint, or handed it on, by its hand-overs.
    static func handled(_ complaint: Complaint, by caller: Caller, _ connection: PGConnection) async throws -> Bool {
        try await connection.query("""
            SELECT EXISTS (SELECT FROM complaint_handovers h WHERE h.branch_id = \(complaint.branchId) AND h.complaint_id = \(complaint.id)
                              AND (h.to_user_id = \(caller.userID) OR h.from_user_id = \(caller.userID)))
            """)[0].decode(at: 0)
    }

}
