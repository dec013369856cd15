import Foundation
import Postgres
import RedressCore

/// The column list every complaint query returns, and its decoder.
enum ComplaintColumns {
    static let list = """
        branch_id, id, case_number, channel, source, complainant_name, complainant_phone, complainant_email,
        complainant_address, customer_type, customer_ref, occurred_at, received_at, product, party, location,
        description, desired_outcome, category_id, level, nature, priority, repeat_of, department_id,
        collaborating_department_ids, responsible_user_id, status, paused_from, reopen_count, satisfaction,
        resolution, closed_at, created_by, created_at, updated_at, promised_by, due_at, sla_deadlines,
        next_escalation_tier, next_escalation_at, complainant_sealed, complainant_key_id, safety, complainant_language,
        complainant_channel
        """

    /// How many columns ``list`` has; extra columns of a query start at this index.
    static let count = 45

    /// The escalation tiers fired, lowest first, as the scheduler keeps them on the complaint.
    static let escalatedTiers = "ARRAY(SELECT t FROM unnest(escalated_tiers) t ORDER BY t)::int[]"

    /// ``list`` without the SLA explanation (NULL in its place), for listings: the explanation
    /// belongs to the single-complaint view.
    static let summary = list.replacingOccurrences(of: "sla_deadlines", with: "NULL::jsonb")

    /// The complaint in `row`, its personal data still sealed (columns 5 to 8 hold only what was
    /// stored before sealing existed); ``PersonalDataVault/reveal(_:to:)`` opens it for a caller.
    static func complaint(_ row: PGRow) throws -> Complaint {
        let status = ComplaintStatus(rawValue: try row.decode(String.self, at: 26)) ?? .received
        let level: Int16? = try row.decode(at: 19)
        let satisfaction: Int16? = try row.decode(at: 29)
        var complaint = Complaint(
            id: try row.decode(at: 1), branchId: try row.decode(at: 0), caseNumber: try row.decode(at: 2),
            channel: try row.decode(at: 3), source: try row.decode(at: 4),
            complainant: Complaint.Complainant(
                name: try row.decode(at: 5), phone: try row.decode(at: 6), email: try row.decode(at: 7),
                address: try row.decode(at: 8), customerType: try row.decode(at: 9), customerRef: try row.decode(at: 10)),
            occurredAt: try row.decode(at: 11), receivedAt: try row.decode(at: 12), product: try row.decode(at: 13),
            party: try row.decode(at: 14), location: try row.decode(at: 15), description: try row.decode(at: 16),
            desiredOutcome: try row.decode(at: 17), categoryId: try row.decode(at: 18), level: level.map(Int.init),
            nature: try row.decode(at: 20), priority: try row.decode(at: 21), safety: try row.decode(at: 42), repeatOf: try row.decode(at: 22),
            departmentId: try row.decode(at: 23), collaboratingDepartmentIds: try row.decode(at: 24),
            responsibleUserId: try row.decode(at: 25), status: status,
            pausedFrom: try row.decode(String?.self, at: 27).flatMap(ComplaintStatus.init(rawValue:)),
            reopenCount: try row.decode(at: 28), satisfaction: satisfaction.map(Int.init),
            resolution: try row.decode(at: 30), closedAt: try row.decode(at: 31), createdBy: try row.decode(at: 32),
            createdAt: try row.decode(at: 33), updatedAt: try row.decode(at: 34), promisedBy: try row.decode(at: 35),
            dueAt: try row.decode(at: 36), sla: try row.decode(PGJSON<SLAExplanation>?.self, at: 37)?.value,
            nextEscalationTier: try row.decode(Int16?.self, at: 38).map(Int.init), nextEscalationAt: try row.decode(at: 39),
            allowedActions: [])
        if let box: Data = try row.decode(at: 40), let keyID: String = try row.decode(at: 41) {
            complaint.sealedComplainant = SealedPersonalData(keyID: keyID, box: box)
        }
        complaint.complainant.language = ComplainantLanguage(rawValue: try row.decode(String.self, at: 43)) ?? .simplifiedChinese
        complaint.complainant.preferredChannel = try row.decode(String?.self, at: 44)
        complaint.allowedActions = ComplaintLifecycle.allowedActions(from: complaint.lifecycle)
        return complaint
    }
}
