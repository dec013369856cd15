import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// A complaint collaborates with at most 32 departments (`sql/0082_…`), however it is written: the
/// indexes that carry a case's departments could not hold an entry for many more.
@Suite("A case's collaborating departments are capped by the database")
struct CollaboratorCapTests {
    @Test func thirtyTwoDepartmentsCollaborateAndAThirtyThirdIsRefused() async throws {
        let fixture = try await ReportTests.fixture(perBranch: 8)
        let branch = fixture.org.a.id
        try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let departments: [UUID] = try await owner.query("""
                INSERT INTO departments (branch_id, name, kind)
                SELECT \(branch), 'Collaborator ' || n, 'other' FROM generate_series(1, 33) AS n RETURNING id
                """).map { try $0.decode(at: 0) }
            let complaint: UUID = try await owner.query("SELECT id FROM complaints WHERE branch_id = \(branch) ORDER BY id LIMIT 1")[0].decode(at: 0)
            for count in [32, 33] {
                do {
                    _ = try await owner.query("""
                        UPDATE complaints SET collaborating_department_ids = \(Array(departments.prefix(count)))::uuid[] WHERE id = \(complaint)
                        """)
                    #expect(count == 32, "a 33rd collaborating department was taken")
                } catch let error as PGError {
                    #expect(count == 33 && error.sqlState == .checkViolation && error.constraint == "complaints_collaborators_capped", "\(error)")
                }
            }
            let kept: Int = try await owner.query("SELECT cardinality(collaborating_department_ids) FROM complaints WHERE id = \(complaint)")[0]
                .decode(at: 0)
            #expect(kept == 32)
        }
    }
}
