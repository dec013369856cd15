import Foundation
import Hummingbird
import HummingbirdTesting
import RedressCore
import RedressTestSupport
import Testing

/// Bad input on every admin endpoint gets a 4xx problem naming the field and changes nothing.
@Suite("Bad input on every admin endpoint")
struct BadInputTests {
    /// An endpoint with a body: a valid body and, per field, a value of the wrong JSON type.
    struct Endpoint {
        var method: HTTPRequest.Method
        var path: String
        var valid: [String: String]
        var stringFields: [String]
        var required: [String]
    }

    func endpoints(_ org: TestOrganisation) -> [Endpoint] {
        [
            Endpoint(method: .post, path: "/v1/departments",
                     valid: ["name": #""Quality""#, "kind": #""service_quality""#], stringFields: ["name"], required: ["name", "kind"]),
            Endpoint(method: .patch, path: "/v1/departments/\(org.a.departments[0].path)",
                     valid: ["name": #""Billing 2""#, "kind": #""billing""#, "headUserId": "null"], stringFields: ["name"], required: []),
            Endpoint(method: .post, path: "/v1/users",
                     valid: ["login": #""fresh""#, "name": #""Fresh""#, "roles": #"["agent"]"#, "password": #""long-enough-pw""#,
                             "position": #""Agent""#, "email": #""f@example.com""#, "phone": #""+86 10 1234""#, "departmentIds": "[]"],
                     stringFields: ["login", "name", "password", "position", "email", "phone"], required: ["login", "name", "roles"]),
            Endpoint(method: .patch, path: "/v1/users/\(org.a.users[.agent]!.path)",
                     valid: ["name": #""Renamed""#, "active": "true", "roles": #"["agent"]"#, "departmentIds": "[]"],
                     stringFields: ["name"], required: []),
            Endpoint(method: .post, path: "/v1/api-keys",
                     valid: ["userId": #""\#(org.a.users[.bot]!.path)""#, "name": #""pager""#], stringFields: ["name"], required: ["userId", "name"]),
            Endpoint(method: .patch, path: "/v1/branches/\(org.a.id.path)",
                     valid: ["name": #""Renamed""#, "region": #""East""#, "timeZone": #""Asia/Shanghai""#],
                     stringFields: ["name", "region"], required: []),
        ]
    }

    static func json(_ fields: [String: String]) -> String {
        "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    /// Expects a 4xx problem that names `field`.
    func expectProblem(_ response: APIResponse, naming field: String, _ comment: String) {
        #expect((400..<500).contains(response.status.code), "\(comment): \(response.status)")
        #expect(response.headers[.contentType] == "application/problem+json", "\(comment)")
        #expect(response.problemFields.contains(field), "\(comment): fields \(response.problemFields) \(String(decoding: response.body, as: UTF8.self))")
    }

    @Test func everyAdminEndpointRefusesBadBodiesAndChangesNothing() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let before = try await harness.snapshot()
            for endpoint in endpoints(org) {
                let name = "\(endpoint.method) \(endpoint.path)"
                func send(_ body: String) async throws -> APIResponse {
                    try await client.call(endpoint.method, endpoint.path, token: admin, body: body)
                }
                for field in endpoint.valid.keys.sorted() {
                    var wrong = endpoint.valid
                    wrong[field] = endpoint.valid[field]!.hasPrefix("\"") || endpoint.valid[field] == "null" ? "42" : #""text""#
                    expectProblem(try await send(Self.json(wrong)), naming: "/\(field)", "\(name) wrong type of \(field)")
                }
                for field in endpoint.required {
                    var missing = endpoint.valid
                    missing[field] = nil
                    expectProblem(try await send(Self.json(missing)), naming: "/\(field)", "\(name) without \(field)")
                    var null = endpoint.valid
                    null[field] = "null"
                    expectProblem(try await send(Self.json(null)), naming: "/\(field)", "\(name) with null \(field)")
                }
                var unknown = endpoint.valid
                unknown["isAdmin"] = "true"
                expectProblem(try await send(Self.json(unknown)), naming: "/isAdmin", "\(name) unknown field")
                for field in endpoint.stringFields {
                    var long = endpoint.valid
                    long[field] = "\"" + String(repeating: "长", count: 5000) + "\""
                    expectProblem(try await send(Self.json(long)), naming: "/\(field)", "\(name) oversized \(field)")
                    var nul = endpoint.valid
                    nul[field] = #""bad\u0000value""#
                    expectProblem(try await send(Self.json(nul)), naming: "/\(field)", "\(name) NUL in \(field)")
                }
                let invalidUTF8 = Array(#"{"name":""#.utf8) + [0xC3, 0x28, 0xFF] + Array(#""}"#.utf8)
                expectProblem(try await client.call(endpoint.method, endpoint.path, token: admin, bytes: invalidUTF8),
                              naming: "body", "\(name) invalid UTF-8")
                for body in ["", "[]", "42", "{", "null", #"{"name":"x""#] {
                    expectProblem(try await send(body), naming: "body", "\(name) body \(body)")
                }
                let huge = #"{"name":""# + String(repeating: "x", count: 100_000) + #""}"#
                let tooLarge = try await send(huge)
                #expect(tooLarge.status == .contentTooLarge, "\(name) 100 kB body")
                let form = try await client.call(endpoint.method, endpoint.path, token: admin, body: "name=x",
                                                 contentType: "application/x-www-form-urlencoded")
                #expect(form.status == .unsupportedMediaType, "\(name) form body")
            }
            #expect(try await harness.snapshot() == before, "refused requests changed nothing")
        }
    }

    @Test func valueRulesNameTheirFields() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let before = try await harness.snapshot()
            let cases: [(HTTPRequest.Method, String, String, String)] = [
                (.post, "/v1/users", #"{"login":"Bad Login","name":"N","roles":["agent"],"password":"long-enough-pw"}"#, "/login"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":[],"password":"long-enough-pw"}"#, "/roles"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":["agent","agent"],"password":"long-enough-pw"}"#, "/roles"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":["bot","agent"]}"#, "/roles"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":["superuser"],"password":"long-enough-pw"}"#, "/roles/0"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":["agent"],"password":"short"}"#, "/password"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":["agent"]}"#, "/password"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":["bot"],"password":"long-enough-pw"}"#, "/password"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":["agent"],"password":"long-enough-pw","email":"nope"}"#, "/email"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":["agent"],"password":"long-enough-pw","phone":"call me"}"#, "/phone"),
                (.post, "/v1/users", #"{"login":"ok","name":"N","roles":["agent"],"password":"long-enough-pw","departmentIds":["not-a-uuid"]}"#, "/departmentIds/0"),
                (.post, "/v1/users", #"{"login":"agent","name":"N","roles":["agent"],"password":"long-enough-pw"}"#, "/login"),
                (.patch, "/v1/users/\(org.a.users[.bot]!.path)", #"{"password":"long-enough-pw"}"#, "/password"),
                (.patch, "/v1/users/\(org.a.users[.admin]!.path)", #"{"active":false}"#, "/active"),
                (.patch, "/v1/users/\(org.a.users[.admin]!.path)", #"{"password":"long-enough-pw"}"#, "/password"),
                (.patch, "/v1/users/\(org.a.users[.admin]!.path)", #"{"passwordChangeRequired":true}"#, "/passwordChangeRequired"),
                (.patch, "/v1/users/\(org.a.users[.agent]!.path)", #"{"name":null}"#, "/name"),
                (.post, "/v1/departments", #"{"name":"Billing","kind":"billing"}"#, "/name"),
                (.post, "/v1/departments", #"{"name":"X","kind":"canteen"}"#, "/kind"),
                (.post, "/v1/api-keys", #"{"userId":"\#(org.a.users[.bot]!.path)","name":"k","expiresAt":"2001-01-01T00:00:00Z"}"#, "/expiresAt"),
                (.post, "/v1/api-keys", #"{"userId":"\#(org.a.users[.bot]!.path)","name":"k","expiresAt":"tomorrow"}"#, "/expiresAt"),
                (.patch, "/v1/branches/\(org.a.id.path)", #"{"timeZone":"Mars/Olympus"}"#, "/timeZone"),
                (.post, "/v1/auth/sign-in", #"{"branch":"a","login":"b"}"#, "/password"),
                (.post, "/v1/auth/sign-in", #"{"branch":"a","login":"b","password":"x","remember":true}"#, "/remember"),
                (.post, "/v1/auth/sign-in", #"{"branch":"a","login":"b","password":"\u0000"}"#, "/password"),
            ]
            for (method, path, body, field) in cases {
                expectProblem(try await client.call(method, path, token: admin, body: body), naming: field, "\(method) \(path) \(body)")
            }
            for path in ["/v1/users/not-a-uuid", "/v1/departments/123", "/v1/branches/0000-0000"] {
                expectProblem(try await client.call(.get, path, token: admin), naming: "id", "GET \(path)")
                if !path.hasPrefix("/v1/branches") {
                    expectProblem(try await client.call(.delete, path, token: admin), naming: "id", "DELETE \(path)")
                }
            }
            for (query, field) in [("limit=0", "limit"), ("limit=201", "limit"), ("limit=ten", "limit"), ("cursor=%%%", "cursor"),
                                   ("cursor=eyJ4IjoxfQ", "cursor"), ("departmentId=7", "departmentId"),
                                   // A value the contract refuses cannot hide behind a good one.
                                   ("limit=-1&limit=10", "limit"), ("limit=10&limit=-1", "limit"), ("limit=10&limit=20", "limit")] {
                expectProblem(try await client.call(.get, "/v1/users?\(query)", token: admin), naming: field, query)
            }
            // A name without a value counts as absent, as an empty pair does.
            for query in ["x", "limit", "limit=5&x&", "&&"] {
                #expect(try await client.call(.get, "/v1/users?\(query)", token: admin).status == .ok, "\(query)")
            }
            expectProblem(try await client.call(.get, "/v1/departments?branchId=x", token: admin), naming: "branchId", "branchId")
            #expect(try await harness.snapshot() == before)
        }
    }
}
