import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

@Suite("Sign-in, sessions, bot keys and throttling over HTTP")
struct SignInTests {
    @Test func signInOpensASessionThatSignOutCloses() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let response = try await client.call(.post, "/v1/auth/sign-in",
                body: #"{"branch":"\#(org.a.code)","login":"handler","password":"\#(TestOrganisation.password)"}"#)
            #expect(response.status == .created)
            let token = try #require(response.json["token"] as? String)
            #expect(token.hasPrefix("rds_"))
            #expect(response.json["tokenType"] as? String == "Bearer")
            let me = try await client.call(.get, "/v1/me", token: token)
            #expect(me.status == .ok)
            let user = try #require(me.json["user"] as? [String: Any])
            #expect(user["roles"] as? [String] == ["handler"])
            #expect(user["login"] as? String == "handler")
            #expect(me.json["credential"] as? String == "session")
            #expect(user["passwordHash"] == nil && user["password_hash"] == nil)
            // The token carries its branch, where it is looked for; the branch is not part of the
            // secret's hash, so the token without it is found by the hash alone, and a token
            // moved to another branch finds nothing.
            #expect(CredentialSecret(presented: token)?.branchID == org.a.id)
            let unrouted = String(try #require(token.split(separator: ".").first))
            #expect(token.hasPrefix(unrouted + ".") && unrouted.count == 47)
            #expect(try await client.call(.get, "/v1/me", token: unrouted).status == .ok)
            let moved = try #require(CredentialSecret(presented: unrouted)).carrying(branch: org.b.id).token
            #expect(try await client.call(.get, "/v1/me", token: moved).status == .unauthorized)
            #expect(try await client.call(.post, "/v1/auth/sign-out", token: token).status == .noContent)
            let after = try await client.call(.get, "/v1/me", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test func wrongCredentialsAllLookAlike() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let attempts = [
                #"{"branch":"\#(org.a.code)","login":"agent","password":"not-the-password"}"#,
                #"{"branch":"\#(org.a.code)","login":"nobody","password":"\#(TestOrganisation.password)"}"#,
                #"{"branch":"no-such-branch","login":"agent","password":"\#(TestOrganisation.password)"}"#,
                #"{"branch":"\#(org.a.code)","login":"bot","password":"\#(TestOrganisation.password)"}"#,
            ]
            var bodies: Set<Data> = []
            for attempt in attempts {
                let response = try await client.call(.post, "/v1/auth/sign-in", body: attempt)
                #expect(response.status == .unauthorized)
                bodies.insert(response.body)
            }
            #expect(bodies.count == 1, "every failure answers the same")
        }
    }

    /// The agent's block (`sign_in_blocked_until`) and the database's clock.
    static func block(_ harness: APIHarness, _ code: String) async throws -> (until: Date?, now: Date) {
        try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            let row = try await owner.query("""
                SELECT (SELECT max(f.blocked_until) FROM auth.sign_in_failures f WHERE f.branch_code = \(code) AND f.login = 'agent'),
                       now()
                """)[0]
            return (try row.decode(Date?.self, at: 0), try row.decode(Date.self, at: 1))
        }
    }

    /// The block after five failures lasts one second of the database's clock. On a loaded machine
    /// the next request can arrive after it ended, so a round whose attempt came too late (by the
    /// database's clock) is repeated rather than failed; an attempt let in while the block still
    /// lasted fails the test.
    @Test func repeatedFailuresAreSlowedDown() async throws {
        try await APIHarness.run { harness, client in
            let code = harness.organisation.a.code
            let wrong = #"{"branch":"\#(code)","login":"agent","password":"not-the-password"}"#
            let right = #"{"branch":"\#(code)","login":"agent","password":"\#(TestOrganisation.password)"}"#
            var blocked: APIResponse?
            for _ in 0..<10 where blocked == nil {
                for _ in 0..<5 {
                    #expect(try await client.call(.post, "/v1/auth/sign-in", body: wrong).status == .unauthorized)
                }
                let until = try #require(try await Self.block(harness, code).until)
                let attempt = try await client.call(.post, "/v1/auth/sign-in", body: right)
                if attempt.status == .tooManyRequests {
                    blocked = attempt
                } else {
                    #expect(attempt.status == .created)
                    #expect(try await Self.block(harness, code).now >= until, "let in only once the block had ended")
                }
            }
            let response = try #require(blocked, "even the right password waits")
            #expect(response.status == .tooManyRequests, "even the right password waits")
            #expect(response.headers[.retryAfter].flatMap(Int.init) ?? 0 >= 1)
            // Wait for the block to end by the database's clock, not for a fixed time.
            while let until = try await Self.block(harness, code).until, try await Self.block(harness, code).now < until {
                try await Task.sleep(for: .milliseconds(100))
            }
            _ = try await client.signIn(code, "agent")
            // Another login of the same branch was never slowed down.
            _ = try await client.signIn(code, "handler")
        }
    }

    @Test func botKeysWorkUntilRevoked() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let me = try await client.call(.get, "/v1/me", token: org.a.botKey)
            #expect(me.status == .ok)
            #expect(me.json["credential"] as? String == "api_key")
            #expect(try await client.call(.post, "/v1/auth/sign-out", token: org.a.botKey).status == .noContent)
            #expect(try await client.call(.get, "/v1/me", token: org.a.botKey).status == .ok, "sign-out does not revoke keys")
            let admin = try await client.signIn(org.a.code, "admin")
            let issued = try await client.call(.post, "/v1/api-keys", token: admin,
                                               body: #"{"userId":"\#(org.a.users[.bot]!.path)","name":"pager"}"#)
            #expect(issued.status == .created)
            let secret = try #require(issued.json["secret"] as? String)
            let key = try #require(issued.json["key"] as? [String: Any])
            #expect(try await client.call(.get, "/v1/me", token: secret).status == .ok)
            let listed = try await client.call(.get, "/v1/api-keys", token: admin)
            #expect(!String(decoding: listed.body, as: UTF8.self).contains(String(secret.dropFirst(12))), "listings never show the secret")
            let keyID = try #require(key["id"] as? String)
            #expect(try await client.call(.delete, "/v1/api-keys/\(keyID)", token: admin).status == .noContent)
            #expect(try await client.call(.get, "/v1/me", token: secret).status == .unauthorized)
            let notABot = try await client.call(.post, "/v1/api-keys", token: admin,
                                                body: #"{"userId":"\#(org.a.users[.agent]!.path)","name":"nope"}"#)
            #expect(notABot.status == .unprocessableContent)
            #expect(notABot.problemFields == ["/userId"])
        }
    }

    @Test func aNewPasswordOrDeactivationEndsTheUsersSessions() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let agent = try await client.signIn(org.a.code, "agent")
            let changed = try await client.call(.patch, "/v1/users/\(org.a.users[.agent]!.path)", token: admin,
                                                body: #"{"password":"a-brand-new-password"}"#)
            #expect(changed.status == .ok)
            #expect(try await client.call(.get, "/v1/me", token: agent).status == .unauthorized)
            _ = try await client.signIn(org.a.code, "agent", password: "a-brand-new-password")
            let handler = try await client.signIn(org.a.code, "handler")
            #expect(try await client.call(.patch, "/v1/users/\(org.a.users[.handler]!.path)", token: admin,
                                          body: #"{"active":false}"#).status == .ok)
            #expect(try await client.call(.get, "/v1/me", token: handler).status == .unauthorized)
            let refused = try await client.call(.post, "/v1/auth/sign-in",
                body: #"{"branch":"\#(org.a.code)","login":"handler","password":"\#(TestOrganisation.password)"}"#)
            #expect(refused.status == .unauthorized)
        }
    }

    @Test func malformedOrMissingCredentialsAreRefused() async throws {
        try await APIHarness.run { harness, client in
            for token in [nil, "", "rds_short", "Basic abc", String(repeating: "x", count: 5000),
                          "rds_" + String(repeating: "A", count: 43), "rdk_" + String(repeating: "-", count: 43),
                          "rds_" + String(repeating: "B", count: 43) + "." + String(repeating: "A", count: 22),
                          "rds_" + String(repeating: "B", count: 43) + "." + String(repeating: "A", count: 21),
                          "rds_" + String(repeating: "B", count: 43) + "." + String(repeating: "A", count: 22) + ".",
                          "rds_" + String(repeating: "B", count: 43) + ".",
                          "rds_" + String(repeating: "B", count: 43) + ".." + String(repeating: "A", count: 21)] {
                let response = try await client.call(.get, "/v1/me", token: token)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }
}
