import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// The rows that grow with the complaints get time-ordered ids, version 7 (`sql/0090`): the
/// complaint and its confirmation's message from the service, its hand-over and communication from
/// the database's `public.uuid_v7()`, so that each is added at the end of its indexes.
@Suite("Time-ordered ids")
struct TimeOrderedIdTests {
    /// The Unix time in milliseconds of a version 7 id, nil for another version.
    static func milliseconds(_ id: UUID) -> UInt64? {
        let hex = Array(id.uuidString.lowercased())
        guard hex[14] == "7", "89ab".contains(hex[19]) else { return nil }
        return UInt64(String(hex.filter { $0 != "-" }.prefix(12)), radix: 16)
    }

    @Test func anIntakesRowsGetIdsOfTheTimeTheyWereMade() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let billing: UUID = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT id FROM categories WHERE branch_id = \(org.a.id) AND code = 'billing'")[0].decode(at: 0)
        }
        let before = UInt64(Date().timeIntervalSince1970 * 1000) - 1_000
        let complaint = try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)))
            return try await store.intake(org.caller(.agent, in: org.a), ComplaintIntake(
                channel: "phone", complainant: .init(name: "Li Hua", phone: "+86 10 5550 0001"), description: "charged twice",
                categoryID: billing), idempotencyKey: nil, requestHash: nil).complaint
        }
        let after = UInt64(Date().timeIntervalSince1970 * 1000) + 1_000
        let row = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("""
                SELECT c.id, (SELECT m.id FROM complainant_messages m WHERE m.complaint_id = c.id),
                       (SELECT h.id FROM complaint_handovers h WHERE h.complaint_id = c.id),
                       (SELECT k.id FROM complaint_communications k WHERE k.complaint_id = c.id)
                  FROM complaints c WHERE c.id = \(complaint.id)
                """)[0]
        }
        for (column, name) in ["complaint", "message", "hand-over", "communication"].enumerated() {
            let id: UUID = try row.decode(at: column)
            let made = try #require(Self.milliseconds(id), "the \(name)'s id \(id) is of version 7")
            #expect((before...after).contains(made), "the \(name)'s id tells when it was made")
        }
    }

    @Test func theDatabasesIdsSortByWhenTheyWereMade() async throws {
        let database = try await TestDatabase.create()
        let ids: [UUID] = try await database.withPool(size: 1) { (pool: PGPool) async throws in
            try await pool.query("""
                SELECT id FROM (SELECT g, public.uuid_v7() AS id, pg_sleep(0.002) FROM generate_series(1, 20) g) x ORDER BY g
                """).map { try $0.decode(at: 0) }
        }
        #expect(ids.allSatisfy { Self.milliseconds($0) != nil })
        #expect(ids.map(\.uuidString) == ids.map(\.uuidString).sorted(), "2 ms apart, each after the one before")
    }
}
