import Foundation
import LocalPostgres
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

@Suite("The audit hash chain and redress audit verify")
struct AuditChainTests {
    static func verify(_ database: TestDatabase) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let pid = try Subprocess.spawn([MultiInstanceTests.executable, "audit", "verify"],
                                       environment: ["OWNER_DATABASE_URL": database.ownerURL, "LOG_LEVEL": "error"], outputPath: log)
        let status = try await OwnThread.run { try Subprocess.wait(pid) }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test func sealedChainsVerifyAndAnOwnersTamperingIsFoundAtItsEntry() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let database = fixture.database
        try await fixture.database.withPool(size: 4) { (pool: PGPool) async throws in
            try await fixture.database.withPool(scheduler: true, size: 4) { (jobs: PGPool) async throws in
                _ = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 5, age: 25 * 3600)
                try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(database.schedulerURL)).drain()
                // Two sealers at once still give each branch one gapless chain.
                let sealers = [AuditSealer(pool: jobs, batchSize: 7), AuditSealer(pool: jobs, batchSize: 11)]
                async let first = sealers[0].sealAll()
                async let second = sealers[1].sealAll()
                #expect(try await first + second > 0)
                #expect(try await sealers[0].sealAll() == 0, "everything is sealed")
            }
        }
        let clean = try await Self.verify(database)
        #expect(clean.status == 0 && clean.output.contains("every chain holds"), "\(clean.output)")

        let tampered: Int64 = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("""
                SELECT max(seq), count(*) FILTER (WHERE seq IS NULL) FROM audit_log WHERE branch_id = \(fixture.org.a.id)
                """)[0]
            #expect(try row.decode(Int.self, at: 1) == 0)
            let length: Int64 = try row.decode(at: 0)
            #expect(length > 20, "intake, escalations and pages of five complaints are all on the trail")
            let target = length / 2
            // The owner edits an entry's content, as someone covering their tracks would.
            try await owner.query("""
                UPDATE audit_log SET after = jsonb_set(coalesce(after, '{}'), '{note}', '"nothing happened"')
                 WHERE branch_id = \(fixture.org.a.id) AND seq = \(target)
                """)
            return target
        }
        let broken = try await Self.verify(database)
        #expect(broken.status == 1)
        #expect(broken.output.contains("BROKEN branch \(fixture.org.a.id.uuidString.lowercased()) at entry \(tampered)"), "\(broken.output)")
        #expect(broken.output.contains("content does not match its hash"))

        // Deleting an entry (and fixing nothing else) breaks the chain at the entry after it.
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("UPDATE audit_log SET after = jsonb_set(after, '{note}', 'null') - 'note' WHERE branch_id = \(fixture.org.a.id) AND seq = \(tampered)")
            try await owner.query("DELETE FROM audit_log WHERE branch_id = \(fixture.org.a.id) AND seq = \(tampered)")
        }
        let gap = try await Self.verify(database)
        #expect(gap.status == 1 && gap.output.contains("at entry \(tampered + 1)") && gap.output.contains("entries missing before it"),
                "\(gap.output)")
    }

    @Test func auditorsSeeTheirBranchsChainStateAndNobodyElseDoes() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let database = fixture.database
        let org = fixture.org
        try await database.withPool(size: 4) { (pool: PGPool) async throws in
            try await database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
                _ = try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 2, age: 25 * 3600)
                #expect(try await AuditSealer(pool: jobs, batchSize: 50).sealAll() > 0)
            }
            let scoped = ScopedDatabase(pool: pool)
            let audit = AuditStore(pool: pool)
            let auditor = org.caller(.auditor, in: org.a)
            let states = try await audit.chainStates(auditor.scope, database: scoped)
            #expect(Set(states.map(\.branchID)) == auditor.scope.caseBranchIDs && !auditor.scope.caseBranchIDs.contains(org.c.id))
            let state = try #require(states.first { $0.branchID == org.a.id })
            #expect(state.sealed > 0 && state.breakSeq == nil && state.tipHash?.count == 64 && state.tipSeq == state.sealed)
            // Nobody else reads a chain: other roles of the branch, another branch's auditor, the auditor for another branch.
            let refusals: [(Caller, UUID)] = [(org.caller(.agent, in: org.a), org.a.id), (org.caller(.branchManager, in: org.a), org.a.id),
                                              (org.caller(.admin, in: org.a), org.a.id), (org.caller(.auditor, in: org.c), org.a.id),
                                              (auditor, org.c.id)]
            for (caller, branch) in refusals {
                await #expect(throws: PGError.self, "\(caller.roles) for \(branch)") {
                    try await scoped.withScope(caller.scope, readOnly: true) { connection in
                        try await connection.query("SELECT * FROM audit.chain_state(\(branch))")
                    }
                }
            }
            #expect(try await audit.chainStates(org.caller(.agent, in: org.a).scope, database: scoped).isEmpty)
            // An owner's tampering is the break the auditor sees, where verify finds it.
            let target: Int64 = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let target = state.sealed / 2
                try await owner.query("""
                    UPDATE audit_log SET after = jsonb_set(coalesce(after, '{}'), '{note}', '"nothing happened"')
                     WHERE branch_id = \(org.a.id) AND seq = \(target)
                    """)
                return target
            }
            let broken = try #require(try await audit.chainStates(auditor.scope, database: scoped).first { $0.branchID == org.a.id })
            #expect(broken.breakSeq == target && broken.problem == "content does not match its hash")
        }
    }
}
