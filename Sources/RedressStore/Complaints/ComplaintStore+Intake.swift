import Foundation
import Postgres
import RedressCore

extension ComplaintStore {
    /// An intake's outcome: the complaint, whether it was an earlier intake with the same key, and
    /// the complainant's access code, which exists in the clear only here: a replay has none (a
    /// new one is issued with ``reissueAccessCode(_:id:)``).
    public struct IntakeResult: Sendable {
        public var complaint: Complaint
        public var replayed: Bool
        public var accessCode: AccessCode?
    }

    /// Records a complaint in the caller's home branch, routes it when its category has a rule,
    /// marks it a repeat of the same customer's recent complaint in the same category (by
    /// customer reference, else by phone number through its blind index), and writes the first
    /// timeline entry. The complainant's personal data is stored sealed (AES-256-GCM), never in
    /// the clear. With an idempotency key, a retry returns the first complaint; the same key with
    /// a different request is a conflict.
    ///
    /// Two round trips: the first, with the transaction's BEGIN and scope, reads the routing rules
    /// and what the new complaint's schedule and confirmation depend on, and takes its case number
    /// (``prospectiveSchedule(_:_:personalData:)``, ``prospectiveConfirmation(_:_:personalData:)``);
    /// the second, with the COMMIT, writes the complaint, its first timeline entry and hand-over,
    /// its schedule, the wake-ups and the confirmation. When the key was used before, the second
    /// writes nothing (every statement after the insert names the new complaint, which is not
    /// there), and the earlier complaint is read back in a transaction of its own.
    public func intake(_ caller: Caller, _ intake: ComplaintIntake, idempotencyKey: String?, requestHash: Data?) async throws -> IntakeResult {
        try await StoreError.translating {
            let id = UUID()
            let person = intake.complainant
            let sealed = try vault.seal(PersonalData(name: person.name, phone: person.phone, email: person.email, address: person.address,
                                                     idNumber: person.idNumber), branchID: caller.branchID, complaintID: id)
            let written: IntakeResult? = try await database.withScope(caller.scope) { connection in
                let read = try await connection.pipeline([
                    Self.routingRules(branchID: caller.branchID, categoryID: intake.categoryID),
                    prospectiveSchedule(caller, intake, personalData: sealed),
                    prospectiveConfirmation(caller, intake, personalData: sealed),
                ])
                let rules = try read[0].map(Self.routingRule)
                let department = intake.categoryID.flatMap { category in
                    Routing.department(for: RoutingFacts(categoryID: category, channel: intake.channel, level: intake.level,
                                                         product: intake.product), rules: rules.map(\.rule))
                }
                let routed = rules.first { $0.rule.departmentID == department }
                guard let scheduleFacts = read[1].first, let confirmationFacts = read[2].first else { throw StoreError.forbidden }
                let prospect = try Prospect(scheduleFacts)
                // The routed department's head is told, unless they took the complaint in themselves.
                let told = department != nil && routed?.head != caller.userID
                let schedule = try Self.schedule(branchID: caller.branchID, complaintID: id, facts: scheduleFacts, meeting: [], reopening: false,
                                                 notifying: told ? [(.departmentRouted, id.uuidString.lowercased())] : [])
                let code = AccessCode.generate()
                let confirmation = try ComplainantMessages.compose(
                    .received, facts: confirmationFacts, complaintID: id, branchID: caller.branchID, caller: caller, values: [:], times: [:],
                    accessCode: code, meetsMilestone: true, promisedBy: schedule.resultDue, department: routed?.name, vault: vault)
                let wakeUp = schedule.wakesScheduler ? [DeadlineWakeUp.complaint(branchID: caller.branchID, complaintID: id)] : []
                let stored = try await connection.commit(after: [
                    insertStatement(id: id, caller, intake, prospect: prospect, department: department, personalData: sealed, accessCode: code,
                                    idempotencyKey: idempotencyKey, requestHash: requestHash),
                    Self.recordIntake(complaintID: id, branchID: caller.branchID, caller: caller),
                    schedule.update,
                ] + wakeUp + confirmation.statements)
                guard stored[0].first != nil else { return nil }
                guard let scheduled = stored[2].first else { throw StoreError.forbidden }
                return IntakeResult(complaint: revealed(try ComplaintColumns.complaint(scheduled), to: caller.scope), replayed: false,
                                    accessCode: code)
            }
            if let written { return written }
            return try await replay(caller, idempotencyKey: idempotencyKey, requestHash: requestHash)
        }
    }

    /// The complaint an earlier intake with `idempotencyKey` recorded, when `requestHash` is the
    /// same request's; a conflict otherwise.
    private func replay(_ caller: Caller, idempotencyKey: String?, requestHash: Data?) async throws -> IntakeResult {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            let existing = try await connection.query("""
                SELECT \(unescaped: ComplaintColumns.list), idempotency_hash FROM complaints
                 WHERE branch_id = \(caller.branchID) AND created_by = \(caller.userID) AND idempotency_key = \(idempotencyKey)
                """)
            guard let row = existing.first else { throw StoreError.notFound }
            guard try row.decode(Data?.self, at: ComplaintColumns.count) == requestHash else {
                throw StoreError.conflict(field: "Idempotency-Key", message: "was used before with a different request")
            }
            return IntakeResult(complaint: revealed(try ComplaintColumns.complaint(row), to: caller.scope), replayed: true, accessCode: nil)
        }
    }

    /// What the first round trip settles about the new complaint: read from the columns
    /// ``prospectiveSchedule(_:_:personalData:)`` adds after those of ``scheduleFacts``.
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

    /// The new complaint's case number: the branch's code, the day it was received in the
    /// branch's time zone, and `serial` (SQL reading the case sequence) on six digits.
    private static func caseNumber(serial: String) -> String {
        "upper(b.code) || '-' || to_char(r.at AT TIME ZONE b.time_zone, 'YYYYMMDD') || '-' || lpad((\(serial))::text, 6, '0')"
    }

    /// ``scheduleFacts``'s row for the complaint about to be taken in (nothing met, escalated,
    /// paused or planned yet), then its case number (taking the next serial) and the recent
    /// complaint it repeats, if any.
    private func prospectiveSchedule(_ caller: Caller, _ intake: ComplaintIntake, personalData: SealedPersonalData?) -> PGQuery {
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
                   \(unescaped: Self.caseNumber(serial: "nextval('complaint_case_serial')")), e.id
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
    /// complaint about to be taken in: its case number from the serial just taken, no promised
    /// time or department yet (the intake supplies them).
    private func prospectiveConfirmation(_ caller: Caller, _ intake: ComplaintIntake, personalData: SealedPersonalData?) -> PGQuery {
        let person = intake.complainant
        let channel = person.preferredChannel ?? person.defaultChannel
        return """
            SELECT \(unescaped: Self.caseNumber(serial: "currval('complaint_case_serial')")),
                   \(personalData?.box)::bytea, \(personalData?.keyID)::text, \(person.customerRef)::text, \(person.language.rawValue)::text,
                   \(channel)::text, \(intake.level.map(Int16.init))::smallint, r.at, NULL::timestamptz, NULL::text,
                   b.name, b.time_zone, s.contact, s.public_url, t.subject, t.body
              FROM branches b CROSS JOIN (SELECT coalesce(\(intake.receivedAt), now()) AS at) r
              LEFT JOIN message_settings s ON s.branch_id = b.id
              LEFT JOIN message_templates t ON t.branch_id = b.id AND t.event = \(ComplainantMessageEvent.received.rawValue)
                                            AND t.channel = \(channel) AND t.language = \(person.language.rawValue)
             WHERE b.id = \(caller.branchID)
            """
    }

    /// The complaint as the first round trip settled it; returns its id, or nothing when the
    /// caller's idempotency key was used before.
    private func insertStatement(id: UUID, _ caller: Caller, _ intake: ComplaintIntake, prospect: Prospect, department: UUID?,
                                 personalData sealed: SealedPersonalData?, accessCode: AccessCode, idempotencyKey: String?,
                                 requestHash: Data?) -> PGQuery {
        let person = intake.complainant
        return """
            INSERT INTO complaints (branch_id, id, case_number, channel, source, complainant_sealed, complainant_key_id,
                   complainant_phone_index, customer_type, customer_ref, occurred_at, received_at,
                   product, party, location, description, desired_outcome, category_id, level, nature, priority,
                   repeat_of, department_id, department_by_rule, idempotency_key, idempotency_hash, created_by, safety,
                   access_code_digest, complainant_language, complainant_channel)
            VALUES (\(caller.branchID), \(id), \(prospect.caseNumber), \(intake.channel), \(intake.source), \(sealed?.box), \(sealed?.keyID),
                    \(vault.phoneIndex(person.phone)), \(person.customerType), \(person.customerRef), \(intake.occurredAt), \(prospect.receivedAt),
                    \(intake.product), \(intake.party), \(intake.location), \(intake.description), \(intake.desiredOutcome),
                    \(intake.categoryID), \(intake.level.map(Int16.init))::smallint, \(prospect.nature), \(intake.priority),
                    \(prospect.repeatOf), \(department), \(department != nil), \(idempotencyKey), \(requestHash), \(caller.userID), \(intake.safety),
                    \(vault.accessCodeDigest(accessCode)), \(person.language.rawValue), \(person.preferredChannel ?? person.defaultChannel))
            ON CONFLICT (branch_id, created_by, idempotency_key) DO NOTHING
            RETURNING id
            """
    }

    /// The new complaint's first timeline entry and, when a rule routed it, its first hand-over:
    /// a statement of their own, since row-level security lets them name only a complaint the
    /// caller can already see and work on.
    static func recordIntake(complaintID: UUID, branchID: UUID, caller: Caller) -> PGQuery {
        """
            WITH taken AS (
                SELECT branch_id, id, status, case_number, channel, category_id, department_id, level, nature, priority, repeat_of,
                       collaborating_department_ids, responsible_user_id
                  FROM complaints WHERE branch_id = \(branchID) AND id = \(complaintID)
            ), event AS (
                INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind, after, \(unescaped: CaseVisibility.columns))
                SELECT branch_id, id, \(caller.userID), \(caller.actorRoles), 'received',
                       jsonb_build_object('status', status, 'caseNumber', case_number, 'channel', channel,
                                          'categoryId', category_id::text, 'departmentId', department_id::text,
                                          'level', level::text, 'nature', nature, 'priority', priority,
                                          'repeatOf', repeat_of::text),
                       department_id, collaborating_department_ids, responsible_user_id
                  FROM taken
            )
            INSERT INTO complaint_handovers (branch_id, complaint_id, to_department_id, by_user_id, reason, \(unescaped: CaseVisibility.columns))
            SELECT branch_id, id, department_id, \(caller.userID), 'routing rule at intake',
                   department_id, collaborating_department_ids, responsible_user_id
              FROM taken WHERE department_id IS NOT NULL
            """
    }
}
