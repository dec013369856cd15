import Foundation
import Postgres
import RedressCore

/// The rows intake reads before the complaint exists: those ``ComplaintStore/scheduleFacts`` and
/// ``ComplainantMessages/facts(_:complaintID:branchID:)`` would read of it once written, column for
/// column, so that its schedule and its confirmation are computed as for any complaint.
extension ComplaintStore {
    /// What the first round trip settles about the new complaint: read from the columns
    /// ``prospectiveSchedule(_:_:)`` adds after those of ``scheduleFacts``.
    struct Prospect {
        var receivedAt: Date
        var nature: String
        var caseNumber: String
        var repeatOf: UUID?

        init(_ facts: PGRow) throws {
            receivedAt = try facts.decode(at: 0)
            nature = try facts.decode(at: 4)
            caseNumber = try facts.decode(at: 25)
            repeatOf = try facts.decode(at: 26)
        }
    }

    /// ``scheduleFacts``'s row for the complaint about to be taken in (nothing met, escalated,
    /// paused or planned yet), then its case number (taking the next serial) and the recent
    /// complaint it repeats, if any.
    func prospectiveSchedule(_ caller: Caller, _ intake: ComplaintIntake) -> PGQuery {
        let person = intake.complainant
        let windowSeconds = Double(repeatWindow.components.seconds)
        return """
            SELECT r.at, \(intake.categoryID)::uuid, \(intake.priority)::text, \(intake.level.map(Int16.init))::smallint,
                   CASE WHEN e.id IS NOT NULL AND \(intake.nature) = 'general' THEN 'repeat' ELSE \(intake.nature) END,
                   'received'::text, '{}'::text[], '{}'::smallint[], NULL::timestamptz,
                   b.time_zone, k.hours, k.holidays::text[], k.make_up_days::text[],
                   coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'name', p.name, 'document', p.document) ORDER BY p.name)
                               FROM sla_policies p WHERE p.branch_id = b.id AND p.active), '[]'::jsonb),
                   '[]'::jsonb, \(intake.safety), '{}'::text[], NULL::timestamptz,
                   NULL::uuid, NULL::text, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, '{}'::text[], '{}'::timestamptz[],
                   upper(b.code) || '-' || to_char(r.at AT TIME ZONE b.time_zone, 'YYYYMMDD') || '-'
                       || lpad(nextval('complaint_case_serial')::text, 6, '0'),
                   e.id
              FROM branches b CROSS JOIN (SELECT coalesce(\(intake.receivedAt), now()) AS at) r
              LEFT JOIN branch_calendars k ON k.branch_id = b.id
              LEFT JOIN LATERAL (
                  SELECT c.id FROM complaints c
                   WHERE c.branch_id = b.id AND c.category_id = \(intake.categoryID)
                     AND (c.customer_ref = \(person.customerRef)
                          OR (\(person.customerRef)::text IS NULL AND c.complainant_phone_index = \(vault.phoneIndex(person.phone))))
                     AND c.received_at >= r.at - make_interval(secs => \(windowSeconds)) AND c.received_at <= r.at
                   ORDER BY c.received_at DESC LIMIT 1) e ON true
             WHERE b.id = \(caller.branchID)
            """
    }

    /// ``ComplainantMessages/facts(_:complaintID:branchID:)``'s row for the confirmation of the
    /// complaint about to be taken in: no case number, promised time or department yet, and not
    /// the sealed personal data, which the intake has open (it supplies them all,
    /// ``ComplainantMessages/Unstored``).
    func prospectiveConfirmation(_ caller: Caller, _ intake: ComplaintIntake) -> PGQuery {
        let person = intake.complainant
        let channel = person.preferredChannel ?? person.defaultChannel
        return """
            SELECT NULL::text, NULL::bytea, NULL::text, \(person.customerRef)::text, \(person.language.rawValue)::text,
                   \(channel)::text, \(intake.level.map(Int16.init))::smallint, r.at, NULL::timestamptz, NULL::text,
                   b.name, b.time_zone, s.contact, s.public_url, t.subject, t.body
              FROM branches b CROSS JOIN (SELECT coalesce(\(intake.receivedAt), now()) AS at) r
              LEFT JOIN message_settings s ON s.branch_id = b.id
              LEFT JOIN message_templates t ON t.branch_id = b.id AND t.event = \(ComplainantMessageEvent.received.rawValue)
                                            AND t.channel = \(channel) AND t.language = \(person.language.rawValue)
             WHERE b.id = \(caller.branchID)
            """
    }
}
