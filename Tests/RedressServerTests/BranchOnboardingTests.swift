import Foundation
import HTTPTypes
import HummingbirdTesting
import LocalPostgres
import Postgres
import RedressTestSupport
import Testing

/// Operators add branches and HQ grants with the real `redress` executable, as the schema owner;
/// what they create is then used over real HTTP.
@Suite("Branch onboarding and HQ grants by operators")
struct BranchOnboardingTests {
    static let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/redress").path

    /// Runs `redress arguments…` as an operator of `database`; returns its exit status and output.
    static func redress(_ arguments: [String], on database: TestDatabase) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("operator-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let pid = try Subprocess.spawn([executable] + arguments, environment: [
            "OWNER_DATABASE_URL": database.ownerURL, "DATABASE_URL": database.serviceURL, "PASSWORD_HASH_COST": "4", "LOG_LEVEL": "error",
        ], outputPath: log)
        let status = try await OwnThread.run { try Subprocess.wait(pid) }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    static let problemType = "https://redress.dev/problems/password-change-required"

    @Test func aBranchCreatedByTheCommandIsRunByItsFirstAdminAfterTheyChangeThePassword() async throws {
        try await APIHarness.run { harness, client in
            let code = "east-" + UUID().uuidString.prefix(6).lowercased()
            let created = try await Self.redress(["branch", "create", "--code", code, "--name", "East Branch", "--time-zone", "Asia/Taipei",
                                            "--region", "East", "--admin-login", "chief", "--admin-email", "chief@example.com"],
                                           on: harness.database)
            #expect(created.status == 0, "branch create: \(created.output)")
            let password = try #require(created.output.firstMatch(of: /one-time password: (\S+)/).map { String($0.output.1) },
                                        "no password in: \(created.output)")
            #expect(password.count == 20)

            let signIn = #"{"branch":"\#(code)","login":"chief","password":"\#(password)"}"#
            let first = try await client.call(.post, "/v1/auth/sign-in", body: signIn)
            #expect(first.status == .created && first.json["passwordChangeRequired"] as? Bool == true)
            let token = try #require(first.json["token"] as? String)
            let other = try #require(try await client.call(.post, "/v1/auth/sign-in", body: signIn).json["token"] as? String)

            // Until the password is changed, the session shows who it is and nothing else.
            let me = try await client.call(.get, "/v1/me", token: token)
            #expect(me.status == .ok && (me.json["user"] as? [String: Any])?["passwordChangeRequired"] as? Bool == true)
            let before = try await harness.snapshot()
            for (method, path, body) in [(HTTPRequest.Method.get, "/v1/departments", nil), (.get, "/v1/complaints", nil),
                                         (.get, "/v1/pages/stream", nil),
                                         (.post, "/v1/departments", #"{"name":"Billing","kind":"billing"}"#)] {
                let refused = try await client.call(method, path, token: token, body: body)
                #expect(refused.status == .forbidden && refused.json["type"] as? String == Self.problemType, "\(method) \(path)")
            }
            #expect(try await harness.snapshot() == before)

            // Wrong or weak passwords are refused, naming the field, and change nothing.
            for (body, field) in [(#"{"currentPassword":"not-it-at-all","newPassword":"a-new-long-password"}"#, "/currentPassword"),
                                  (#"{"currentPassword":"\#(password)","newPassword":"short"}"#, "/newPassword"),
                                  (#"{"currentPassword":"\#(password)","newPassword":"\#(password)"}"#, "/newPassword")] {
                let refused = try await client.call(.post, "/v1/me/password", token: token, body: body)
                #expect(refused.status == .unprocessableContent && refused.problemFields == [field], "\(body)")
            }
            #expect(try await client.call(.post, "/v1/me/password", token: token, body: #"{"newPassword":"x"}"#).status == .badRequest)
            #expect(try await harness.snapshot() == before)

            let newPassword = "east's own password 2026"
            let changed = try await client.call(.post, "/v1/me/password", token: token,
                                                body: #"{"currentPassword":"\#(password)","newPassword":"\#(newPassword)"}"#)
            #expect(changed.status == .noContent)
            let after = try await client.call(.get, "/v1/me", token: token)
            #expect((after.json["user"] as? [String: Any])?["passwordChangeRequired"] as? Bool == false)
            #expect(try await client.call(.get, "/v1/me", token: other).status == .unauthorized, "the other session ended")
            #expect(try await client.call(.post, "/v1/auth/sign-in", body: signIn).status == .unauthorized, "the one-time password is spent")
            let again = try await client.call(.post, "/v1/auth/sign-in",
                                              body: #"{"branch":"\#(code)","login":"chief","password":"\#(newPassword)"}"#)
            #expect(again.status == .created && again.json["passwordChangeRequired"] as? Bool == false)

            // The admin configures the branch: it came with its categories and standard SLA policy.
            let branches = try await client.call(.get, "/v1/branches", token: token)
            #expect(branches.items.map { $0["code"] as? String } == [code])
            let branchID = try #require(branches.items.first?["id"] as? String)
            #expect(branches.items.first?["timeZone"] as? String == "Asia/Taipei" && branches.items.first?["region"] as? String == "East")
            #expect(try await client.call(.get, "/v1/categories", token: token).items.count == 10)
            #expect(try await client.call(.get, "/v1/sla-policies", token: token).items.compactMap { $0["name"] as? String }
                    == SLAConfigurationSeeds.policyNames)
            let department = try await client.call(.post, "/v1/departments", token: token, body: #"{"name":"Billing","kind":"billing"}"#)
            #expect(department.status == .created)
            let departmentID = try #require(department.json["id"] as? String)
            let handler = try await client.call(.post, "/v1/users", token: token, body: """
                {"login":"harper","name":"Harper","roles":["handler"],"departmentIds":["\(departmentID)"],
                 "password":"a handler's first password","passwordChangeRequired":true}
                """)
            #expect(handler.status == .created && handler.json["passwordChangeRequired"] as? Bool == true)
            let handlerToken = try await client.signIn(code, "harper", password: "a handler's first password")
            #expect(try await client.call(.get, "/v1/complaints", token: handlerToken).status == .forbidden)
            let bot = try await client.call(.post, "/v1/users", token: token,
                                            body: #"{"login":"relay","name":"Relay","roles":["bot"],"passwordChangeRequired":true}"#)
            #expect(bot.status == .unprocessableContent && bot.problemFields == ["/passwordChangeRequired"])

            // The change is in the branch's audit trail under the admin's name, without the hash.
            let audited: [String] = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT a.after::text FROM audit_log a
                     WHERE a.branch_id = \(UUID(uuidString: branchID)!) AND a.entity = 'users' AND a.action = 'update'
                       AND a.actor_id = a.entity_id
                    """).map { try $0.decode(at: 0) }
            }
            #expect(audited.count == 1 && audited[0].contains(#""password_hash": "changed""#), "\(audited)")

            let listed = try await Self.redress(["branch", "list"], on: harness.database)
            #expect(listed.status == 0)
            let row = try #require(listed.output.split(separator: "\n").first { $0.hasPrefix(code + " ") }, "\(listed.output)")
            #expect(row.contains("East Branch") && row.contains("Asia/Taipei") && row.contains("chief"))
            let json = try await Self.redress(["branch", "list", "--json"], on: harness.database)
            let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
            #expect(decoded.count == 4 && decoded.contains { ($0["branch"] as? [String: Any])?["code"] as? String == code })
        }
    }

    @Test func branchesThatClashOrBreakTheRulesAreRefusedNamingTheOption() async throws {
        try await APIHarness.run { harness, client in
            let before = try await harness.snapshot()
            let existing = harness.organisation.a.code
            for (arguments, option) in [
                (["--code", existing, "--name", "Again", "--time-zone", "Asia/Shanghai"], "--code"),
                (["--code", "West Branch", "--name", "West", "--time-zone", "Asia/Shanghai"], "--code"),
                (["--code", "west", "--name", "West", "--time-zone", "Mars/Olympus_Mons"], "--time-zone"),
                (["--code", "west", "--name", "", "--time-zone", "Asia/Shanghai"], "--name"),
                (["--code", "west", "--name", "West", "--time-zone", "Asia/Shanghai", "--admin-login", "Chief Admin"], "--admin-login"),
                (["--code", "west", "--name", "West", "--time-zone", "Asia/Shanghai", "--admin-email", "nobody"], "--admin-email"),
            ] {
                let refused = try await Self.redress(["branch", "create"] + arguments, on: harness.database)
                #expect(refused.status == 64 && refused.output.contains("error: \(option):"), "\(arguments): \(refused.output)")
                #expect(!refused.output.contains("one-time password"))
            }
            #expect(try await harness.snapshot() == before, "a refused branch changes nothing")
            #expect(try await client.call(.post, "/v1/auth/sign-in",
                                          body: #"{"branch":"west","login":"admin","password":"whatever-it-is"}"#).status == .unauthorized)
        }
    }

    @Test func grantsAreMadeForTheirRoleAndTakenBackByOperators() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let (a, c) = (org.a.code, org.c.code)
            let listed = try await Self.redress(["grant", "list", "--branch", a], on: harness.database)
            #expect(listed.status == 0)
            let holders: Set<String> = Set(listed.output.split(separator: "\n").dropFirst().map { line in
                String(line.prefix { $0 != " " })
            })
            #expect(holders == ["\(a)/auditor", "\(a)/executive"], "\(listed.output)")

            // Refusals name the option at fault and change nothing.
            let before = try await harness.snapshot()
            for (arguments, option) in [
                (["--user", "\(c)/agent", "--branch", a, "--role", "executive"], "--role"),
                (["--user", "\(c)/bot", "--branch", a, "--role", "auditor", "--add-role"], "--user"),
                (["--user", "\(c)/nobody", "--branch", a, "--role", "executive"], "--user"),
                (["--user", "no-such-branch/executive", "--branch", a, "--role", "executive"], "--user"),
                (["--user", "\(c)/executive", "--branch", c, "--role", "executive"], "--branch"),
                (["--user", "\(c)/executive", "--branch", "no-such-branch", "--role", "executive"], "--branch"),
            ] {
                let refused = try await Self.redress(["grant", "add"] + arguments, on: harness.database)
                #expect(refused.status == 64 && refused.output.contains("error: \(option):"), "\(arguments): \(refused.output)")
            }
            #expect(try await Self.redress(["grant", "add", "--user", "no-slash", "--branch", a, "--role", "executive"], on: harness.database).status == 64)
            #expect(try await Self.redress(["grant", "add", "--user", "\(c)/executive", "--branch", a, "--role", "admin"], on: harness.database).status == 64)
            #expect(try await harness.snapshot() == before)

            // A grant reaches the branch for its role, read-only, and only operators change its holder.
            let executive = try await client.signIn(c, "executive")
            #expect(try await client.call(.get, "/v1/branches", token: executive).items.count == 1)
            let added = try await Self.redress(["grant", "add", "--user", "\(c)/executive", "--branch", a, "--role", "executive"], on: harness.database)
            #expect(added.status == 0, "\(added.output)")
            // The first grant ends the sessions and replaces the password an admin may have known.
            #expect(try await client.call(.get, "/v1/branches", token: executive).status == .unauthorized)
            #expect(try await client.call(.post, "/v1/auth/sign-in",
                                          body: #"{"branch":"\#(c)","login":"executive","password":"\#(TestOrganisation.password)"}"#)
                        .status == .unauthorized)
            let handedOver = try #require(added.output.firstMatch(of: /one-time password: (\S+)/).map { String($0.output.1) })
            let renewed = try await client.signIn(c, "executive", password: handedOver)
            #expect(try await client.call(.get, "/v1/branches", token: renewed).status == .forbidden, "first, a password of their own")
            #expect(try await client.call(.post, "/v1/me/password", token: renewed,
                                          body: #"{"currentPassword":"\#(handedOver)","newPassword":"the executive's own one"}"#).status == .noContent)
            #expect(Set(try await client.call(.get, "/v1/branches", token: renewed).items.compactMap { $0["code"] as? String }) == [a, c])
            let second = try await Self.redress(["grant", "add", "--user", "\(c)/executive", "--branch", org.b.code, "--role", "executive"],
                                          on: harness.database)
            #expect(second.status == 0 && !second.output.contains("one-time password"), "only the first grant replaces the password")
            #expect(try await client.call(.get, "/v1/me", token: renewed).status == .ok)
            let admin = try await client.signIn(c, "admin")
            let reset = try await client.call(.patch, "/v1/users/\(org.c.users[.executive]!.path)", token: admin,
                                              body: #"{"password":"taken over by the admin"}"#)
            #expect(reset.status == .forbidden || reset.status == .notFound)

            // --add-role gives the role the grant is for, and says so.
            let promoted = try await Self.redress(["grant", "add", "--user", "\(c)/handler", "--branch", a, "--role", "auditor", "--add-role"],
                                            on: harness.database)
            #expect(promoted.status == 0 && promoted.output.contains("now holds the auditor role"), "\(promoted.output)")
            let grants = try await Self.redress(["grant", "list", "--branch", c, "--json"], on: harness.database)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(grants.output.utf8)) as? [[String: Any]], "\(grants.output)")
            #expect(Set(rows.map { row in
                ["holderLogin", "role", "grantedBranch"].map { row[$0] as? String ?? "-" }.joined(separator: " ")
                    + ((row["inEffect"] as? Bool) == true ? " in effect" : " void")
            }) == ["executive executive \(a) in effect", "executive executive \(org.b.code) in effect", "handler auditor \(a) in effect"])

            #expect(try await Self.redress(["grant", "remove", "--user", "\(c)/executive", "--branch", a], on: harness.database).status == 0)
            #expect(Set(try await client.call(.get, "/v1/branches", token: renewed).items.compactMap { $0["code"] as? String })
                    == [org.b.code, c])
            let again = try await Self.redress(["grant", "remove", "--user", "\(c)/executive", "--branch", a], on: harness.database)
            #expect(again.status == 64 && again.output.contains("error: --branch:"), "\(again.output)")
        }
    }
}
