import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// Row-level security from the attacker's side: connected as the service role, with one
/// caller's scope set, try to read and write across the branch and department lines.
@Suite("Isolation matrix against PostgreSQL as the service role")
struct IsolationMatrixTests {
    /// Every tenant-scoped table with the column that names its branch.
    static let tables = [("branches", "id"), ("departments", "branch_id"), ("users", "branch_id"),
                         ("hq_grants", "branch_id"), ("sessions", "branch_id"), ("api_keys", "branch_id"),
                         ("categories", "branch_id"), ("routing_rules", "branch_id"), ("complaints", "branch_id"),
                         ("complaint_events", "branch_id"), ("complaint_handovers", "branch_id"),
                         ("complaint_communications", "branch_id"), ("complaint_evidence", "branch_id"),
                         ("complaint_findings", "branch_id"), ("complaint_plans", "branch_id"), ("complaint_surveys", "branch_id")]

    func withOrganisation(_ body: (ScopedDatabase, TestOrganisation) async throws -> Void) async throws {
        let database = try await TestDatabase.create()
        let organisation = try await TestOrganisation.create(in: database)
        try await Self.addComplaints(organisation, database)
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            try await body(ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)), organisation)
        }
    }

    func branchIDs(in table: String, column: String, _ connection: PGConnection) async throws -> Set<UUID> {
        Set(try await connection.query("SELECT DISTINCT \(unescaped: column) FROM \(unescaped: table)").map { try $0.decode(UUID.self, at: 0) })
    }

    @Test(arguments: Role.allCases)
    func noRoleSeesAnUngrantedBranch(role: Role) async throws {
        try await withOrganisation { database, org in
            let caller = org.caller(role, in: org.a)
            try await database.withScope(caller.scope) { connection in
                for (table, column) in Self.tables {
                    let seen = try await branchIDs(in: table, column: column, connection)
                    #expect(!seen.contains(org.c.id), "\(role) listed \(table) of branch c")
                    if !Role.crossBranch.contains(role) {
                        #expect(!seen.contains(org.b.id), "\(role) listed \(table) of branch b")
                    }
                }
                for id in org.c.allUserIDs + org.c.departments + [org.c.id] {
                    let rows = try await connection.query("""
                        SELECT 1 FROM users WHERE id = \(id) UNION ALL SELECT 1 FROM departments WHERE id = \(id)
                        UNION ALL SELECT 1 FROM branches WHERE id = \(id)
                        """)
                    #expect(rows.isEmpty, "\(role) read a row of branch c by id")
                }
            }
        }
    }

    /// The columns in which a complaint's child row copies its visibility (`sql/0033`).
    static let copied = "case_department_id, case_collaborating_department_ids, case_responsible_user_id"

    /// One complaint in each department of every branch, with a timeline entry and a hand-over.
    static func addComplaints(_ org: TestOrganisation, _ database: TestDatabase) async throws {
        try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            for branch in org.branches {
                for (index, department) in branch.departments.enumerated() {
                    try await pool.query("""
                        WITH c AS (
                            INSERT INTO complaints (branch_id, case_number, channel, description, department_id)
                            VALUES (\(branch.id), \(branch.code + "-\(index)"), 'phone', 'test', \(department))
                            RETURNING branch_id, id, department_id AS d, collaborating_department_ids AS cd, responsible_user_id AS r)
                        , e AS (INSERT INTO complaint_events (branch_id, complaint_id, kind, \(unescaped: Self.copied))
                                SELECT branch_id, id, 'received', d, cd, r FROM c)
                        , m AS (INSERT INTO complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by,
                                                                      \(unescaped: Self.copied))
                                SELECT branch_id, id, 'outbound', 'sms', 'confirmation', 'received', \(branch.users[.agent]!), d, cd, r FROM c)
                        , v AS (INSERT INTO complaint_evidence (branch_id, complaint_id, type, source, collected_at, collected_by, size, sha256,
                                                                recorded_by, \(unescaped: Self.copied))
                                SELECT branch_id, id, 'witness', 'desk', now(), 'agent', 0, sha256(''::bytea), \(branch.users[.agent]!), d, cd, r
                                  FROM c)
                        , f AS (INSERT INTO complaint_findings (branch_id, complaint_id, basis, summary, recorded_by, \(unescaped: Self.copied))
                                SELECT branch_id, id, 'fault', 'test', \(branch.users[.agent]!), d, cd, r FROM c)
                        , p AS (INSERT INTO complaint_plans (branch_id, complaint_id, measures, description, proposed_by, \(unescaped: Self.copied))
                                SELECT branch_id, id, '{apology}', 'test', \(branch.users[.agent]!), d, cd, r FROM c)
                        , s AS (INSERT INTO complaint_surveys (branch_id, complaint_id, method, score, recorded_by, \(unescaped: Self.copied))
                                SELECT branch_id, id, 'phone', 8, \(branch.users[.agent]!), d, cd, r FROM c)
                        INSERT INTO complaint_handovers (branch_id, complaint_id, to_department_id, \(unescaped: Self.copied))
                        SELECT branch_id, id, \(department), d, cd, r FROM c
                        """)
                }
            }
        }
    }

    @Test(arguments: [Role.handler, .departmentHead])
    func departmentScopedRolesSeeOnlyTheirDepartmentsComplaints(role: Role) async throws {
        try await withOrganisation { database, org in
            try await database.withScope(org.caller(role, in: org.a).scope) { connection in
                for table in ["complaints", "complaint_events", "complaint_handovers", "complaint_communications", "complaint_evidence",
                              "complaint_findings", "complaint_plans", "complaint_surveys"] {
                    let column = table == "complaints" ? "department_id" : "(SELECT department_id FROM complaints c WHERE c.id = complaint_id)"
                    let seen = Set(try await connection.query("SELECT DISTINCT \(unescaped: column) FROM \(unescaped: table)")
                        .map { try $0.decode(UUID.self, at: 0) })
                    #expect(seen == [org.a.departments[0]], "\(role) \(table)")
                }
                let moved = try await connection.execute("UPDATE complaints SET description = 'x' WHERE department_id = \(org.a.departments[1])")
                #expect(moved == 0)
            }
            await #expect(throws: PGError.self, "moving a complaint into another department") {
                try await database.withScope(org.caller(role, in: org.a).scope) { connection in
                    try await connection.execute("UPDATE complaints SET department_id = \(org.a.departments[1]) WHERE department_id = \(org.a.departments[0])")
                }
            }
            await #expect(throws: PGError.self, "taking in a complaint for another department") {
                try await database.withScope(org.caller(role, in: org.a).scope) { connection in
                    try await connection.execute("""
                        INSERT INTO complaints (branch_id, case_number, channel, description, department_id)
                        VALUES (\(org.a.id), 'x-1', 'web', 'x', \(org.a.departments[1]))
                        """)
                }
            }
        }
    }

    @Test func adminsSeeTheirBranchsPeopleButNotItsComplaints() async throws {
        try await withOrganisation { database, org in
            try await database.withScope(org.caller(.admin, in: org.a).scope) { connection in
                for table in ["complaints", "complaint_events", "complaint_evidence", "complaint_communications"] {
                    let count: Int = try await connection.query("SELECT count(*) FROM \(unescaped: table)")[0].decode(at: 0)
                    #expect(count == 0, "admin reads \(table)")
                }
                let people: Int = try await connection.query("SELECT count(*) FROM users")[0].decode(at: 0)
                #expect(people == org.a.allUserIDs.count)
            }
        }
    }

    @Test func executivesAndAuditorsSeeTheirGrantedBranch() async throws {
        try await withOrganisation { database, org in
            for role in [Role.executive, .auditor] {
                let seen = try await database.withScope(org.caller(role, in: org.a).scope) { connection in
                    try await branchIDs(in: "users", column: "branch_id", connection)
                }
                #expect(seen == [org.a.id, org.b.id])
            }
        }
    }

    @Test(arguments: [Role.handler, .departmentHead])
    func departmentScopedRolesSeeOnlyTheirDepartmentsPeople(role: Role) async throws {
        try await withOrganisation { database, org in
            let caller = org.caller(role, in: org.a)
            try await database.withScope(caller.scope) { connection in
                let other = try await connection.query("SELECT 1 FROM users WHERE id = \(org.a.otherDepartmentUser)")
                #expect(other.isEmpty, "\(role) read a user of another department by id")
                let listed = Set(try await connection.query("SELECT id FROM users").map { try $0.decode(UUID.self, at: 0) })
                #expect(listed == [org.a.users[.handler]!, org.a.users[.departmentHead]!])
                let agent = try await connection.query("SELECT 1 FROM users WHERE id = \(org.a.users[.agent]!)")
                #expect(agent.isEmpty, "an agent outside the department is not visible")
            }
        }
    }

    @Test(arguments: Role.allCases)
    func noRoleWritesIntoAnotherBranch(role: Role) async throws {
        try await withOrganisation { database, org in
            let scope = org.caller(role, in: org.a).scope
            let target = org.c
            let inserts: [PGQuery] = [
                "INSERT INTO departments (branch_id, name, kind) VALUES (\(target.id), 'Intruders', 'other')",
                "INSERT INTO users (branch_id, login, name, roles) VALUES (\(target.id), 'intruder', 'I', '{admin}')",
                "INSERT INTO complaints (branch_id, case_number, channel, description) VALUES (\(target.id), 'X-1', 'web', 'planted')",
                "INSERT INTO complaint_events (branch_id, complaint_id, kind) VALUES (\(target.id), gen_random_uuid(), 'forged')",
                """
                INSERT INTO complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by)
                VALUES (\(target.id), gen_random_uuid(), 'inbound', 'sms', 'note', 'planted', \(org.a.users[role]!))
                """,
                """
                INSERT INTO api_keys (branch_id, user_id, name, key_prefix, key_hash)
                VALUES (\(target.id), \(target.users[.bot]!), 'stolen', 'x', \(Data(repeating: 1, count: 32)))
                """,
            ]
            for insert in inserts {
                await #expect(throws: PGError.self, "\(role): \(insert.sql)") {
                    try await database.withScope(scope) { connection in try await connection.execute(insert) }
                }
            }
            let updates: [PGQuery] = [
                "UPDATE departments SET name = 'Taken' WHERE branch_id = \(target.id)",
                "UPDATE users SET name = 'Taken' WHERE branch_id = \(target.id)",
                "UPDATE api_keys SET revoked_at = now() WHERE branch_id = \(target.id)",
                "UPDATE sessions SET revoked_at = now() WHERE branch_id = \(target.id)",
                "DELETE FROM departments WHERE branch_id = \(target.id)",
                "DELETE FROM users WHERE branch_id = \(target.id)",
                "UPDATE complaints SET status = 'closed' WHERE branch_id = \(target.id)",
                "UPDATE routing_rules SET position = 1 WHERE branch_id = \(target.id)",
                "UPDATE complaint_plans SET status = 'approved' WHERE branch_id = \(target.id)",
            ]
            for update in updates {
                let changed = try await database.withScope(scope) { connection in try await connection.execute(update) }
                #expect(changed == 0, "\(role): \(update.sql)")
            }
            // Branches change only through public.change_branch, which asks whether the caller
            // administers the branch; the table itself is read-only to the service.
            await #expect(throws: PGError.self, "\(role) updated a branch directly") {
                try await database.withScope(scope) { try await $0.execute("UPDATE branches SET name = 'Taken' WHERE id = \(target.id)") }
            }
            let changedBranch = try await database.withScope(scope) { connection in
                try await connection.query("SELECT id FROM public.change_branch(\(target.id), 'Taken', NULL, 'UTC')")
            }
            #expect(changedBranch.isEmpty, "\(role) changed another branch")
        }
    }

    @Test func anAdminCannotMoveRowsIntoAnotherBranch() async throws {
        try await withOrganisation { database, org in
            let scope = org.caller(.admin, in: org.a).scope
            await #expect(throws: PGError.self) {
                try await database.withScope(scope) { connection in
                    try await connection.execute("UPDATE departments SET branch_id = \(org.c.id) WHERE branch_id = \(org.a.id)")
                }
            }
            await #expect(throws: PGError.self) {
                try await database.withScope(scope) { connection in
                    try await connection.execute("UPDATE users SET department_ids = \([org.c.departments[0]]) WHERE id = \(org.a.users[.agent]!)")
                }
            }
            await #expect(throws: PGError.self, "a department head from another branch") {
                try await database.withScope(scope) { connection in
                    try await connection.execute("UPDATE departments SET head_user_id = \(org.c.users[.admin]!) WHERE branch_id = \(org.a.id)")
                }
            }
        }
    }

    @Test(arguments: [Role.handler, .departmentHead, .agent, .branchManager, .auditor, .executive, .bot])
    func onlyAdminsChangeTheirBranchsConfiguration(role: Role) async throws {
        try await withOrganisation { database, org in
            let scope = org.caller(role, in: org.a).scope
            await #expect(throws: PGError.self) {
                try await database.withScope(scope) { connection in
                    try await connection.execute("INSERT INTO departments (branch_id, name, kind) VALUES (\(org.a.id), 'New', 'other')")
                }
            }
            let changed = try await database.withScope(scope) { connection in
                try await connection.execute("UPDATE users SET name = 'Changed' WHERE id = \(org.a.users[role]!)")
                    + connection.execute("UPDATE departments SET name = 'Changed' WHERE id = \(org.a.departments[0])")
                    + connection.execute("DELETE FROM departments WHERE id = \(org.a.departments[1])")
            }
            #expect(changed == 0)
        }
    }

    @Test func withoutAScopeNothingIsVisibleOrWritable() async throws {
        try await withOrganisation { database, org in
            try await database.pool.withTransaction { connection in
                for (table, _) in Self.tables {
                    let count: Int = try await connection.query("SELECT count(*) FROM \(unescaped: table)")[0].decode(at: 0)
                    #expect(count == 0, "\(table) without scope")
                }
            }
            await #expect(throws: PGError.self) {
                try await database.pool.execute("INSERT INTO departments (branch_id, name, kind) VALUES (\(org.a.id), 'X', 'other')")
            }
            try await database.withScope(.nobody) { connection in
                let count: Int = try await connection.query("SELECT count(*) FROM users")[0].decode(at: 0)
                #expect(count == 0)
            }
        }
    }

    /// The scope is set with `SET LOCAL` (what Citus passes on to its workers) from quoted literals:
    /// a request id a client could shape sets exactly itself and ends nothing early.
    @Test func theScopeIsSetLocallyFromQuotedLiterals() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let scoped = ScopedDatabase(pool: pool)
            var admin = org.caller(.admin, in: org.a)
            admin.requestID = "x'; RESET ALL; SET LOCAL redress.roles = '{auditor}'; --\\"
            let (requestID, roles, users): (String, String, Int) = try await scoped.withScope(admin.scope) { connection in
                let row = try await connection.query("""
                    SELECT current_setting('redress.request_id'), current_setting('redress.roles'), (SELECT count(*) FROM users)
                    """)[0]
                return (try row.decode(at: 0), try row.decode(at: 1), try row.decode(at: 2))
            }
            #expect(requestID == admin.requestID && roles == "{admin}" && users > 0)
            let settings = try ScopedDatabase.scopeSettings(admin.scope, statementTimeout: .seconds(5))
            #expect(settings.first == "SET LOCAL citus.propagate_set_commands = 'local'" && settings[1].hasPrefix("SET LOCAL redress.")
                    && settings.allSatisfy { $0.hasPrefix("SET LOCAL ") && !$0.contains("set_config") })
        }
    }

    @Test func aScopeNeverReachesTheNextBorrowerOfTheConnection() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            let scoped = ScopedDatabase(pool: pool)
            let admin = org.caller(.admin, in: org.a).scope
            let before: Int = try await scoped.withScope(admin) { try await $0.query("SELECT count(*) FROM users")[0].decode(at: 0) }
            #expect(before > 0)
            for _ in 0..<2 {
                try await pool.withConnection { connection in
                    let leaked: String? = try await connection.query("SELECT current_setting('redress.branch_ids', true)")[0].decode(at: 0)
                    #expect(leaked == nil || leaked == "")
                    let count: Int = try await connection.query("SELECT count(*) FROM users")[0].decode(at: 0)
                    #expect(count == 0)
                }
                struct Abort: Error {}
                await #expect(throws: Abort.self) {
                    try await scoped.withScope(admin) { _ in throw Abort() }
                }
            }
        }
    }
}

extension PGPool {
    /// Runs one statement on a pooled connection and returns the affected row count.
    func execute(_ query: PGQuery) async throws -> Int {
        try await withConnection { try await $0.execute(query) }
    }
}
