import Foundation
import LocalPostgres
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// Reports from a streaming standby the test makes (`pg_basebackup -R`): served by it while its
/// replay lag is within the bound, by the primary once replay is paused past it, and by the
/// standby again once it has caught up. The KPI report, both exports and the public lookup's view
/// are read there too; the exports' and the lookup's audit entries are written on the primary.
///
/// Two replicas share the standby's pool, so that neither side depends on how fast a loaded
/// machine runs the test: a patient one (a bound of ten minutes) for the reads that must stay on
/// the paused standby, and a strict one (two seconds) that the test waits to see fall behind.
@Suite("Reports from a read replica")
struct ReadReplicaTests {
    @Test func aStandbyServesReportsUntilItsReplayFallsBehind() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("replica-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        chmod(root.path, 0o755)
        let primary = LocalCluster(directory: root.appendingPathComponent("primary"), port: 6545, fastUnsafe: true)
        var standby: LocalCluster?
        defer {
            try? standby?.stop()
            try? primary.stop()
            try? FileManager.default.removeItem(at: root)
        }
        try await OwnThread.run { try primary.start() }
        let database = try await TestDatabase.create(ownerURL: primary.ownerURL, serviceURL: primary.serviceURL,
                                                     schedulerURL: primary.schedulerURL)
        let org = try await TestOrganisation.create(in: database)
        let copy = try await OwnThread.run { try primary.standby(into: root.appendingPathComponent("standby"), port: 6546) }
        standby = copy
        let standbyAdmin = copy.url(user: LocalCluster.superuser, database: database.name)
        let replicaPool = PGPool(configuration: PGPoolConfiguration(
            connection: PGConnectionConfiguration(copy.url(user: LocalCluster.serviceRole, database: database.name)), maximumConnections: 2))
        let patient = ReadReplica(pool: replicaPool, maximumLag: .seconds(600), checkInterval: .zero, checkTimeout: .seconds(60))
        let strict = ReadReplica(pool: replicaPool, maximumLag: .seconds(2), checkInterval: .zero, checkTimeout: .seconds(60))
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            // One configuration for both, since it holds the key that access codes are digested with.
            let configuration = StoreConfiguration(passwordHashCost: 4)
            /// The stores, reading through `replica`.
            func stores(_ replica: ReadReplica) -> (ReportStore, KPIStore, ComplaintStore) {
                let scoped = ScopedDatabase(pool: pool, configuration: configuration, replica: replica)
                return (ReportStore(database: scoped), KPIStore(database: scoped), ComplaintStore(database: scoped))
            }
            var (reports, kpis, complaints) = stores(patient)
            let agent = org.caller(.agent, in: org.a), manager = org.caller(.branchManager, in: org.a)
            // Billing complaints go to the branch's first department, whose name the public view shows.
            let (billing, desk): (UUID, String) = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                let row = try await owner.query("""
                    SELECT (SELECT id FROM categories WHERE branch_id = \(org.a.id) AND code = 'billing'),
                           (SELECT name FROM departments WHERE id = \(org.a.departments[0]))
                    """)[0]
                return (try row.decode(at: 0), try row.decode(at: 1))
            }
            @discardableResult
            func intake() async throws -> (id: UUID, caseNumber: String, code: AccessCode) {
                let taken = try await complaints.intake(agent, ComplaintIntake(channel: "phone", complainant: .init(name: "C", phone: "+86 10 1"),
                                                                               description: "noise at night", categoryID: billing),
                                                        idempotencyKey: nil, requestHash: nil)
                return (taken.complaint.id, taken.complaint.caseNumber, try #require(taken.accessCode))
            }
            /// What the public lookup shows of a complaint, nil when it refuses.
            func lookedUp(_ complaint: (id: UUID, caseNumber: String, code: AccessCode), code: AccessCode? = nil) async throws -> PublicProgress? {
                guard case .done(let progress) = try await complaints.lookUpProgress(caseNumber: complaint.caseNumber, code: code ?? complaint.code,
                                                                                     client: "198.51.100.7", requestID: nil) else { return nil }
                return progress
            }
            func received() async throws -> Int {
                let report = try await reports.complaints(manager, period: .containing(.month, nil), groupBy: .none, filter: ReportFilter())
                return report.totals.current.received + report.totals.previous.received
            }
            /// What the KPI report, the report's export and the list's export count.
            func readElsewhere() async throws -> (kpi: Int, reportExport: Int, listExport: Int) {
                let kpi = try await kpis.report(manager, month: nil, months: 2, grouping: .none, branchID: nil, departmentID: nil)
                let exported = try await reports.exportComplaints(manager, period: .containing(.month, nil), groupBy: .none,
                                                                  filter: ReportFilter(), format: "csv")
                let rows = try await reports.exportComplaints(manager, ComplaintFilter(), format: "csv")
                return (kpi.rows.filter(\.total).flatMap(\.months).map(\.received).reduce(0, +),
                        exported.totals.current.received + exported.totals.previous.received, rows?.count ?? -1)
            }
            /// Entries in the primary's audit trail: exports, and public lookups.
            func recorded(_ action: String, via: String? = nil) async throws -> Int {
                let superuser = try await PGConnection.connect(PGConnectionConfiguration(
                    primary.url(user: LocalCluster.superuser, database: database.name)))
                defer { superuser.close() }
                return try await superuser.query("""
                    SELECT count(*)::int8 FROM audit_log WHERE action = \(action) AND (\(via)::text IS NULL OR after ->> 'via' = \(via))
                    """)[0].decode(Int.self, at: 0)
            }
            func exportsRecorded() async throws -> Int { try await recorded("export") }
            let admin = try await PGConnection.connect(PGConnectionConfiguration(standbyAdmin))
            defer { admin.close() }
            /// Waits until the standby has replayed everything the primary has written so far: up to
            /// the insert position, since the cluster commits asynchronously and its write position
            /// may not have reached the last commit yet.
            func caughtUp() async throws {
                let written: String = try await pool.query("SELECT pg_current_wal_insert_lsn()::text")[0].decode(at: 0)
                for _ in 0..<400 {
                    if try await admin.query("SELECT pg_last_wal_replay_lsn() >= \(written)::pg_lsn")[0].decode(Bool.self, at: 0) { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
                Issue.record("the standby did not catch up")
            }
            let first = try await intake()
            try await caughtUp()
            #expect(await patient.serves())
            #expect(await strict.serves())
            let counted = try await received()
            #expect(counted == 1, "received \(counted)")
            #expect(try await lookedUp(first)?.department == desk)
            // The standby's lag is counted from the last commit it replayed: this one, just before the pause.
            try await caughtUp()

            // Replay paused: a second complaint is written but not replayed. Within the bound the
            // standby still answers (so the report is stale); past it, the primary answers.
            _ = try await admin.query("SELECT pg_wal_replay_pause()")
            let second = try await intake()
            let stale = try await received()
            #expect(stale == 1, "the standby answers while its lag is within the bound: \(stale)")
            let staleElsewhere = try await readElsewhere()
            #expect(staleElsewhere == (1, 1, 1), "the KPI report and the exports are read on the standby too: \(staleElsewhere)")
            #expect(try await exportsRecorded() == 2, "each export is recorded on the primary")
            // A new department name changes no complaint: the standby still shows the old one, so
            // the view is read there. A statement the complainant adds changes theirs: they read it
            // back from the primary, with the new name.
            _ = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.execute("UPDATE departments SET name = 'Renamed desk' WHERE id = \(org.a.departments[0])")
            }
            #expect(try await lookedUp(first)?.department == desk, "the lookup's view is read on the standby")
            guard case .added = try await complaints.addStatement(caseNumber: first.caseNumber, code: first.code, text: "It happened again",
                                                                  client: "198.51.100.7", requestID: nil) else {
                Issue.record("the statement was not added")
                return
            }
            let readBack = try await lookedUp(first)
            #expect(readBack?.department == "Renamed desk" && readBack?.timeline.contains { $0.kind == "statement_received" } == true,
                    "the complainant reads back their statement, from the primary: \(String(describing: readBack))")
            #expect(try await lookedUp(second)?.status == .received, "a complaint the standby does not have yet is shown from the primary")
            #expect(try await lookedUp(first, code: AccessCode.generate()) == nil, "a wrong code is refused at admission")
            #expect(try await recorded("read", via: "public_lookup") == 5, "every lookup is admitted and recorded on the primary")
            let wrongOnTheStandby: String = try await replicaPool.query("""
                SELECT progress.admitted_view(\(first.caseNumber), '\\x00'::bytea, NULL) ->> 'outcome'
                """)[0].decode(at: 0)
            #expect(wrongOnTheStandby == "unknown", "the standby's view checks the code too")
            (reports, kpis, complaints) = stores(strict)
            var behind = false
            for _ in 0..<600 where !behind {
                behind = await strict.serves() == false
                if !behind { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(behind, "the paused standby falls behind the strict bound")
            #expect(await patient.serves(), "and stays within the patient one")
            let fresh = try await received()
            #expect(fresh == 2, "past the bound, the primary answers: \(fresh)")
            let freshElsewhere = try await readElsewhere()
            #expect(freshElsewhere == (2, 2, 2), "and reads the KPI report and the exports: \(freshElsewhere)")
            #expect(try await exportsRecorded() == 4)
            let pastTheBound = try await lookedUp(first)
            #expect(pastTheBound?.department == "Renamed desk", "past the bound, the primary shows the lookup's view: \(String(describing: pastTheBound))")

            _ = try await admin.query("SELECT pg_wal_replay_resume()")
            try await caughtUp()
            #expect(await strict.serves())
            #expect(try await received() == 2, "caught up, the standby answers again")
        }
        await replicaPool.shutdown()
    }
}
