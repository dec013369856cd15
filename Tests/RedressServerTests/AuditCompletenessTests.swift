import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// The audit gaps of the review, over HTTP as a branch admin: a password reset, a webhook secret
/// rotation, timeline events, sign-in and sign-out each leave an entry, naming hidden columns
/// without their values, and the sealed chain still verifies.
@Suite("Audit completeness: credential changes, timeline events and sessions")
struct AuditCompletenessTests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    @Test func aPasswordResetASecretRotationTimelineEventsAndSessionsAreAuditedWithoutTheirSecrets() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let manager = org.a.users[.branchManager]!
            let reset = try await client.call(.patch, "/v1/users/\(manager.path)", token: admin, body: #"{"password":"a-new-password-F10"}"#)
            #expect(reset.status == .ok)
            let created = try await client.call(.post, "/v1/webhooks", token: admin,
                                                body: #"{"userId":"\#(org.a.users[.bot]!.path)","url":"https://bots.example.com/redress"}"#)
            let webhook = try #require(created.json["id"] as? String)
            let first = try #require(created.json["secret"] as? String)
            let rotated = try await client.call(.patch, "/v1/webhooks/\(webhook)", token: admin, body: #"{"rotateSecret":true}"#)
            let second = try #require(rotated.json["secret"] as? String)
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await Lifecycle.billing(client, token: agent)
            let complaint = try #require(try await Lifecycle.intake(client, token: agent, category: category)["id"] as? String)
            #expect(try await client.call(.post, "/v1/auth/sign-out", token: admin).status == .noContent)

            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                func entries(_ entity: String, _ id: String) async throws -> [(action: String, before: String?, after: String?)] {
                    try await owner.query("""
                        SELECT action, before::text, after::text FROM audit_log
                         WHERE entity = \(entity) AND entity_id = \(UUID(uuidString: id)!) ORDER BY id
                        """).map { (try $0.decode(at: 0), try $0.decode(at: 1), try $0.decode(at: 2)) }
                }
                let resets = try await entries("users", manager.path).filter { $0.after?.contains("password_hash") == true }
                #expect(resets.count == 1 && resets.first?.after?.contains(#""password_hash": "changed""#) == true,
                        "the reset names the column: \(resets)")
                let rotations = try await entries("webhooks", webhook).filter { $0.action == "update" }
                #expect(rotations.contains { $0.after?.contains(#""secret": "changed""#) == true }, "\(rotations)")
                #expect(try await entries("complaint_events", complaint).contains { $0.action == "insert" }, "timeline events are audited")

                let sessions = try await owner.query("""
                    SELECT action, coalesce(before::text, ''), coalesce(after::text, '') FROM audit_log WHERE entity = 'sessions' ORDER BY id
                    """).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2)) }
                #expect(sessions.filter { $0.0 == "insert" }.count == 2, "both sign-ins")
                #expect(sessions.contains { $0.0 == "update" && $0.2.contains("revoked_at") }, "the sign-out")
                #expect(sessions.allSatisfy { !$0.1.contains("token_hash") && !$0.2.contains("token_hash") })

                // Nothing secret was copied: no bcrypt hash, no token hash, neither webhook secret.
                let hashes: [String] = try await owner.query("""
                    SELECT encode(token_hash, 'hex') FROM sessions UNION ALL SELECT password_hash FROM users WHERE password_hash IS NOT NULL
                    """).map { try $0.decode(at: 0) }
                let trail: String = try await owner.query("""
                    SELECT coalesce(string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ''), '') FROM audit_log
                    """)[0].decode(at: 0)
                for secret in hashes + [first, second, "a-new-password-F10", admin] {
                    #expect(!trail.contains(secret), "the trail holds no secret")
                }
                #expect(!trail.contains("$2a$") && !trail.contains("$2b$"))
            }
            // The scheduler seals the new entries and the chains verify.
            try await harness.database.withPool(scheduler: true, size: 1) { (pool: PGPool) async throws in
                #expect(try await AuditSealer(pool: pool).sealAll() > 0)
            }
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                #expect(try await AuditStore(pool: owner).verify().breaks.isEmpty)
            }
        }
    }
}
