import Foundation
import Postgres
import RedressCore

/// An approved handling plan as published for the public (`sql/0064_published_plans.sql`): a
/// title and summary written for the public, the plan's measures, its category and when it was
/// approved; no case number, no complainant, no staff.
public struct PublishedPlan: Sendable, Codable, Equatable {
    public var id: UUID
    public var title: String
    public var summary: String
    public var measures: [String]
    /// The category's name.
    public var category: String?
    public var approvedAt: Date
    public var publishedAt: Date
}

/// A publication as the branch's staff see it: what the public sees, the plan and complaint it
/// comes from, who published it, and its withdrawal.
public struct PlanPublication: Sendable, Equatable {
    public var published: PublishedPlan
    public var planID: UUID
    public var complaintID: UUID
    public var publishedBy: UUID
    public var withdrawnAt: Date?
    public var withdrawnBy: UUID?
}

/// Publishes approved plans and withdraws them (a branch manager of the branch, each audited), and
/// lists a branch's current publications for the public.
public struct PlanPublicationStore: Sendable {
    let database: ScopedDatabase
    let complaints: ComplaintStore

    /// Creates the store.
    public init(database: ScopedDatabase) {
        self.database = database
        self.complaints = ComplaintStore(database: database)
    }

    static let columns = """
        p.id, p.title, p.summary, p.measures, (SELECT k.name FROM categories k WHERE k.branch_id = p.branch_id AND k.id = p.category_id),
        p.approved_at, p.published_at, p.plan_id, p.source_complaint_id, p.published_by, p.withdrawn_at, p.withdrawn_by
        """

    static func publication(_ row: PGRow) throws -> PlanPublication {
        PlanPublication(
            published: PublishedPlan(id: try row.decode(at: 0), title: try row.decode(at: 1), summary: try row.decode(at: 2),
                                     measures: try row.decode(at: 3), category: try row.decode(at: 4), approvedAt: try row.decode(at: 5),
                                     publishedAt: try row.decode(at: 6)),
            planID: try row.decode(at: 7), complaintID: try row.decode(at: 8), publishedBy: try row.decode(at: 9),
            withdrawnAt: try row.decode(at: 10), withdrawnBy: try row.decode(at: 11))
    }

    /// Publishes the approved plan `planID` of the complaint `complaintID` with a title and summary
    /// for the public: a branch manager of the complaint's branch (`.forbidden` otherwise). The
    /// text may hold neither the complainant's own phone number, name or email nor the name of
    /// anyone of the branch's staff (`.invalidValue` naming the field). `.conflict` when the plan is
    /// not approved, or is published already.
    public func publish(_ caller: Caller, complaintID: UUID, planID: UUID, title: String, summary: String) async throws -> PlanPublication {
        guard caller.roles.contains(.branchManager) else { throw StoreError.forbidden }
        let branch = caller.branchID
        return try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                guard let plan = try await connection.query("""
                    SELECT p.status, coalesce(p.leadership_approved_at, p.head_approved_at), c.category_id
                      FROM complaint_plans p JOIN complaints c ON c.branch_id = p.branch_id AND c.id = p.complaint_id
                     WHERE p.branch_id = \(branch) AND p.id = \(planID) AND p.complaint_id = \(complaintID)
                    """).first else { throw StoreError.notFound }
                guard try plan.decode(String.self, at: 0) == "approved", let approvedAt: Date = try plan.decode(at: 1) else {
                    throw StoreError.conflict(field: "planId", message: "is not approved: only an approved plan is published")
                }
                try await redactionCheck([("/title", title), ("/summary", summary)], complaintID: complaintID, branch: branch, connection)
                let id = try await connection.query("""
                    INSERT INTO published_plans (branch_id, plan_id, source_complaint_id, title, summary, measures, category_id, approved_at,
                                                 published_by)
                    SELECT \(branch), p.id, p.complaint_id, \(title), \(summary), p.measures, \(try plan.decode(UUID?.self, at: 2)),
                           \(approvedAt), \(caller.userID)
                      FROM complaint_plans p WHERE p.branch_id = \(branch) AND p.id = \(planID)
                    RETURNING id
                    """)[0].decode(UUID.self, at: 0)
                return try await Self.fetch(id: id, branch: branch, connection)
            }
        }
    }

    /// Withdraws the plan's current publication: a branch manager of its branch. `.notFound` when
    /// it has none.
    public func withdraw(_ caller: Caller, complaintID: UUID, planID: UUID) async throws -> PlanPublication {
        guard caller.roles.contains(.branchManager) else { throw StoreError.forbidden }
        let branch = caller.branchID
        return try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                guard let id = try await connection.query("""
                    UPDATE published_plans SET withdrawn_at = now(), withdrawn_by = \(caller.userID)
                     WHERE branch_id = \(branch) AND plan_id = \(planID) AND source_complaint_id = \(complaintID) AND withdrawn_at IS NULL
                    RETURNING id
                    """).first?.decode(UUID.self, at: 0) else { throw StoreError.notFound }
                return try await Self.fetch(id: id, branch: branch, connection)
            }
        }
    }

    /// A branch's current publications as the public sees them, newest first (at most `limit`);
    /// nil when no branch has the code.
    public func published(branchCode: String, limit: Int) async throws -> [PublishedPlan]? {
        try await database.pool.query("SELECT progress.published_plans(\(branchCode), \(Int32(limit)))")[0]
            .decode(PGJSON<[PublishedPlan]>?.self, at: 0)?.value
    }

    static func fetch(id: UUID, branch: UUID, _ connection: PGConnection) async throws -> PlanPublication {
        guard let row = try await connection.query("""
            SELECT \(unescaped: columns) FROM published_plans p WHERE p.branch_id = \(branch) AND p.id = \(id)
            """).first else { throw StoreError.notFound }
        return try publication(row)
    }

    /// Refuses text holding the complainant's own personal data, any email address or phone-length
    /// number, the complaint's case number, or a staff member's name.
    private func redactionCheck(_ texts: [(field: String, text: String)], complaintID: UUID, branch: UUID,
                                _ connection: PGConnection) async throws {
        guard let complaint = try await complaints.unmasked(complaintID, branch: branch, connection) else { throw StoreError.notFound }
        try LibraryStore.refuseLeaks(texts, of: complaint.complainant)
        let staff: [String] = try await connection.query("""
            SELECT DISTINCT u.name FROM users u
             WHERE u.branch_id = \(branch) AND NOT u.roles && ARRAY['bot', 'complainant', 'intake'] AND length(u.name) >= 2
            """).map { try $0.decode(at: 0) }
        for (field, text) in texts {
            if text.range(of: complaint.caseNumber, options: .caseInsensitive) != nil {
                throw StoreError.invalidValue(field: field, message: "contains the case number: a published plan names no case")
            }
            if staff.contains(where: { PersonalDataLeak.names($0, in: text) }) {
                throw StoreError.invalidValue(field: field, message: "names a member of staff: a published plan names nobody")
            }
        }
    }
}
