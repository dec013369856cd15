import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// On Citus an identity column takes its values from per-node ranges, so within a branch a row
/// written first on a worker can carry a far larger id than one written after it on the
/// coordinator. Each test restarts the identity to play that out on plain PostgreSQL: a worker's
/// range first, then a coordinator's smaller one.
@Suite("Order that does not depend on identity values")
struct IdentityOrderTests {
    static let workerRange: Int64 = 281_474_976_710_657
    static let coordinatorRange: Int64 = 9_000_000

    /// The audit trail is sealed in the order its entries were written, and the chain verifies.
    @Test func theAuditTrailIsSealedInTheOrderItWasWritten() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let branch = org.a.id.uuidString.lowercased()
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withConnection { connection in
                try await connection.executeScript("""
                    ALTER TABLE audit_log ALTER COLUMN id RESTART WITH \(Self.workerRange);
                    SELECT audit.append('\(branch)', 'insert', 'probe', NULL, NULL, '{"written": "first"}');
                    ALTER TABLE audit_log ALTER COLUMN id RESTART WITH \(Self.coordinatorRange);
                    SELECT audit.append('\(branch)', 'insert', 'probe', NULL, NULL, '{"written": "second"}');
                    """)
            }
        }
        try await database.withPool(scheduler: true, size: 1) { (pool: PGPool) async throws in
            _ = try await AuditStore(pool: pool).seal(batch: 100_000)
        }
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let sealed = try await owner.query("""
                SELECT after ->> 'written', id FROM audit_log WHERE branch_id = \(org.a.id) AND entity = 'probe' ORDER BY seq
                """).map { (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1)) }
            #expect(sealed.map(\.0) == ["first", "second"], "sealed as written")
            #expect(sealed.map(\.1) == [Self.workerRange, Self.coordinatorRange], "whatever the ids say")
            #expect(try await AuditStore(pool: owner).verify().breaks.isEmpty)
        }
    }

    /// A complaint's timeline is read in the order its events were written.
    @Test func aTimelineIsReadInTheOrderItWasWritten() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let branch = org.a.id.uuidString.lowercased(), agent = org.a.users[.agent]!.uuidString.lowercased()
        let complaint = UUID()
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withConnection { connection in
                try await connection.executeScript("""
                    -- Checked per statement, so that no check waits for the commit while the table is altered.
                    SET CONSTRAINTS ALL IMMEDIATE;
                    INSERT INTO complaints (branch_id, id, case_number, channel, description)
                    VALUES ('\(branch)', '\(complaint.uuidString.lowercased())', 'ORDER-1', 'web', 'ordering');
                    ALTER TABLE complaint_events ALTER COLUMN id RESTART WITH \(Self.workerRange);
                    INSERT INTO complaint_events (branch_id, complaint_id, actor_id, kind)
                    VALUES ('\(branch)', '\(complaint.uuidString.lowercased())', '\(agent)', 'received');
                    ALTER TABLE complaint_events ALTER COLUMN id RESTART WITH \(Self.coordinatorRange);
                    INSERT INTO complaint_events (branch_id, complaint_id, actor_id, kind)
                    VALUES ('\(branch)', '\(complaint.uuidString.lowercased())', '\(agent)', 'acknowledge');
                    """)
            }
        }
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            let events = try await store.timeline(org.caller(.agent, in: org.a).scope, id: complaint)
            #expect(events.map(\.kind) == ["received", "acknowledge"])
        }
    }
}
