import Foundation
import Postgres
import RedressCore

/// A complaint's visibility as its child rows carry it (`sql/0033_child_rows_carry_their_case_visibility.sql`).
///
/// The timeline, hand-overs, communications, evidence, findings, surveys, pauses, plans,
/// escalations, pages and follow-ups copy their complaint's department, collaborating departments
/// and responsible person, and their row-level security policies read the copy, never the
/// complaint (Citus takes no sub-select in a policy). Two rules keep every copy true:
///
/// - a writer of child rows holds the case's advisory lock shared (``lockShared(_:_:)``), then
///   copies the complaint's values in the statement that writes (``columns``, ``fromComplaint``);
/// - a change of those values holds the lock exclusively from before the complaint is locked
///   (``lockForChange``'s `changingVisibility`) and copies the new values onto every child row in
///   the same transaction (``follow(branchID:complaintID:_:)``), so a row written meanwhile is
///   either already there to be copied onto or written after the change, with its values.
enum CaseVisibility {
    /// The copied columns of a child row, in the order of ``fromComplaint``.
    static let columns = "case_department_id, case_collaborating_department_ids, case_responsible_user_id"

    /// The complaint's columns they copy, for `INSERT … SELECT … FROM complaints c`.
    static let fromComplaint = "c.department_id, c.collaborating_department_ids, c.responsible_user_id"

    /// The branch of a complaint the caller can see, with the case's lock held shared to the end
    /// of the transaction; `.notFound` when the caller cannot see it.
    static func lockShared(_ complaintID: UUID, _ connection: PGConnection) async throws -> UUID {
        let branch = try await CaseWorkStore.visibleBranch(of: complaintID, connection)
        try await lock(complaintID, exclusive: false, connection)
        return branch
    }

    /// Takes the case's lock to the end of the transaction. In a statement of its own, which reads
    /// no table: on Citus it runs on the coordinator, where every writer of the case takes it.
    static func lock(_ complaintID: UUID, exclusive: Bool, _ connection: PGConnection) async throws {
        try await connection.query(exclusive
            ? "SELECT pg_advisory_xact_lock(case_lock_key(\(complaintID)))::text"
            : "SELECT pg_advisory_xact_lock_shared(case_lock_key(\(complaintID)))::text")
    }

    /// Whether a change from `before` to `after` changes who sees the complaint.
    static func changed(from before: Complaint, to after: Complaint) -> Bool {
        before.departmentId != after.departmentId || before.responsibleUserId != after.responsibleUserId
            || before.collaboratingDepartmentIds != after.collaboratingDepartmentIds
    }

    /// Copies the complaint's visibility, as it now stands in this transaction, onto its child rows.
    static func follow(branchID: UUID, complaintID: UUID, _ connection: PGConnection) async throws {
        try await connection.query("SELECT follow_case(\(branchID), \(complaintID))")
    }
}
