import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

@Suite("Customer personal data sealed at rest, found by blind index, masked by role")
struct PersonalDataTests {
    static let body = #"{"channel":"phone","complainant":{"name":"王小明","phone":"+86 138 0013 8000","email":"wang.xm@example.com","address":"北京市朝阳区建国路88号","idNumber":"110105199001011234"},"description":"charged twice","categoryId":"CATEGORY"}"#

    @Test func storedSealedShownByRoleFoundByPhoneAndKeptOutOfTheAuditTrail() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let created = try await client.call(.post, "/v1/complaints", token: agent, body: Self.body.replacingOccurrences(of: "CATEGORY", with: category))
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            let full = try #require(created.json["complainant"] as? [String: Any])
            #expect(full["name"] as? String == "王小明" && full["idNumber"] as? String == "110105199001011234")

            // At rest: no plaintext column, and the box holds none of it.
            let row = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT num_nonnulls(complainant_name, complainant_phone, complainant_email, complainant_address), complainant_sealed,
                           complainant_key_id, length(complainant_phone_index), customer_ref,
                           (SELECT string_agg(coalesce(before::text, '') || coalesce(after::text, ''), '') FROM audit_log WHERE entity = 'complaints')
                      FROM complaints WHERE id = \(UUID(uuidString: id)!)
                    """)[0]
            }
            #expect(try row.decode(Int.self, at: 0) == 0, "no plaintext column holds personal data")
            let box = try row.decode(Data.self, at: 1)
            for secret in ["王小明", "0013", "wang.xm", "建国路", "19900101"] {
                #expect(box.range(of: Data(secret.utf8)) == nil, "the box does not show \(secret)")
            }
            #expect(try row.decode(String.self, at: 2) == "k1" && row.decode(Int.self, at: 3) == 32)
            #expect(try row.decode(String?.self, at: 4) == nil, "the phone is not copied into the customer reference")
            let trail = try row.decode(String.self, at: 5)
            #expect(!trail.contains("王小明") && !trail.contains("0013") && !trail.contains("complainant_sealed"), "the audit trail holds no personal data")

            // In full for those who serve the customer, masked for the others.
            let head = try await client.signIn(org.a.code, "department_head")
            #expect((try await client.call(.get, "/v1/complaints/\(id)", token: head).json["complainant"] as? [String: Any])?["phone"] as? String
                    == "+86 138 0013 8000")
            for role in ["branch_manager", "executive", "auditor"] {
                let token = try await client.signIn(org.a.code, role)
                let shown = try #require(try await client.call(.get, "/v1/complaints/\(id)", token: token).json["complainant"] as? [String: Any])
                #expect(shown["name"] as? String == "王**" && shown["phone"] as? String == "+86 1** **** 8000", "\(role)")
                #expect(shown["email"] as? String == "w***@example.com" && shown["address"] as? String == "北京市朝阳区****")
                #expect(shown["idNumber"] as? String == "110***********1234")
                let listed = try await client.call(.get, "/v1/complaints", token: token).items.first { $0["id"] as? String == id }
                #expect((listed?["complainant"] as? [String: Any])?["phone"] as? String == "+86 1** **** 8000", "\(role) list")
            }

            // Exact lookup by phone (in a POST body), whatever the spacing; nothing for another number.
            func search(_ phone: String, _ token: String) async throws -> APIResponse {
                try await client.call(.post, "/v1/complaints/search", token: token, body: #"{"phone":"\#(phone)"}"#)
            }
            for phone in ["+86 138-0013-8000", "8613800138000"] {
                #expect(try await search(phone, agent).items.map { $0["id"] as? String } == [id], "\(phone)")
            }
            #expect(try await search("13800138001", agent).items.isEmpty)
            #expect(try await search("abc", agent).problemFields == ["/phone"])
            // Another branch's agent finds nothing by the same number.
            let foreign = try await client.signIn(org.b.code, "agent")
            #expect(try await search("8613800138000", foreign).items.isEmpty)

            // Without a customer reference, the same phone and category within 30 days makes a repeat.
            let again = try await client.call(.post, "/v1/complaints", token: agent,
                                              body: Self.body.replacingOccurrences(of: "CATEGORY", with: category)
                                                  .replacingOccurrences(of: "+86 138 0013 8000", with: "+86-13800138000"))
            #expect(again.json["nature"] as? String == "repeat" && again.json["repeatOf"] as? String == id)
        }
    }

    @Test func rotationReSealsEveryRowAndTheOldKeyCanThenGo() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let first = PersonalDataKeys.generate(keyID: "k1")
        let second = try first.rotating(to: "k2")
        try await database.withPool(size: 2) { (pool: PGPool) async throws in
            func store(_ keys: PersonalDataKeys) -> ComplaintStore {
                ComplaintStore(database: ScopedDatabase(pool: pool, configuration: StoreConfiguration(passwordHashCost: 4, personalDataKeys: keys)))
            }
            let agent = org.caller(.agent, in: org.a)
            var ids: [UUID] = []
            for index in 0..<5 {
                ids.append(try await store(first).intake(agent, ComplaintIntake(
                    channel: "phone", complainant: .init(name: "Customer \(index)", phone: "+86 139 0000 000\(index)"), description: "d"),
                    idempotencyKey: nil, requestHash: nil).complaint.id)
            }
            // A row from before sealing existed: plaintext columns only.
            let legacy: UUID = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    INSERT INTO complaints (branch_id, case_number, channel, description, complainant_name, complainant_phone)
                    VALUES (\(org.a.id), 'LEGACY-1', 'phone', 'old', 'Old Customer', '+86 137 0000 0001') RETURNING id
                    """)[0].decode(at: 0)
            }
            let owner = database.pool(owner: true, size: 1)
            let operatorStore = PersonalDataStore(owner: owner, keys: second)
            #expect(try await operatorStore.census() == ["k1": 5, "clear": 1])
            #expect(try await operatorStore.reseal(dryRun: true).resealed == 6)
            let result = try await operatorStore.reseal(batch: 2)
            #expect(result == .init(resealed: 6, unreadable: 0))
            #expect(try await operatorStore.census() == ["k2": 6])
            #expect(try await operatorStore.reseal().resealed == 0, "nothing left to do")

            let withoutFirst = try second.removing("k1")
            let complaint = try await store(withoutFirst).get(agent.scope, id: ids[3])
            #expect(complaint.complainant.name == "Customer 3" && complaint.complainant.phone == "+86 139 0000 0003")
            let old = try await store(withoutFirst).get(agent.scope, id: legacy)
            #expect(old.complainant.name == "Old Customer")
            let found = try await store(withoutFirst).list(agent, { var f = ComplaintFilter(); f.phone = "+86 13700000001"; return f }(), page: PageRequest())
            #expect(found.items.map(\.id) == [legacy], "the legacy row is now in the blind index too")
            // The first key alone no longer opens anything; a box copied onto another row does not open either.
            #expect(try await store(first).get(agent.scope, id: ids[3]).complainant.name == nil)
            _ = try await owner.query("""
                UPDATE complaints SET complainant_sealed = (SELECT complainant_sealed FROM complaints WHERE id = \(ids[0])),
                                      complainant_key_id = 'k2' WHERE id = \(ids[1])
                """)
            #expect(try await store(withoutFirst).get(agent.scope, id: ids[1]).complainant.name == nil, "bound to its own row")
            await owner.shutdown()
        }
    }
}
