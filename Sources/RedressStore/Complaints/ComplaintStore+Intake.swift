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
    /// (``prospectiveSchedule(_:_:)``, ``prospectiveConfirmation(_:_:)``);
    /// the second, with the COMMIT, writes the complaint with its schedule, its first timeline
    /// entry and hand-over, the wake-ups and the confirmation. When the key was used before, the second
    /// writes nothing (every statement after the insert names the new complaint, which is not
    /// there), and the earlier complaint is read back in a transaction of its own.
    public func intake(_ caller: Caller, _ intake: ComplaintIntake, idempotencyKey: String?, requestHash: Data?) async throws -> IntakeResult {
        try await StoreError.translating {
            let id = UUID.timeOrdered()
            let person = intake.complainant
            let personalData = PersonalData(name: person.name, phone: person.phone, email: person.email, address: person.address,
                                            idNumber: person.idNumber)
            let sealed = try vault.seal(personalData, branchID: caller.branchID, complaintID: id)
            let outcome: IntakeOutcome = try await database.withScope(caller.scope) { connection in
                let read = try await connection.pipeline([
                    Self.routingRules(branchID: caller.branchID, categoryID: intake.categoryID),
                    prospectiveSchedule(caller, intake),
                    prospectiveConfirmation(caller, intake),
                ])
                let rules = try read[0].map(Self.routingRule)
                let department = intake.categoryID.flatMap { category in
                    Routing.department(for: RoutingFacts(categoryID: category, channel: intake.channel, level: intake.level,
                                                         product: intake.product), rules: rules.map(\.rule))
                }
                let routed = rules.first { $0.rule.departmentID == department }
                guard let scheduleFacts = read[1].first, let confirmationFacts = read[2].first else { throw StoreError.notFound }
                let prospect = try Prospect(scheduleFacts)
                // The routed department's head is told, unless they took the complaint in themselves.
                let told = department != nil && routed?.head != caller.userID
                let schedule = try Self.schedule(branchID: caller.branchID, complaintID: id, facts: scheduleFacts, meeting: [], reopening: false,
                                                 notifying: told ? [(.departmentRouted, id.uuidString.lowercased())] : [])
                let code = AccessCode.generate()
                let confirmation = try ComplainantMessages.compose(
                    .received, facts: confirmationFacts, complaintID: id, branchID: caller.branchID, caller: caller, values: [:], times: [:],
                    accessCode: code, meetsMilestone: true,
                    unstored: .init(caseNumber: prospect.caseNumber, promisedBy: schedule.resultDue, department: routed?.name,
                                   personalData: personalData), vault: vault)
                let wakeUp = schedule.wakesScheduler ? [DeadlineWakeUp.complaint(branchID: caller.branchID, complaintID: id)] : []
                let stored = try await connection.commit(after: [
                    insertStatement(id: id, caller, intake, prospect: prospect, department: department, schedule: schedule, personalData: sealed,
                                    accessCode: code, idempotencyKey: idempotencyKey, requestHash: requestHash),
                    Self.recordIntake(complaintID: id, branchID: caller.branchID, caller: caller),
                ] + wakeUp + confirmation.statements)
                guard let row = stored[0].first else { return .replayed }
                var complaint = try ComplaintColumns.complaint(row)
                complaint.sla = schedule.explanation?.asStored
                return .written(complaint, code)
            }
            switch outcome {
            case .written(var complaint, let code):
                // What was just sealed is in hand: shown as a read would show it, without opening the box again.
                vault.reveal(&complaint, opened: personalData, to: caller.scope)
                return IntakeResult(complaint: complaint, replayed: false, accessCode: code)
            case .replayed:
                return try await replay(caller, idempotencyKey: idempotencyKey, requestHash: requestHash)
            }
        }
    }

    /// How an intake's transaction ended: the complaint written with its access code, or nothing
    /// written because the key was used before.
    private enum IntakeOutcome {
        case written(Complaint, AccessCode)
        case replayed
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

    /// The complaint as the first round trip settled it, with its schedule (one row version, one
    /// audit entry); returns its columns, or nothing when the caller's idempotency key was used before.
    /// The explanation it returns is NULL: the caller has it already (``SLAExplanation/asStored``).
    private func insertStatement(id: UUID, _ caller: Caller, _ intake: ComplaintIntake, prospect: Prospect, department: UUID?,
                                 schedule: ScheduleUpdate, personalData sealed: SealedPersonalData?, accessCode: AccessCode,
                                 idempotencyKey: String?, requestHash: Data?) -> PGQuery {
        let person = intake.complainant
        return """
            INSERT INTO complaints (branch_id, id, case_number, channel, source, complainant_sealed, complainant_key_id,
                   complainant_phone_index, customer_type, customer_ref, occurred_at, received_at,
                   product, party, location, description, desired_outcome, category_id, level, nature, priority,
                   repeat_of, department_id, department_by_rule, idempotency_key, idempotency_hash, created_by, safety,
                   access_code_digest, complainant_language, complainant_channel,
                   sla_policy_id, sla_deadlines, sla_completed, due_at, next_escalation_tier, next_escalation_at, escalation_due_at,
                   sla_alarm_keys, sla_alarm_due_at, sla_alarm_rungs, next_alarm_at)
            VALUES (\(caller.branchID), \(id), \(prospect.caseNumber), \(intake.channel), \(intake.source), \(sealed?.box), \(sealed?.keyID),
                    \(vault.phoneIndex(person.phone)), \(person.customerType), \(person.customerRef), \(intake.occurredAt), \(prospect.receivedAt),
                    \(intake.product), \(intake.party), \(intake.location), \(intake.description), \(intake.desiredOutcome),
                    \(intake.categoryID), \(intake.level.map(Int16.init))::smallint, \(prospect.nature), \(intake.priority),
                    \(prospect.repeatOf), \(department), \(department != nil), \(idempotencyKey), \(requestHash), \(caller.userID), \(intake.safety),
                    \(vault.accessCodeDigest(accessCode)), \(person.language.rawValue), \(person.preferredChannel ?? person.defaultChannel),
                    \(schedule.policyID), \(schedule.explanation.map(PGJSON.init)), \(schedule.completed), \(schedule.due),
                    \(schedule.next?.tier)::smallint, \(schedule.next?.at), \(schedule.tierDue),
                    \(schedule.alarms.map(\.key)), \(schedule.alarms.map(\.at)), \(schedule.alarms.map(\.rung))::smallint[],
                    \(schedule.alarms.map(\.at).min()))
            ON CONFLICT (branch_id, created_by, idempotency_key) DO NOTHING
            RETURNING \(unescaped: ComplaintColumns.summary)
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
