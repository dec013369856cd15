import Foundation
import Postgres
import RedressCore

/// Complaints: intake, reading, lifecycle steps and the timeline. Every operation runs in the
/// caller's scope, so row-level security decides which complaints exist for them.
public struct ComplaintStore: Sendable {
    let database: ScopedDatabase

    /// How far back an earlier complaint of the same customer and category makes a new one a repeat.
    var repeatWindow: Duration { database.configuration.repeatWindow }
    /// Seals and reveals complainants' personal data.
    var vault: PersonalDataVault { database.configuration.vault }

    /// `complaint` as `scope` may see it: personal data opened, and masked unless the scope sees
    /// its branch's personal data in full.
    func revealed(_ complaint: Complaint, to scope: AccessScope) -> Complaint {
        var complaint = complaint
        vault.reveal(&complaint, to: scope)
        return complaint
    }

    /// A complaint of `branch` the caller sees, with its complainant's personal data opened in
    /// full whatever the caller may see: for checks that text holds none of it, never to be shown.
    /// Nil when the caller does not see the complaint.
    func unmasked(_ complaintID: UUID, branch: UUID, _ connection: PGConnection) async throws -> Complaint? {
        guard let row = try await connection.query("""
            SELECT \(unescaped: ComplaintColumns.list) FROM complaints WHERE branch_id = \(branch) AND id = \(complaintID)
            """).first else { return nil }
        var complaint = try ComplaintColumns.complaint(row)
        var unmasked = AccessScope.system(branch: branch)
        unmasked.personalDataBranchIDs = [branch]
        vault.reveal(&complaint, to: unmasked)
        return complaint
    }

    /// Creates the store.
    public init(database: ScopedDatabase) {
        self.database = database
    }

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
    public func intake(_ caller: Caller, _ intake: ComplaintIntake, idempotencyKey: String?, requestHash: Data?) async throws -> IntakeResult {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                // Three round trips, the transaction's BEGIN and scope going with the first and its
                // COMMIT with the last: the routing rules; the complaint, its first timeline entry
                // and hand-over, with what its schedule and its confirmation depend on; then the
                // schedule, the scheduler's wake-up and the confirmation.
                let department = try await route(branchID: caller.branchID, categoryID: intake.categoryID, channel: intake.channel,
                                                  level: intake.level, product: intake.product, connection)
                let code = AccessCode.generate()
                let id = UUID()
                let written = try await connection.pipeline([
                    try insertStatement(id: id, caller, intake, department: department, accessCode: code, idempotencyKey: idempotencyKey,
                                        requestHash: requestHash),
                    Self.recordIntake(complaintID: id, branchID: caller.branchID, caller: caller),
                    Self.scheduleFacts(branchID: caller.branchID, complaintID: id),
                    ComplainantMessages.facts(.received, complaintID: id, branchID: caller.branchID),
                ])
                if let row = written[0].first {
                    guard let scheduleFacts = written[2].first, let messageFacts = written[3].first else { throw StoreError.forbidden }
                    // The routed department's head is told, unless they took the complaint in themselves.
                    let told = try department != nil && !row.decode(Bool.self, at: ComplaintColumns.count)
                    let schedule = try Self.schedule(branchID: caller.branchID, complaintID: id, facts: scheduleFacts, meeting: [],
                                                     reopening: false,
                                                     notifying: told ? [(.departmentRouted, id.uuidString.lowercased())] : [])
                    let confirmation = try ComplainantMessages.compose(.received, facts: messageFacts, complaintID: id, branchID: caller.branchID,
                                                                       caller: caller, values: [:], times: [:], accessCode: code,
                                                                       meetsMilestone: true, promisedBy: schedule.resultDue, vault: vault)
                    let wakeUp = schedule.wakesScheduler ? [DeadlineWakeUp.complaint(branchID: caller.branchID, complaintID: id)] : []
                    let stored = try await connection.commit(after: [schedule.update] + wakeUp + confirmation.statements)
                    guard let scheduled = stored[0].first else { throw StoreError.forbidden }
                    return IntakeResult(complaint: revealed(try ComplaintColumns.complaint(scheduled), to: caller.scope), replayed: false,
                                        accessCode: code)
                }
                let existing = try await connection.query("""
                    SELECT \(unescaped: ComplaintColumns.list), idempotency_hash FROM complaints
                     WHERE branch_id = \(caller.branchID) AND created_by = \(caller.userID) AND idempotency_key = \(idempotencyKey)
                    """)
                guard let row = existing.first else { throw StoreError.notFound }
                guard try row.decode(Data?.self, at: ComplaintColumns.count) == requestHash else {
                    throw StoreError.conflict(field: "Idempotency-Key", message: "was used before with a different request")
                }
                return IntakeResult(complaint: revealed(try ComplaintColumns.complaint(row), to: caller.scope), replayed: true,
                                    accessCode: nil)
            }
        }
    }

    /// The department the branch's routing rules choose, if any.
    func route(branchID: UUID, categoryID: UUID?, channel: String, level: Int?, product: String?,
               _ connection: PGConnection) async throws -> UUID? {
        guard let categoryID else { return nil }
        let rules = try await connection.query("""
            SELECT r.id, r.position, r.category_id, r.channel, r.level, r.product, r.department_id FROM routing_rules r
             WHERE r.branch_id = \(branchID) AND r.category_id = \(categoryID)
               AND EXISTS (SELECT FROM departments d WHERE d.branch_id = r.branch_id AND d.id = r.department_id AND d.active)
            """).map { row in
            RoutingRule(id: try row.decode(at: 0), position: try row.decode(at: 1), categoryID: try row.decode(at: 2),
                        channel: try row.decode(at: 3), level: try row.decode(Int16?.self, at: 4).map(Int.init),
                        product: try row.decode(at: 5), departmentID: try row.decode(at: 6))
        }
        return Routing.department(for: RoutingFacts(categoryID: categoryID, channel: channel, level: level, product: product),
                                  rules: rules)
    }

    private func insertStatement(id: UUID, _ caller: Caller, _ intake: ComplaintIntake, department: UUID?, accessCode: AccessCode,
                                 idempotencyKey: String?, requestHash: Data?) throws -> PGQuery {
        let person = intake.complainant
        let windowSeconds = Double(repeatWindow.components.seconds)
        let sealed = try vault.seal(PersonalData(name: person.name, phone: person.phone, email: person.email, address: person.address,
                                                 idNumber: person.idNumber), branchID: caller.branchID, complaintID: id)
        let phoneIndex = vault.phoneIndex(person.phone)
        return """
            WITH earlier AS (
                SELECT id FROM complaints
                 WHERE branch_id = \(caller.branchID) AND category_id = \(intake.categoryID)
                   AND (customer_ref = \(person.customerRef)
                        OR (\(person.customerRef)::text IS NULL AND complainant_phone_index = \(phoneIndex)))
                   AND received_at >= coalesce(\(intake.receivedAt), now()) - make_interval(secs => \(windowSeconds))
                   AND received_at <= coalesce(\(intake.receivedAt), now())
                 ORDER BY received_at DESC LIMIT 1
            ), inserted AS (
                INSERT INTO complaints (branch_id, id, case_number, channel, source, complainant_sealed, complainant_key_id,
                       complainant_phone_index, customer_type, customer_ref, occurred_at, received_at,
                       product, party, location, description, desired_outcome, category_id, level, nature, priority,
                       repeat_of, department_id, department_by_rule, idempotency_key, idempotency_hash, created_by, safety,
                       access_code_digest, complainant_language, complainant_channel)
                SELECT b.id, \(id),
                       upper(b.code) || '-' || to_char(coalesce(\(intake.receivedAt), now()) AT TIME ZONE b.time_zone, 'YYYYMMDD')
                           || '-' || lpad(nextval('complaint_case_serial')::text, 6, '0'),
                       \(intake.channel), \(intake.source), \(sealed?.box), \(sealed?.keyID), \(phoneIndex),
                       \(person.customerType), \(person.customerRef), \(intake.occurredAt), coalesce(\(intake.receivedAt), now()),
                       \(intake.product), \(intake.party), \(intake.location), \(intake.description), \(intake.desiredOutcome),
                       \(intake.categoryID), \(intake.level.map(Int16.init))::smallint,
                       CASE WHEN e.id IS NOT NULL AND \(intake.nature) = 'general' THEN 'repeat' ELSE \(intake.nature) END,
                       \(intake.priority), e.id, \(department), \(department != nil), \(idempotencyKey), \(requestHash), \(caller.userID), \(intake.safety),
                       \(vault.accessCodeDigest(accessCode)), \(person.language.rawValue), \(person.preferredChannel ?? person.defaultChannel)
                  FROM branches b LEFT JOIN earlier e ON true
                 WHERE b.id = \(caller.branchID)
                ON CONFLICT (branch_id, created_by, idempotency_key) DO NOTHING
                RETURNING *
            )
            SELECT \(unescaped: ComplaintColumns.list),
                   EXISTS (SELECT FROM departments d WHERE d.branch_id = \(caller.branchID) AND d.id = \(department)
                                                     AND d.head_user_id = \(caller.userID)) AS by_head
              FROM inserted
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

    /// One complaint, if the caller may see it. The read of its customer's personal data goes
    /// into the audit trail in the same transaction.
    public func get(_ scope: AccessScope, id: UUID) async throws -> Complaint {
        try await database.withScope(scope) { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: ComplaintColumns.list), \(unescaped: ComplaintColumns.escalatedTiers) FROM complaints WHERE id = \(id)
                """)
            guard let row = rows.first else { throw StoreError.notFound }
            var complaint = try ComplaintColumns.complaint(row)
            complaint.escalatedTiers = try row.decode([Int32].self, at: ComplaintColumns.count).map(Int.init)
            try await AuditStore.recordAccess(connection, branchID: complaint.branchId, action: "read", entity: "complaints",
                                              entityID: complaint.id)
            return revealed(complaint, to: scope)
        }
    }
}
