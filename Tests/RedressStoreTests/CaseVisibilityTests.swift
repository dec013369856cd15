import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// A complaint's child rows carry a copy of its visibility, which the database ties to the
/// complaint's own (`sql/0033_child_rows_carry_their_case_visibility.sql`, ``CaseVisibility``).
@Suite("Child rows follow their complaint's visibility")
struct CaseVisibilityTests {
    /// A communication written while the complaint moves to another department: the move waits
    /// for the writer, then carries the new row along, and both commit.
    @Test func aRowWrittenWhileTheComplaintMovesGoesWithIt() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await IsolationMatrixTests.addComplaints(org, database)
        let (from, to) = (org.a.departments[0], org.a.departments[1])
        let complaint: UUID = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT id FROM complaints WHERE department_id = \(from)")[0].decode(at: 0)
        }
        try await database.withPool(size: 3) { (pool: PGPool) async throws in
            let scoped = ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4))
            let handler = org.caller(.handler, in: org.a), agent = org.caller(.agent, in: org.a)
            let (release, releasing) = AsyncStream<Void>.makeStream()
            let (wrote, writing) = AsyncStream<Void>.makeStream()
            // The writer takes the case shared and writes as the store does, then holds its transaction open.
            let writer = Task {
                try await scoped.withScope(handler.scope) { connection in
                    let branch = try await CaseVisibility.lockShared(complaint, connection)
                    try await connection.execute("""
                        INSERT INTO complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by,
                                                              \(unescaped: CaseVisibility.columns))
                        SELECT \(branch), \(complaint), 'inbound', 'phone', 'note', 'during the move', \(handler.userID),
                               \(unescaped: CaseVisibility.fromComplaint)
                          FROM complaints c WHERE c.branch_id = \(branch) AND c.id = \(complaint)
                        """)
                    writing.yield()
                    for await _ in release { break }
                }
            }
            for await _ in wrote { break }
            let move = Task {
                try await ComplaintStore(database: scoped).perform(agent, id: complaint, ComplaintStep(.assign, departmentID: to))
            }
            // The move waits on the case's lock until the writer commits.
            try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                var waiting = 0
                for _ in 0..<600 where waiting == 0 {
                    // This test's database only: other tests, running at the same time, wait on locks of their own.
                    waiting = try await owner.query("""
                        SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                         WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()
                        """)[0].decode(at: 0)
                    if waiting == 0 { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(waiting == 1, "the move waits for the writer")
            }
            releasing.yield()
            try await writer.value
            let moved = try await move.value
            #expect(moved.departmentId == to)
            // The department it joined reads the row written during the move; the one it left does not.
            let other = AccessScope(userID: org.a.otherDepartmentUser, roles: [.handler], branchIDs: [org.a.id], wideBranchIDs: [],
                                    caseBranchIDs: [], departmentIDs: [to], adminBranchIDs: [])
            let seen = try await CaseWorkStore(database: scoped).communications(other, complaintID: complaint).map(\.content)
            #expect(seen.contains("during the move"))
            await #expect(throws: StoreError.self) { try await CaseWorkStore(database: scoped).communications(handler.scope, complaintID: complaint) }
        }
    }

    /// The database, not only the store, keeps the copy true: a row claiming another visibility
    /// than its complaint's, or a complaint moved without its rows, fails at commit.
    @Test func aCopyOtherThanTheComplaintsFailsTheCommit() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await IsolationMatrixTests.addComplaints(org, database)
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let complaint: UUID = try await owner.query("SELECT id FROM complaints WHERE department_id = \(org.a.departments[0])")[0].decode(at: 0)
            let forged = await #expect(throws: PGError.self) {
                try await owner.query("""
                    INSERT INTO complaint_events (branch_id, complaint_id, kind, \(unescaped: CaseVisibility.columns))
                    VALUES (\(org.a.id), \(complaint), 'received', \(org.a.departments[1]), '{}', NULL)
                    """)
            }
            #expect(forged?.sqlState == .foreignKeyViolation)
            let left = await #expect(throws: PGError.self) {
                try await owner.query("UPDATE complaints SET department_id = \(org.a.departments[1]) WHERE id = \(complaint)")
            }
            #expect(left?.sqlState == .foreignKeyViolation)
            let followed: Int = try await owner.withTransaction { connection in
                try await connection.execute("UPDATE complaints SET department_id = \(org.a.departments[1]) WHERE id = \(complaint)")
                return try await connection.query("SELECT follow_case(\(org.a.id), \(complaint))")[0].decode(at: 0)
            }
            #expect(followed == 7, "the seven child rows of the organisation's complaint follow it")
        }
    }
}
