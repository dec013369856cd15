import Foundation
import HTTPTypes
import RedressAPIClient
import RedressCore
import RedressServer
import RedressTestSupport
import Testing

/// The directory (sign-in, branches, departments, users, bot keys) through the client generated
/// from openapi.yaml, so that what the server answers is read back by the contract's own types.
@Suite("The directory through the generated client")
struct DirectoryAPITests {
    @Test func anAdminRunsTheirBranchThroughTheGeneratedClient() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let anonymous = try client.api(nil)
            let session = try await anonymous.signIn(body: .json(.init(branch: org.a.code, login: "admin",
                                                                        password: TestOrganisation.password))).created.body.json
            #expect(session.tokenType == "Bearer" && session.userId == org.a.users[.admin]!.path && session.branchId == org.a.id.path)
            let wrong = try await anonymous.signIn(body: .json(.init(branch: org.a.code, login: "admin", password: "not-the-password")))
            #expect(try wrong.unauthorized.body.applicationProblemJson.status == 401)
            let admin = try client.api(session.token)
            let me = try await admin.getMe().ok.body.json
            #expect(me.credential == .session && me.user.roles == [.admin] && me.branchCode == org.a.code)
            #expect(me.branchIds == [org.a.id.path] && me.grantedBranchIds.isEmpty && me.expiresAt != nil)

            let branch = try #require(try await admin.listBranches().ok.body.json.items.first)
            #expect(branch.id == org.a.id.path)
            let moved = try await admin.updateBranch(path: .init(id: branch.id), body: .json(.init(region: "East"))).ok.body.json
            #expect(moved.region == "East" && moved.name == branch.name && moved.timeZone == branch.timeZone, "fields left out are kept")
            let badZone = try await admin.updateBranch(path: .init(id: branch.id), body: .json(.init(timeZone: "Mars/Olympus")))
            #expect(try badZone.unprocessableContent.body.applicationProblemJson.errors?.map(\.field) == ["/timeZone"])
            #expect(try await admin.getBranch(path: .init(id: org.b.id.path)).notFound.body.applicationProblemJson.status == 404)

            let createdDepartment = try await admin.createDepartment(body: .json(.init(name: "质量", kind: .serviceQuality))).created
            let department = try createdDepartment.body.json
            #expect(createdDepartment.headers.location == "/v1/departments/\(department.id)")
            #expect(department.id == department.id.lowercased() && department.branchId == org.a.id.path && department.headUserId == nil)

            let createdUser = try await admin.createUser(body: .json(.init(
                login: "quality.lead", name: "质量 负责人", email: "lead@example.com", phone: "+86 138 0013 8000",
                roles: [.departmentHead, .handler], departmentIds: [department.id], password: "long-enough-pw"))).created
            let user = try createdUser.body.json
            #expect(createdUser.headers.location == "/v1/users/\(user.id)")
            #expect(user.departmentIds == [department.id] && user.active && user.position == "")
            let bot = try await admin.createUser(body: .json(.init(login: "pager.bot", name: "Pager", roles: [.bot],
                                                                   password: "long-enough-pw")))
            #expect(try bot.unprocessableContent.body.applicationProblemJson.errors?.map(\.field) == ["/password"])

            let headed = try await admin.updateDepartment(path: .init(id: department.id), body: .json(.init(headUserId: user.id)))
                .ok.body.json
            #expect(headed.headUserId == user.id)
            let renamed = try await admin.updateDepartment(path: .init(id: department.id), body: .json(.init(name: "Quality"))).ok.body.json
            #expect(renamed.name == "Quality" && renamed.headUserId == user.id, "a head left out is kept")
            let placed = try await admin.updateUser(path: .init(id: user.id), body: .json(.init(position: "Lead"))).ok.body.json
            #expect(placed.position == "Lead" && placed.email == "lead@example.com" && placed.phone == "+86 138 0013 8000")
            let members = try await admin.listUsers(query: .init(departmentId: department.id)).ok.body.json
            #expect(members.items.map(\.id) == [user.id] && members.nextCursor == nil)

            var logins: [String] = []
            var cursor: String?
            repeat {
                let page = try await admin.listUsers(query: .init(limit: 3, cursor: cursor)).ok.body.json
                logins += page.items.map(\.login)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(logins == logins.sorted() && logins.count == org.a.allUserIDs.count + 1, "keyset pages cover every user once")
            let departments = try await admin.listDepartments(query: .init(branchId: org.a.id.path)).ok.body.json.items
            #expect(departments.contains { $0.id == department.id } && departments.allSatisfy { $0.branchId == org.a.id.path })

            let lockOut = try await admin.updateUser(path: .init(id: session.userId), body: .json(.init(active: false)))
            #expect(try lockOut.unprocessableContent.body.applicationProblemJson.errors?.map(\.field) == ["/active"])
            let selfDelete = try await admin.deleteUser(path: .init(id: session.userId))
            #expect(try selfDelete.unprocessableContent.body.applicationProblemJson.errors?.map(\.field) == ["id"])

            let expiry = Date().addingTimeInterval(3600)
            let issued = try await admin.createAPIKey(body: .json(.init(userId: org.a.users[.bot]!.path, name: "pager",
                                                                        expiresAt: expiry))).created
            let key = try issued.body.json
            #expect(issued.headers.location == "/v1/api-keys/\(key.key.id)")
            #expect(key.key.userId == org.a.users[.bot]!.path && key.key.createdBy == session.userId && key.key.revokedAt == nil)
            #expect(abs((key.key.expiresAt ?? .distantPast).timeIntervalSince(expiry)) < 0.01, "kept to the millisecond")
            let pager = try client.api(key.secret)
            let botMe = try await pager.getMe().ok.body.json
            #expect(botMe.credential == .apiKey && botMe.user.roles == [.bot])
            #expect(try await admin.listAPIKeys().ok.body.json.items.contains { $0.id == key.key.id && $0.prefix == key.key.prefix })
            _ = try await admin.revokeAPIKey(path: .init(id: key.key.id)).noContent
            #expect(try await pager.getMe().unauthorized.body.applicationProblemJson.status == 401)
            let past = try await admin.createAPIKey(body: .json(.init(userId: org.a.users[.bot]!.path, name: "late",
                                                                      expiresAt: Date().addingTimeInterval(-60))))
            #expect(try past.unprocessableContent.body.applicationProblemJson.errors?.map(\.field) == ["/expiresAt"])

            // Through the generated client only: the harness's own connection, idle since the server
            // started, may have been closed by the server's idle timeout on a loaded machine.
            let agentSession = try await anonymous.signIn(body: .json(.init(branch: org.a.code, login: "agent",
                                                                             password: TestOrganisation.password)))
            let agent = try client.api(try agentSession.created.body.json.token)
            let refused = try await agent.createDepartment(body: .json(.init(name: "Shadow", kind: .other)))
            #expect(try refused.forbidden.body.applicationProblemJson.status == 403)

            _ = try await admin.deleteUser(path: .init(id: user.id)).noContent
            let headless = try await admin.getDepartment(path: .init(id: department.id)).ok.body.json
            #expect(headless.headUserId == nil, "deleting its head leaves the department without one")
            _ = try await admin.deleteDepartment(path: .init(id: department.id)).noContent
            #expect(try await admin.getDepartment(path: .init(id: department.id)).notFound.body.applicationProblemJson.status == 404)
            _ = try await admin.signOut().noContent
            #expect(try await admin.getMe().unauthorized.body.applicationProblemJson.status == 401)
        }
    }

    /// Roles and department kinds are spelled alike by the contract and the code, so that every
    /// value the store holds can be written (a word missing from the contract would be a 500).
    @Test func theContractSpellsEveryRoleAndDepartmentKind() {
        #expect(Set(Components.Schemas.User.RolesPayloadPayload.allCases.map(\.rawValue)) == Set(Role.allCases.map(\.rawValue)))
        #expect(Set(Components.Schemas.Department.KindPayload.allCases.map(\.rawValue)) == Set(DepartmentKind.allCases.map(\.rawValue)))
    }

    /// Sign-in's own limit per client answers 429 with the `Retry-After` the contract promises.
    @Test func aThrottledSignInSaysWhenToRetry() async throws {
        let server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1, requestsPerMinute: 1_000)
        try await APIHarness.run(server: server) { harness, client in
            let org = harness.organisation
            let anonymous = try client.api(nil)
            let credentials = Components.Schemas.SignIn(branch: org.a.code, login: "agent", password: TestOrganisation.password)
            _ = try await anonymous.signIn(body: .json(credentials)).created
            let throttled = try await anonymous.signIn(body: .json(credentials)).tooManyRequests
            // The minute's attempts weigh on the next minute as it passes (a sliding window): at most two minutes.
            #expect(throttled.headers.retryAfter >= 1 && throttled.headers.retryAfter <= 120)
            #expect(try throttled.body.applicationProblemJson.retryAfter == throttled.headers.retryAfter)
        }
    }

    /// The server tells a null from a field left out: null clears, absent keeps.
    @Test func nullClearsAndAbsenceKeeps() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let department = "/v1/departments/\(org.a.departments[0].path)"
            let head = org.a.users[.departmentHead]!.path
            let headed = try await client.call(.patch, department, token: admin, body: #"{"headUserId":"\#(head)"}"#)
            #expect(headed.json["headUserId"] as? String == head)
            let renamed = try await client.call(.patch, department, token: admin, body: #"{"name":"Renamed"}"#)
            #expect(renamed.json["headUserId"] as? String == head && renamed.json["name"] as? String == "Renamed")
            let cleared = try await client.call(.patch, department, token: admin, body: #"{"headUserId":null}"#)
            #expect(cleared.status == .ok && cleared.json["headUserId"] == nil)
            #expect(cleared.json["active"] as? Bool == true, "a department is active until set otherwise")
            let inactive = try await client.call(.patch, department, token: admin, body: #"{"active":false}"#)
            #expect(inactive.status == .ok && inactive.json["active"] as? Bool == false && inactive.json["name"] as? String == "Renamed")
            #expect(try await client.call(.patch, department, token: admin, body: #"{"active":"no"}"#).problemFields == ["/active"])

            let agent = "/v1/users/\(org.a.users[.agent]!.path)"
            let set = try await client.call(.patch, agent, token: admin, body: #"{"email":"a@example.com","phone":"010 1234 5678"}"#)
            #expect(set.json["email"] as? String == "a@example.com" && set.json["phone"] as? String == "010 1234 5678")
            let kept = try await client.call(.patch, agent, token: admin, body: #"{"phone":null}"#)
            #expect(kept.json["email"] as? String == "a@example.com" && kept.json["phone"] == nil)
            for body in [#"{"login":"agent\n"}"#, #"{"name":"Agent\n"}"#, #"{"phone":"123\n"}"#, #"{"email":"a@example.com\n"}"#] {
                let refused = try await client.call(.patch, agent, token: admin, body: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
            }
        }
    }
}
