import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// Retention and evidence erasure: after the retention period nothing that names the customer or
/// the people involved survives anywhere (case work, timeline, audit trail), evidence keeps its
/// hash, the audit chains still verify, and only operators erase evidence early.
@Suite("Retention erases every copy of a complaint's personal data; evidence keeps its hash")
struct RetentionErasureTests {
    /// Texts planted in every place the review found personal data surviving.
    static let planted = ["Alice Wang", "13812345678", "Bob Li", "ID card of Alice"]

    /// A complaint of branch a with case work in every table, written as the owner; returns its id
    /// and its evidence's id.
    static func plant(_ org: TestOrganisation, _ database: TestDatabase, closedDaysAgo: Int?) async throws -> (complaint: UUID, evidence: UUID) {
        let complaint = UUID(), evidence = UUID(), finding = UUID()
        let branch = org.a.id.uuidString.lowercased(), agent = org.a.users[.agent]!.uuidString.lowercased()
        let (c, e, f) = (complaint.uuidString.lowercased(), evidence.uuidString.lowercased(), finding.uuidString.lowercased())
        let closing = closedDaysAgo.map { "UPDATE complaints SET status = 'closed', closed_at = now() - interval '\($0) days' WHERE id = '\(c)';" } ?? ""
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withConnection { connection in
                try await connection.executeScript("""
                    INSERT INTO complaints (branch_id, id, case_number, channel, description, resolution, received_at)
                    VALUES ('\(branch)', '\(c)', 'F9-\(c.prefix(8))', 'phone', 'Alice Wang was charged twice', 'Refunded Alice Wang',
                            now() - interval '1500 days');
                    INSERT INTO complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by)
                    VALUES ('\(branch)', '\(c)', 'outbound', 'phone', 'note', 'Called Alice Wang on 13812345678', '\(agent)');
                    INSERT INTO complaint_evidence (branch_id, id, complaint_id, type, source, description, collected_at, collected_by,
                                                    content_type, content, size, sha256, recorded_by)
                    VALUES ('\(branch)', '\(e)', '\(c)', 'documentary', 'Alice Wang by post', 'copy of ID card of Alice', now(), 'Bob Li',
                            'text/plain', convert_to('ID card of Alice', 'UTF8'), 16, sha256(convert_to('ID card of Alice', 'UTF8')), '\(agent)');
                    INSERT INTO complaint_findings (branch_id, id, complaint_id, basis, direct_parties, indirect_parties, summary,
                                                    accountability, recorded_by)
                    VALUES ('\(branch)', '\(f)', '\(c)', 'fault', '{"Bob Li"}', '{"Alice Wang"}',
                            'Alice Wang, phone 13812345678, was overcharged', 'Bob Li apologises', '\(agent)');
                    INSERT INTO complaint_plans (branch_id, complaint_id, measures, description, status, proposed_by, rejected_by,
                                                 rejected_at, rejection_reason)
                    VALUES ('\(branch)', '\(c)', '{refund}', 'Refund Alice Wang', 'rejected', '\(agent)', '\(agent)', now(),
                            'Bob Li disagrees');
                    INSERT INTO complaint_surveys (branch_id, complaint_id, method, score, comments, recorded_by)
                    VALUES ('\(branch)', '\(c)', 'phone', 8, 'Alice Wang is content', '\(agent)');
                    INSERT INTO complaint_events (branch_id, complaint_id, actor_id, kind, before, after, note)
                    VALUES ('\(branch)', '\(c)', '\(agent)', 'resolve_on_the_spot', '{"status": "received", "resolution": null}',
                            '{"status": "closed", "resolution": "Refunded Alice Wang"}', 'spoke to Bob Li');
                    INSERT INTO complaint_handovers (branch_id, complaint_id, by_user_id, reason)
                    VALUES ('\(branch)', '\(c)', '\(agent)', 'Alice Wang asked for Bob Li');
                    -- An entry written before the audit trail left findings out, as older deployments hold.
                    SELECT audit.append('\(branch)', 'insert', 'complaint_findings', '\(f)', NULL,
                                        '{"summary": "Alice Wang, phone 13812345678, was overcharged", "direct_parties": ["Bob Li"]}');
                    \(closing)
                    """)
            }
        }
        return (complaint, evidence)
    }

    /// Every row of every table that holds a complaint's data, and the whole audit trail, as text.
    static func everything(_ owner: PGPool) async throws -> String {
        try await owner.query("""
            SELECT string_agg(t, '|') FROM (
                SELECT x::text AS t FROM complaints x UNION ALL SELECT x::text FROM complaint_communications x
                UNION ALL SELECT x::text || convert_from(coalesce(x.content, ''), 'UTF8') FROM complaint_evidence x
                UNION ALL SELECT x::text FROM complaint_findings x UNION ALL SELECT x::text FROM complaint_plans x
                UNION ALL SELECT x::text FROM complaint_surveys x UNION ALL SELECT x::text FROM complaint_events x
                UNION ALL SELECT x::text FROM complaint_handovers x UNION ALL SELECT x::text FROM follow_ups x
                UNION ALL SELECT x::text FROM audit_log x) rows
            """)[0].decode(String.self, at: 0)
    }

    @Test func retentionLeavesNoCopyAnywhereKeepsTheEvidenceHashAndTheChainsVerify() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let (complaint, evidence) = try await Self.plant(org, database, closedDaysAgo: 4 * 365)
        let hash: Data = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let text = try await Self.everything(owner)
            #expect(Self.planted.allSatisfy { text.contains($0) }, "planted everywhere")
            return try await owner.query("SELECT sha256 FROM complaint_evidence WHERE id = \(evidence)")[0].decode(at: 0)
        }
        try await database.withPool(scheduler: true, size: 1) { (pool: PGPool) async throws in
            _ = try await AuditStore(pool: pool).seal(batch: 100_000)
            let actions = try await RetentionStore(pool: pool).apply(RetentionStore.Periods(), dryRun: false)
            #expect(actions.map(\.complaintID) == [complaint] && actions.map(\.action) == ["erase"])
            _ = try await AuditStore(pool: pool).seal(batch: 100_000)
        }
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let text = try await Self.everything(owner)
            for planted in Self.planted { #expect(!text.contains(planted), "\(planted) survived retention") }
            let row = try await owner.query("""
                SELECT sha256, size, content IS NULL, content_erased_at IS NOT NULL FROM complaint_evidence WHERE id = \(evidence)
                """)[0]
            #expect(try row.decode(Data.self, at: 0) == hash && row.decode(Int.self, at: 1) == 16, "the evidence keeps its hash and size")
            #expect(try row.decode(Bool.self, at: 2) && row.decode(Bool.self, at: 3))
            let erasures = try await owner.query("""
                SELECT (after ->> 'erased')::integer FROM audit_log WHERE entity = 'audit_log' AND entity_id = \(complaint)
                """).map { try $0.decode(Int.self, at: 0) }
            #expect(erasures == [1], "the erasure of the older copy is itself an audit entry")
            #expect(try await AuditStore(pool: owner).verify().breaks.isEmpty, "the chains still verify after erasure")
            // Outside an erasure, evidence stays immutable, for the owner too.
            for statement in ["UPDATE complaint_evidence SET content = NULL, content_erased_at = now() WHERE id = '\(evidence.uuidString.lowercased())'",
                              "DELETE FROM complaint_evidence WHERE id = '\(evidence.uuidString.lowercased())'"] {
                let refused = await #expect(throws: PGError.self) { try await owner.query(PGQuery(unsafeSQL: statement)) }
                #expect(refused?.message.contains("immutable") == true, "\(statement)")
            }
        }
    }

    @Test func onlyOperatorsEraseEvidenceEarlyAndTheErasureIsRecorded() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let (complaint, evidence) = try await Self.plant(org, database, closedDaysAgo: nil)
        // The service role, with the branch manager's scope, tries the operators' path and the table itself.
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let scoped = ScopedDatabase(pool: pool)
            let id = evidence.uuidString.lowercased(), branch = org.a.id.uuidString.lowercased()
            for statement in ["SELECT retention.erase_evidence('\(branch)', '\(id)')",
                              "SELECT set_config('redress.evidence_erasure', 'on', true); UPDATE complaint_evidence SET content = NULL WHERE id = '\(id)'",
                              "SELECT retention.erase_complaint('\(branch)', '\(complaint.uuidString.lowercased())')",
                              "SELECT audit.erase_copies('\(branch)', '\(complaint.uuidString.lowercased())')"] {
                let refused = await #expect(throws: PGError.self) {
                    try await scoped.withScope(org.caller(.branchManager, in: org.a).scope) { connection in
                        try await connection.executeScript(statement)
                    }
                }
                #expect(refused?.sqlState == .insufficientPrivilege, "\(statement)")
            }
        }
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let before: Data = try await owner.query("SELECT sha256 FROM complaint_evidence WHERE id = \(evidence)")[0].decode(at: 0)
            #expect(try await RetentionStore(pool: owner).eraseEvidence(branchID: org.a.id, evidenceID: evidence))
            #expect(try await RetentionStore(pool: owner).eraseEvidence(branchID: org.b.id, evidenceID: evidence) == false, "another branch's id")
            let row = try await owner.query("""
                SELECT sha256, content IS NULL, description FROM complaint_evidence WHERE id = \(evidence)
                """)[0]
            #expect(try row.decode(Data.self, at: 0) == before && row.decode(Bool.self, at: 1))
            #expect(try row.decode(String?.self, at: 2) == "copy of ID card of Alice", "only the content goes before the retention period")
            let audited = try await owner.query("""
                SELECT after::text FROM audit_log WHERE entity = 'complaint_evidence' AND entity_id = \(evidence) AND action = 'update'
                """).map { try $0.decode(String.self, at: 0) }
            #expect(audited.count == 1 && audited.allSatisfy { $0.contains(#""content": "changed""#) }, "\(audited)")
            let timeline = try await owner.query("SELECT kind FROM complaint_events WHERE complaint_id = \(complaint) ORDER BY id")
                .map { try $0.decode(String.self, at: 0) }
            #expect(timeline.last == "evidence_erased")
        }
    }
}
