import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
@testable import RedressServer
import RedressStore
import RedressTestSupport
import Testing

@Suite("Sign-in throttling reveals no logins and locks nobody out")
struct SignInThrottleTests {
    /// The test client stands behind a proxy on loopback, which the server trusts.
    static let behindProxy: ServerConfiguration = {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0, signInsPerMinute: 1_000_000, requestsPerMinute: 1_000_000)
        server.trustedProxies = [IPNetwork("127.0.0.1/32")!]
        return server
    }()

    /// A first block long enough that the sixth attempt meets it even on a loaded machine.
    static let patientStore = StoreConfiguration(passwordHashCost: 4, sessionLifetime: .seconds(600), signInFirstBlock: .seconds(60))

    static func attempt(_ client: any TestClientProtocol, _ branch: String, _ login: String, _ password: String,
                        from address: String) async throws -> APIResponse {
        try await client.call(.post, "/v1/auth/sign-in", body: #"{"branch":"\#(branch)","login":"\#(login)","password":"\#(password)"}"#,
                              headers: ["X-Forwarded-For": "198.18.0.1, \(address)"])
    }

    /// An attacker fails six times at a real login and at an unknown one: both answer alike, so
    /// existence is not revealed; the real user, from their own address, still signs in.
    @Test func unknownAndRealLoginsAreThrottledAlikeAndTheOwnerStillGetsIn() async throws {
        try await APIHarness.run(server: Self.behindProxy, store: Self.patientStore) { harness, client in
            let code = harness.organisation.a.code
            let attacker = "203.0.113.66"
            var answers: [String: [Int]] = [:]
            for login in ["agent", "nobody.here"] {
                for _ in 0..<6 {
                    answers[login, default: []].append(Int(try await Self.attempt(client, code, login, "wrong-guess", from: attacker).status.code))
                }
            }
            #expect(answers["agent"] == [401, 401, 401, 401, 401, 429])
            #expect(answers["agent"] == answers["nobody.here"], "an unknown login answers exactly like a real one")
            let real = try await Self.attempt(client, code, "agent", "wrong-guess", from: attacker)
            let unknown = try await Self.attempt(client, code, "nobody.here", "wrong-guess", from: attacker)
            #expect(real.status == unknown.status && real.json["type"] as? String == unknown.json["type"] as? String)
            // Both waits count down from each login's own fifth failure, a few requests apart.
            let waits = [real, unknown].compactMap { $0.headers[.retryAfter].flatMap(Int.init) }
            #expect(waits.count == 2 && waits.allSatisfy { (1...60).contains($0) }, "\(waits)")
            // The attacker's own address waits, right password or not ...
            #expect(try await Self.attempt(client, code, "agent", TestOrganisation.password, from: attacker).status == .tooManyRequests)
            // ... but the user, from another address, is not locked out.
            #expect(try await Self.attempt(client, code, "agent", TestOrganisation.password, from: "198.51.100.20").status == .created)
        }
    }

    /// Rotating addresses inside one IPv6 /64 does not escape the throttle.
    @Test func anIPv6ClientIsCountedByIts64() async throws {
        try await APIHarness.run(server: Self.behindProxy, store: Self.patientStore) { harness, client in
            let code = harness.organisation.a.code
            var statuses: [Int] = []
            for index in 1...6 {
                statuses.append(Int(try await Self.attempt(client, code, "agent", "wrong-guess", from: "2001:db8:5:6::\(index)").status.code))
            }
            #expect(statuses == [401, 401, 401, 401, 401, 429])
            #expect(try await Self.attempt(client, code, "agent", TestOrganisation.password, from: "2001:db8:5:7::1").status == .created,
                    "the next /64 is another client")
        }
    }

    /// Without a trusted proxy a forged `X-Forwarded-For` is ignored: rotating it does not help.
    @Test func forgedForwardedForIsIgnoredWithoutATrustedProxy() async throws {
        try await APIHarness.run(store: Self.patientStore) { harness, client in
            let code = harness.organisation.a.code
            var statuses: [Int] = []
            for index in 1...6 {
                statuses.append(Int(try await Self.attempt(client, code, "agent", "wrong-guess", from: "203.0.113.\(index)").status.code))
            }
            #expect(statuses == [401, 401, 401, 401, 401, 429])
        }
    }

    @Test func theForwardedChainIsReadFromTheRightUpToTheFirstUntrustedHop() {
        let trusted = [IPNetwork("10.0.0.0/8")!]
        enum ClientAddressProbe {
            static func resolve(_ socket: String, _ forwarded: [String], _ trusted: [IPNetwork]) -> String? {
                ClientAddress.resolve(socket: socket, forwardedFor: forwarded, trusted: trusted)?.description
            }
        }
        #expect(ClientAddressProbe.resolve("10.0.0.2", ["203.0.113.9, 10.0.0.7"], trusted) == "203.0.113.9")
        #expect(ClientAddressProbe.resolve("10.0.0.2", ["1.2.3.4, 203.0.113.9"], trusted) == "203.0.113.9", "a forged left hop is ignored")
        #expect(ClientAddressProbe.resolve("198.51.100.1", ["203.0.113.9"], trusted) == "198.51.100.1", "an untrusted peer's header is ignored")
        #expect(ClientAddressProbe.resolve("10.0.0.2", ["garbage"], trusted) == "10.0.0.2")
    }

    /// Raising PASSWORD_HASH_COST re-hashes a password at its next successful sign-in; the new
    /// hash still verifies (in pgcrypto's bcrypt too), is not replaced again at the same cost, and
    /// a wrong password neither signs in nor re-hashes.
    @Test func aChangedHashCostIsAppliedAtTheNextSignIn() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        func storedHash() async throws -> String {
            try await database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                try await pool.query("SELECT password_hash FROM users WHERE branch_id = \(org.a.id) AND login = 'agent'")[0].decode(at: 0)
            }
        }
        #expect(try await storedHash().hasPrefix("$2a$04$"))
        try await database.withPool { (pool: PGPool) async throws in
            let store = AuthStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 5)))
            let wrong = try await store.signIn(branchCode: org.a.code, login: "agent", password: "not-the-password", client: "192.0.2.1")
            #expect(wrong == .invalidCredentials)
            #expect(try await storedHash().hasPrefix("$2a$04$"), "a failed sign-in re-hashes nothing")
            let outcome = try await store.signIn(branchCode: org.a.code, login: "agent", password: TestOrganisation.password, client: "192.0.2.1")
            guard case .signedIn = outcome else { Issue.record("sign-in failed: \(outcome)"); return }
            let upgraded = try await storedHash()
            #expect(upgraded.hasPrefix("$2a$05$"))
            let again = try await store.signIn(branchCode: org.a.code, login: "agent", password: TestOrganisation.password, client: "192.0.2.1")
            guard case .signedIn = again else { Issue.record("sign-in with the upgraded hash failed: \(again)"); return }
            #expect(try await storedHash() == upgraded, "a hash at the configured cost stays")
            #expect(try await store.signIn(branchCode: org.a.code, login: "agent", password: "not-the-password", client: "192.0.2.1")
                    == .invalidCredentials)
            let verified: Bool = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT crypt(\(TestOrganisation.password), \(upgraded)) = \(upgraded)")[0].decode(at: 0)
            }
            #expect(verified, "pgcrypto's bcrypt verifies the hash made in Swift")
        }
    }
}
