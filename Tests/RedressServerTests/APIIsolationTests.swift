import Foundation
import Hummingbird
import HummingbirdTesting
import RedressCore
import RedressTestSupport
import Testing

/// The isolation matrix through the HTTP API: rows outside the caller's scope are 404 (never
/// 403, which would confirm they exist) and never appear in listings.
@Suite("Isolation matrix over HTTP")
struct APIIsolationTests {
    func token(for role: Role, in branch: TestOrganisation.BranchFixture, _ client: any TestClientProtocol) async throws -> String {
        role == .bot ? branch.botKey : try await client.signIn(branch.code, role.rawValue)
    }

    @Test func everyRoleGets404ForAnotherBranchsRows() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            for role in Role.allCases {
                let token = try await token(for: role, in: org.a, client)
                let outside = Role.crossBranch.contains(role) ? [org.c] : [org.b, org.c]
                for branch in outside {
                    var paths = ["/v1/branches/\(branch.id.path)"]
                    paths += branch.departments.map { "/v1/departments/\($0.path)" }
                    paths += branch.allUserIDs.map { "/v1/users/\($0.path)" }
                    for path in paths {
                        let response = try await client.call(.get, path, token: token)
                        #expect(response.status == .notFound, "\(role) GET \(path)")
                    }
                    for list in ["/v1/users?limit=200", "/v1/departments?limit=200", "/v1/branches", "/v1/api-keys?limit=200",
                                 "/v1/departments?branchId=\(branch.id.path)"] {
                        let response = try await client.call(.get, list, token: token)
                        #expect(response.status == .ok, "\(role) GET \(list)")
                        let text = String(decoding: response.body, as: UTF8.self).lowercased()
                        #expect(!text.contains(branch.id.path), "\(role) GET \(list) shows branch \(branch.code)")
                    }
                }
            }
        }
    }

    @Test func departmentScopedRolesGet404ForAnotherDepartmentsPeople() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            for role in [Role.handler, .departmentHead] {
                let token = try await client.signIn(org.a.code, role.rawValue)
                for id in [org.a.otherDepartmentUser, org.a.users[.agent]!, org.a.users[.admin]!] {
                    #expect(try await client.call(.get, "/v1/users/\(id.path)", token: token).status == .notFound, "\(role)")
                }
                let listed = try await client.call(.get, "/v1/users", token: token)
                let ids = Set(listed.items.compactMap { $0["id"] as? String }.map { $0.lowercased() })
                #expect(ids == [org.a.users[.handler]!.path, org.a.users[.departmentHead]!.path])
            }
        }
    }

    @Test func adminsGet404WhenChangingAnotherBranch() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let before = try await harness.snapshot()
            let attempts: [(HTTPRequest.Method, String, String?)] = [
                (.patch, "/v1/users/\(org.c.users[.agent]!.path)", #"{"name":"Taken"}"#),
                (.delete, "/v1/users/\(org.c.users[.agent]!.path)", nil),
                (.patch, "/v1/departments/\(org.c.departments[0].path)", #"{"name":"Taken"}"#),
                (.delete, "/v1/departments/\(org.c.departments[0].path)", nil),
                (.patch, "/v1/branches/\(org.c.id.path)", #"{"name":"Taken"}"#),
            ]
            for (method, path, body) in attempts {
                #expect(try await client.call(method, path, token: admin, body: body).status == .notFound, "\(method) \(path)")
            }
            // Naming another branch's department or head is refused as an unknown reference.
            let foreign = try await client.call(.post, "/v1/users", token: admin, body: """
                {"login":"newcomer","name":"N","roles":["handler"],"password":"long-enough-pw","departmentIds":["\(org.c.departments[0].path)"]}
                """)
            #expect(foreign.status == .unprocessableContent)
            #expect(foreign.problemFields == ["/departmentIds"])
            let head = try await client.call(.patch, "/v1/departments/\(org.a.departments[0].path)", token: admin,
                                             body: #"{"headUserId":"\#(org.c.users[.admin]!.path)"}"#)
            #expect(head.status == .unprocessableContent)
            #expect(head.problemFields == ["/headUserId"])
            let key = try await client.call(.post, "/v1/api-keys", token: admin,
                                            body: #"{"userId":"\#(org.c.users[.bot]!.path)","name":"stolen"}"#)
            #expect(key.status == .unprocessableContent)
            #expect(try await harness.snapshot() == before)
        }
    }

    @Test func onlyAdminsChangeConfiguration() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let before = try await harness.snapshot()
            for role in Role.allCases where role != .admin {
                let token = try await token(for: role, in: org.a, client)
                let attempts: [(HTTPRequest.Method, String, String?)] = [
                    (.post, "/v1/departments", #"{"name":"Shadow","kind":"other"}"#),
                    (.patch, "/v1/departments/\(org.a.departments[0].path)", #"{"name":"Renamed"}"#),
                    (.delete, "/v1/departments/\(org.a.departments[1].path)", nil),
                    (.post, "/v1/users", #"{"login":"shadow","name":"S","roles":["admin"],"password":"long-enough-pw"}"#),
                    (.patch, "/v1/users/\(org.a.users[role]!.path)", #"{"roles":["admin"]}"#),
                    (.post, "/v1/api-keys", #"{"userId":"\#(org.a.users[.bot]!.path)","name":"mine"}"#),
                    (.patch, "/v1/branches/\(org.a.id.path)", #"{"name":"Mine"}"#),
                ]
                for (method, path, body) in attempts {
                    let response = try await client.call(method, path, token: token, body: body)
                    #expect(response.status == .forbidden, "\(role) \(method) \(path)")
                }
            }
            #expect(try await harness.snapshot() == before)
        }
    }

    @Test func anAdminManagesTheirBranch() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let created = try await client.call(.post, "/v1/departments", token: admin,
                                                body: #"{"name":"Service Quality","kind":"service_quality"}"#)
            #expect(created.status == .created)
            let departmentID = try #require(created.json["id"] as? String)
            #expect(created.headers[.location] == "/v1/departments/\(departmentID.lowercased())")
            let user = try await client.call(.post, "/v1/users", token: admin, body: """
                {"login":"quality.lead","name":"质量 负责人","roles":["department_head","handler"],"password":"long-enough-pw",
                 "departmentIds":["\(departmentID)"],"email":"lead@example.com","phone":"+86 138 0013 8000"}
                """)
            #expect(user.status == .created)
            let userID = try #require(user.json["id"] as? String)
            #expect(user.json["name"] as? String == "质量 负责人")
            let headed = try await client.call(.patch, "/v1/departments/\(departmentID)", token: admin,
                                               body: #"{"headUserId":"\#(userID)"}"#)
            #expect(headed.json["headUserId"] as? String == userID)
            let lead = try await client.signIn(org.a.code, "quality.lead", password: "long-enough-pw")
            let me = try await client.call(.get, "/v1/me", token: lead)
            #expect((me.json["departmentIds"] as? [String])?.map { $0.lowercased() } == [departmentID.lowercased()])
            let cleared = try await client.call(.patch, "/v1/users/\(userID)", token: admin, body: #"{"email":null,"position":"Lead"}"#)
            #expect(cleared.status == .ok)
            #expect(cleared.json["email"] == nil && cleared.json["position"] as? String == "Lead")
            #expect(try await client.call(.delete, "/v1/departments/\(departmentID)", token: admin).status == .noContent)
            let left = try await client.call(.get, "/v1/users/\(userID)", token: admin)
            #expect((left.json["departmentIds"] as? [String]) == [])
            #expect(try await client.call(.delete, "/v1/users/\(userID)", token: admin).status == .noContent)
            #expect(try await client.call(.get, "/v1/me", token: lead).status == .unauthorized)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/v1/users?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: admin)
                seen += page.items.compactMap { $0["login"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == seen.sorted() && seen.count == org.a.allUserIDs.count, "keyset pages cover every user once")
        }
    }
}
