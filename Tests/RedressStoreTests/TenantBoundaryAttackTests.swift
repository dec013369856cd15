import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// The security review's attacks on tenant boundaries (F2, F5, F6, F12, F14, F15, F16), run as
/// the service role with the scope the attacking caller would have. Each must be refused by the
/// database itself, with nothing changed.
@Suite("Tenant boundaries hold against the service role with a caller's scope")
struct TenantBoundaryAttackTests {
    func withOrganisation(_ body: (ScopedDatabase, TestOrganisation, TestDatabase) async throws -> Void) async throws {
        let database = try await TestDatabase.create()
        let organisation = try await TestOrganisation.create(in: database)
        try await IsolationMatrixTests.addComplaints(organisation, database)
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            try await body(ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4)), organisation, database)
        }
    }

    /// Runs `statement` in `scope` and returns the rows it changed, or the SQLSTATE it failed with.
    func attempt(_ statement: PGQuery, as scope: AccessScope, _ database: ScopedDatabase) async -> String {
        do {
            return "changed \(try await database.withScope(scope) { try await $0.execute(statement) })"
        } catch let error as PGError {
            return error.sqlState?.rawValue ?? "error"
        } catch {
            return "\(error)"
        }
    }

    func ownerValue(_ query: PGQuery, _ database: TestDatabase) async throws -> String {
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query(query)[0].decode(String.self, at: 0)
        }
    }

    /// F2: a branch admin cannot change, reset, deactivate, delete or re-role an executive or an
    /// auditor (both hold grants to another branch), nor make anyone one.
    @Test func aBranchAdminCannotTakeOverPeopleWithReachBeyondTheBranch() async throws {
        try await withOrganisation { scoped, org, database in
            let admin = org.caller(.admin, in: org.a).scope
            let executive = org.a.users[.executive]!, auditor = org.a.users[.auditor]!
            let before = try await ownerValue("SELECT md5(string_agg(u::text, '|' ORDER BY u.id)) FROM users u", database)
            for target in [executive, auditor] {
                for attack: PGQuery in [
                    "UPDATE users SET roles = '{executive,agent}', updated_at = now() WHERE id = \(target)",
                    "UPDATE users SET password_hash = crypt('attacker-chosen-pw', gen_salt('bf', 4)) WHERE id = \(target)",
                    "UPDATE users SET active = false WHERE id = \(target)",
                    "DELETE FROM users WHERE id = \(target)",
                ] {
                    #expect(await attempt(attack, as: admin, scoped) == "changed 0", "\(attack.sql)")
                }
            }
            #expect(await attempt("UPDATE users SET roles = '{auditor}' WHERE id = \(org.a.users[.agent]!)", as: admin, scoped) == "42501")
            #expect(await attempt("""
                INSERT INTO users (branch_id, login, name, roles) VALUES (\(org.a.id), 'new-exec', 'N', '{executive}')
                """, as: admin, scoped) == "42501")
            // The user store refuses before the database is asked.
            var changes = UserStore.Changes()
            changes.roles = .set([.agent])
            await #expect(throws: StoreError.forbidden) {
                _ = try await UserStore(database: scoped).update(admin, id: executive, changes)
            }
            #expect(try await ownerValue("SELECT md5(string_agg(u::text, '|' ORDER BY u.id)) FROM users u", database) == before)
        }
    }

    /// F2: a holder of HQ grants stays an operator's, whatever their role, until the last grant is
    /// taken back; the mark that says so on their row is the operator's alone, and holds under a grant.
    @Test func holdersOfHQGrantsStayOperatorsUntilTheLastGrantGoes() async throws {
        try await withOrganisation { scoped, org, database in
            let admin = org.caller(.admin, in: org.a).scope
            let executive = org.a.users[.executive]!
            func asOwner(_ query: PGQuery) async throws {
                try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in _ = try await owner.query(query) }
            }
            try await asOwner("UPDATE users SET roles = '{branch_manager}' WHERE id = \(executive)")
            #expect(await attempt("UPDATE users SET active = false WHERE id = \(executive)", as: admin, scoped) == "changed 0")
            #expect(await attempt("DELETE FROM users WHERE id = \(executive)", as: admin, scoped) == "changed 0")
            #expect(await attempt("UPDATE users SET holds_hq_grants = false WHERE id = \(executive)", as: admin, scoped) == "42501")
            await #expect(throws: PGError.self, "the mark cannot be cleared under a grant") {
                try await asOwner("UPDATE users SET holds_hq_grants = false WHERE id = \(executive)")
            }
            try await asOwner("SELECT public.revoke_hq(\(org.a.id), \(executive), \(org.b.id))")
            #expect(await attempt("UPDATE users SET active = false WHERE id = \(executive)", as: admin, scoped) == "changed 1")
        }
    }

    /// F2: a grant counts only while its holder has the role it was made for, and granted
    /// branches are read-only even to an executive who also holds a writing role at home.
    @Test func grantsNameTheirRoleAndGrantedBranchesAreReadOnly() async throws {
        try await withOrganisation { scoped, org, database in
            let token = CredentialSecret(kind: .session)
            try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("""
                    INSERT INTO sessions (branch_id, user_id, token_hash, expires_at)
                    VALUES (\(org.a.id), \(org.a.users[.executive]!), \(token.hash), now() + interval '1 hour')
                    """)
            }
            func granted() async throws -> [UUID] {
                try await scoped.pool.query("SELECT granted_branch_ids FROM auth.resolve(\(token.hash))")[0].decode(at: 0)
            }
            #expect(try await granted() == [org.b.id])
            try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("UPDATE users SET roles = '{branch_manager}' WHERE id = \(org.a.users[.executive]!)")
            }
            #expect(try await granted().isEmpty, "an executive's grant ends with the role")

            var executive = org.caller(.executive, in: org.a)
            executive.roles = [.executive, .agent]
            let scope = executive.scope
            #expect(scope.caseWriteBranchIDs == [org.a.id] && scope.personalDataBranchIDs == [org.a.id])
            #expect(await attempt("UPDATE complaints SET priority = 'urgent' WHERE branch_id = \(org.b.id)", as: scope, scoped) == "changed 0")
            #expect(await attempt("""
                INSERT INTO complaints (branch_id, case_number, channel, description) VALUES (\(org.b.id), 'X-9', 'web', 'x')
                """, as: scope, scoped) == "42501")
            #expect(await attempt("UPDATE complaints SET priority = 'urgent' WHERE branch_id = \(org.a.id)", as: scope, scoped) == "changed 2")
        }
    }

    /// F5: timeline entries and hand-overs only on complaints the writer may work on, and the
    /// same refusal whether or not the complaint exists (no existence oracle).
    @Test func timelineAndHandOversOnlyOnComplaintsTheWriterMayWorkOn() async throws {
        try await withOrganisation { scoped, org, database in
            let foreign: UUID = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT id FROM complaints WHERE department_id = \(org.a.departments[1])")[0].decode(at: 0)
            }
            let events = try await ownerValue("SELECT count(*)::text FROM complaint_events", database)
            for role in [Role.handler, .departmentHead, .bot, .auditor, .executive] {
                let caller = org.caller(role, in: org.a)
                for complaint in role == .handler || role == .departmentHead ? [foreign, UUID()] : [foreign] {
                    #expect(await attempt("""
                        INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind, after, note)
                        VALUES (\(org.a.id), \(complaint), \(caller.userID), \([role.rawValue]), 'close', '{"status":"closed"}', 'forged')
                        """, as: caller.scope, scoped) == "42501", "\(role) forges a timeline entry")
                    #expect(await attempt("""
                        INSERT INTO complaint_handovers (branch_id, complaint_id, to_department_id, by_user_id, reason)
                        VALUES (\(org.a.id), \(complaint), \(org.a.departments[0]), \(caller.userID), 'forged')
                        """, as: caller.scope, scoped) == "42501", "\(role) forges a hand-over")
                }
                #expect(await attempt("""
                    INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind)
                    VALUES (\(org.a.id), \(foreign), \(caller.userID), \([role.rawValue]), 'page_acknowledged')
                    """, as: caller.scope, scoped) == "42501", "\(role) acknowledges a page it never received")
                // A row claiming to belong to one's own department passes the policy and fails the
                // commit: its copy of the complaint's visibility is tied to the complaint's own.
                #expect(["42501", "23503"].contains(await attempt("""
                    INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind, note, \(unescaped: IsolationMatrixTests.copied))
                    VALUES (\(org.a.id), \(foreign), \(caller.userID), \([role.rawValue]), 'close', 'forged', \(org.a.departments[0]),
                            \([org.a.departments[0]]), \(caller.userID))
                    """, as: caller.scope, scoped)), "\(role) forges its way in with a copy of another visibility")
                // … nor by putting the forged copy right before the commit checks it.
                await #expect(throws: PGError.self, "\(role) forges a copy, then puts it right") {
                    try await scoped.withScope(caller.scope) { connection in
                        try await connection.execute("""
                            INSERT INTO complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by,
                                                                  \(unescaped: IsolationMatrixTests.copied))
                            VALUES (\(org.a.id), \(foreign), 'outbound', 'sms', 'note', 'forged', \(caller.userID), \(org.a.departments[0]),
                                    '{}', NULL)
                            """)
                        try await connection.execute("""
                            UPDATE complaint_communications SET case_department_id = \(org.a.departments[1])
                            """)
                    }
                }
            }
            #expect(try await ownerValue("SELECT count(*)::text FROM complaint_events", database) == events)
            #expect(try await ownerValue("SELECT count(*)::text FROM complaint_communications WHERE content = 'forged'", database) == "0")
        }
    }

    /// F6: auditors and executives read; they neither change complaints, take them in, nor add
    /// case work. Nobody moves a complaint to another branch.
    @Test func auditorsAndExecutivesAreReadOnlyInTheDatabase() async throws {
        try await withOrganisation { scoped, org, database in
            let before = try await ownerValue("SELECT md5(string_agg(c::text, '|' ORDER BY c.id)) FROM complaints c", database)
            for role in [Role.auditor, .executive] {
                let caller = org.caller(role, in: org.a)
                for branch in [org.a, org.b] {
                    #expect(await attempt("UPDATE complaints SET status = 'closed', resolution = 'x' WHERE branch_id = \(branch.id)",
                                          as: caller.scope, scoped) == "changed 0", "\(role) closes in \(branch.code)")
                    #expect(await attempt("""
                        INSERT INTO complaints (branch_id, case_number, channel, description) VALUES (\(branch.id), 'AUD-1', 'web', 'x')
                        """, as: caller.scope, scoped) == "42501", "\(role) takes in for \(branch.code)")
                    #expect(await attempt("""
                        INSERT INTO complaint_communications (branch_id, complaint_id, direction, channel, kind, content, recorded_by)
                        SELECT branch_id, id, 'outbound', 'sms', 'note', 'x', \(caller.userID) FROM complaints WHERE branch_id = \(branch.id)
                        """, as: caller.scope, scoped) == "42501", "\(role) logs case work in \(branch.code)")
                }
            }
            let agent = org.caller(.agent, in: org.a).scope
            #expect(await attempt("UPDATE complaints SET branch_id = \(org.c.id), department_id = NULL WHERE branch_id = \(org.a.id)",
                                  as: agent, scoped) == "42501", "the branch of a complaint is not the service's to change")
            #expect(try await ownerValue("SELECT md5(string_agg(c::text, '|' ORDER BY c.id)) FROM complaints c", database) == before)
        }
    }

    /// F12: the proposer does not approve, and a plan's two approvals are two people's.
    @Test func planApprovalsNeedSomeoneElse() async throws {
        try await withOrganisation { scoped, org, database in
            let head = org.caller(.departmentHead, in: org.a), manager = org.caller(.branchManager, in: org.a)
            try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("""
                    UPDATE complaint_plans SET proposed_by = \(head.userID)
                     WHERE branch_id = \(org.a.id) AND complaint_id IN (SELECT id FROM complaints WHERE department_id = \(org.a.departments[0]))
                    """)
            }
            let plan = "complaint_id IN (SELECT id FROM complaints WHERE department_id = '\(org.a.departments[0].uuidString.lowercased())')"
            #expect(await attempt(PGQuery(unsafeSQL: """
                UPDATE complaint_plans SET status = 'approved', head_approved_by = '\(head.userID.uuidString.lowercased())', head_approved_at = now()
                 WHERE \(plan)
                """), as: head.scope, scoped) == "23514", "self-approval")
            #expect(await attempt(PGQuery(unsafeSQL: """
                UPDATE complaint_plans SET status = 'approved', head_approved_by = '\(manager.userID.uuidString.lowercased())',
                       leadership_approved_by = '\(manager.userID.uuidString.lowercased())' WHERE \(plan)
                """), as: manager.scope, scoped) == "23514", "both approvals by one person")
            #expect(await attempt(PGQuery(unsafeSQL: """
                UPDATE complaint_plans SET status = 'head_approved', head_approved_by = '\(manager.userID.uuidString.lowercased())' WHERE \(plan)
                """), as: manager.scope, scoped) == "changed 1", "someone else approves")
        }
    }

    /// F14: the service cannot pick the ids of users or departments, and a caller whose ids
    /// match another branch's people or departments sees nothing of that branch.
    @Test func idsMatchOnlyWithinTheBranch() async throws {
        try await withOrganisation { scoped, org, database in
            let admin = org.caller(.admin, in: org.a).scope
            #expect(await attempt("""
                INSERT INTO users (branch_id, id, login, name, roles) VALUES (\(org.a.id), \(org.b.users[.handler]!), 'twin', 'Twin', '{bot}')
                """, as: admin, scoped) == "42501")
            #expect(await attempt("""
                INSERT INTO departments (branch_id, id, name, kind) VALUES (\(org.a.id), \(org.b.departments[0]), 'Twin', 'other')
                """, as: admin, scoped) == "42501")
            // A caller of branch c whose ids are branch a's (as a twin would have): nothing of a.
            try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("""
                    INSERT INTO escalations (branch_id, complaint_id, tier, due_at, late_seconds, \(unescaped: IsolationMatrixTests.copied))
                    SELECT branch_id, id, 1, now(), 0, department_id, collaborating_department_ids, responsible_user_id
                      FROM complaints WHERE department_id = \(org.a.departments[0])
                    """)
                _ = try await owner.query("""
                    INSERT INTO pages (branch_id, escalation_id, complaint_id, recipient_user_id, recipient_kind, tier, rung, late, summary,
                                       \(unescaped: IsolationMatrixTests.copied))
                    SELECT e.branch_id, e.id, e.complaint_id, \(org.a.users[.departmentHead]!), 'department_head', 1, 1, false, '{}',
                           e.case_department_id, e.case_collaborating_department_ids, e.case_responsible_user_id
                      FROM escalations e
                    """)
            }
            let twin = AccessScope(userID: org.a.users[.departmentHead]!, roles: [.departmentHead], branchIDs: [org.c.id],
                                   wideBranchIDs: [], caseBranchIDs: [], departmentIDs: [org.a.departments[0]], adminBranchIDs: [])
            try await scoped.withScope(twin) { connection in
                for table in ["pages", "complaints", "complaint_pauses", "complaint_plans", "complaint_events"] {
                    let seen: Int = try await connection.query("SELECT count(*) FROM \(unescaped: table)")[0].decode(at: 0)
                    #expect(seen == 0, "a twin id reads \(table) of another branch")
                }
            }
        }
    }

    /// F15 and F16: keys are for bots alone and die when their bot becomes a person; revocations
    /// are final.
    @Test func keysBelongToBotsAndRevocationsAreFinal() async throws {
        try await withOrganisation { scoped, org, database in
            let admin = org.caller(.admin, in: org.a).scope
            let key = CredentialSecret(kind: .apiKey)
            #expect(await attempt("""
                INSERT INTO api_keys (branch_id, user_id, name, key_prefix, key_hash)
                VALUES (\(org.a.id), \(org.a.users[.agent]!), 'agent key', \(key.displayPrefix), \(key.hash))
                """, as: admin, scoped) == "42501", "a key for a person")
            #expect(await attempt("""
                INSERT INTO api_keys (branch_id, user_id, name, key_prefix, key_hash, user_is_bot)
                VALUES (\(org.a.id), \(org.a.users[.agent]!), 'agent key', \(key.displayPrefix), \(key.hash), true)
                """, as: admin, scoped) == "23503", "a key for a person, marked as a bot's")
            let botKey = try #require(CredentialSecret(presented: org.a.botKey)).hash
            func resolves() async throws -> Bool { try await !scoped.pool.query("SELECT 1 FROM auth.resolve(\(botKey))").isEmpty }
            #expect(try await resolves())
            #expect(await attempt("UPDATE users SET roles = '{agent}' WHERE id = \(org.a.users[.bot]!)", as: admin, scoped) == "changed 1")
            #expect(try await resolves() == false, "a former bot's key")
            #expect(try await ownerValue("""
                SELECT bool_and(revoked_at IS NOT NULL AND user_is_bot IS NULL)::text FROM api_keys WHERE user_id = \(org.a.users[.bot]!)
                """, database) == "true")
            #expect(await attempt("UPDATE users SET roles = '{bot}' WHERE id = \(org.a.users[.bot]!)", as: admin, scoped) == "changed 1")
            #expect(try await resolves() == false, "the key stays revoked when it becomes a bot again")
            #expect(await attempt("UPDATE api_keys SET revoked_at = NULL WHERE user_id = \(org.a.users[.bot]!)", as: admin, scoped) == "42501")

            let handler = org.caller(.handler, in: org.a)
            try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("""
                    INSERT INTO sessions (branch_id, user_id, token_hash, expires_at, revoked_at)
                    VALUES (\(org.a.id), \(handler.userID), \(CredentialSecret(kind: .session).hash), now() + interval '1 hour', now())
                    """)
            }
            for scope in [handler.scope, admin] {
                #expect(await attempt("UPDATE sessions SET revoked_at = NULL WHERE user_id = \(handler.userID)", as: scope, scoped) == "42501")
                #expect(await attempt("""
                    UPDATE sessions SET revoked_at = now() + interval '1 day' WHERE user_id = \(handler.userID)
                    """, as: scope, scoped) == "42501")
            }
        }
    }

    /// Messages to complainants: only whoever may work on a case writes one, as themselves; no
    /// service caller reads a message's seal or settles it; templates and settings are the
    /// branch admins' own.
    @Test func messagesOnlyFromThoseWhoWorkTheCaseAndTheirSealStaysClosed() async throws {
        try await withOrganisation { scoped, org, database in
            let foreign: UUID = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT id FROM complaints WHERE department_id = \(org.a.departments[1])")[0].decode(at: 0)
            }
            let messages = try await ownerValue("SELECT count(*)::text FROM complainant_messages", database)
            for role in [Role.handler, .departmentHead, .bot, .auditor, .executive] {
                let caller = org.caller(role, in: org.a)
                #expect(await attempt("""
                    INSERT INTO complainant_messages (branch_id, id, complaint_id, event, channel, language, communication_id, state,
                                                      created_by)
                    VALUES (\(org.a.id), \(UUID()), \(foreign), 'received', 'sms', 'en', \(UUID()), 'unsent', \(caller.userID))
                    """, as: caller.scope, scoped) == "42501", "\(role) writes a message on a case it may not work on")
            }
            for role in [Role.agent, .admin, .branchManager] {
                let caller = org.caller(role, in: org.a)
                #expect(await attempt("SELECT sealed_box FROM complainant_messages", as: caller.scope, scoped) == "42501",
                        "\(role) reads a message's seal")
                #expect(await attempt("UPDATE complainant_messages SET state = 'delivered', delivered_at = now()", as: caller.scope, scoped)
                        == "42501", "\(role) settles a message")
                #expect(await attempt("SELECT scheduler.record_message(\(org.a.id), \(UUID()), 1, now(), 1, 200, NULL, NULL)",
                                      as: caller.scope, scoped) == "42501", "\(role) records a delivery")
            }
            let admin = org.caller(.admin, in: org.a)
            #expect(await attempt("""
                INSERT INTO message_templates (branch_id, event, channel, language, body, updated_by)
                VALUES (\(org.b.id), 'received', 'sms', 'en', 'forged', \(admin.userID))
                """, as: admin.scope, scoped) == "42501", "an admin writes another branch's template")
            #expect(await attempt("""
                INSERT INTO message_templates (branch_id, event, channel, language, body, updated_by)
                VALUES (\(org.a.id), 'received', 'sms', 'en', 'forged', \(org.caller(.agent, in: org.a).userID))
                """, as: admin.scope, scoped) == "42501", "an admin saves a template in someone else's name")
            let agent = org.caller(.agent, in: org.a)
            #expect(await attempt("""
                INSERT INTO message_settings (branch_id, contact, updated_by) VALUES (\(org.a.id), 'forged', \(agent.userID))
                """, as: agent.scope, scoped) == "42501", "an agent writes the branch's message settings")
            #expect(try await ownerValue("SELECT count(*)::text FROM complainant_messages", database) == messages)
        }
    }
}
