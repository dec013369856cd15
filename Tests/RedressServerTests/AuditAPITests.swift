import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressAPIClient
import RedressStore
import RedressTestSupport
import Testing

@Suite("The audit trail over HTTP")
struct AuditAPITests {
    @Test func everyWriteAndEveryReadOfPersonalDataIsRecordedForAuditorsOfThatBranch() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let admin = try await client.signIn(org.a.code, "admin")
            let created = try await client.call(.post, "/v1/departments", token: admin, body: #"{"name":"Audit Desk","kind":"other"}"#)
            #expect(created.status == .created)
            let requestID = try #require(created.headers[HTTPField.Name("X-Request-Id")!])
            let department = try #require(created.json["id"] as? String)

            let auditor = try await client.signIn(org.a.code, "auditor")
            let entries = try await client.call(.get, "/v1/audit?entity=departments&entityId=\(department)", token: auditor).items
            #expect(entries.count == 1)
            let entry = try #require(entries.first)
            #expect(entry["action"] as? String == "insert")
            #expect((entry["actorId"] as? String)?.lowercased() == org.a.users[.admin]!.path)
            #expect(entry["actorRoles"] as? [String] == ["admin"])
            #expect(entry["requestId"] as? String == requestID, "the entry names the request (X-Request-Id)")
            #expect((entry["after"] as? [String: Any])?["name"] as? String == "Audit Desk")

            // A failed request changes nothing and so records nothing.
            #expect(try await client.call(.post, "/v1/departments", token: admin, body: #"{"name":"","kind":"other"}"#).status.code >= 400)
            let again = try await client.call(.get, "/v1/audit?entity=departments", token: auditor).items
            let emptyNamed = again.filter { ($0["after"] as? [String: Any])?["name"] as? String == "" }
            #expect(emptyNamed.isEmpty)

            // Reading a complaint (its customer's personal data) is recorded, without the data.
            let agent = try await client.signIn(org.a.code, "agent")
            let category = try await ComplaintLifecycleAPITests.billing(client, token: agent)
            let complaint = try await ComplaintLifecycleAPITests.intake(client, token: agent, category: category)
            let id = try #require(complaint["id"] as? String)
            let head = try await client.signIn(org.a.code, "department_head")
            #expect(try await client.call(.get, "/v1/complaints/\(id)", token: head).status == .ok)
            let trail = try await client.call(.get, "/v1/audit?entity=complaints&entityId=\(id)", token: auditor).items
            let actions = trail.compactMap { $0["action"] as? String }
            #expect(actions.first == "read" && actions.last == "insert", "newest first: the read, then the intake's writes")
            let read = try #require(trail.first { $0["action"] as? String == "read" })
            #expect((read["actorId"] as? String)?.lowercased() == org.a.users[.departmentHead]!.path)
            let readText = String(decoding: try JSONSerialization.data(withJSONObject: read), as: UTF8.self)
            let typedTrail = try await client.api(auditor).listAuditEntries(query: .init(entity: "complaints", entityId: id)).ok.body.json
            #expect(typedTrail.items.map(\.id) == trail.compactMap { $0["id"] as? Int } && typedTrail.items.first?.action == .read)
            #expect(!readText.contains("王小明"), "the read is recorded, not the data read")

            // Only auditors read the trail, and only of the branches they audit.
            #expect(try await client.call(.get, "/v1/audit", token: admin).status == .forbidden)
            #expect(try await client.call(.get, "/v1/audit", token: agent).status == .forbidden)
            let foreignAuditor = try await client.signIn(org.b.code, "auditor")
            let foreign = try await client.call(.get, "/v1/audit?limit=200", token: foreignAuditor).items
            #expect(!foreign.isEmpty && foreign.allSatisfy { ($0["branchId"] as? String)?.lowercased() == org.b.id.path })
            #expect(try await client.call(.get, "/v1/audit?entity=Complaints;drop", token: auditor).problemFields == ["entity"])
            #expect(try await client.call(.get, "/v1/audit?cursor=abc", token: auditor).problemFields == ["cursor"])
            let paged = try await client.call(.get, "/v1/audit?limit=2", token: auditor)
            let cursor = try #require(paged.json["nextCursor"] as? String)
            let next = try await client.call(.get, "/v1/audit?limit=2&cursor=\(cursor)", token: auditor).items
            #expect(Set(next.compactMap { $0["id"] as? Int }).isDisjoint(with: paged.items.compactMap { $0["id"] as? Int }))

            // Pages follow the entries' time, not their ids (on Citus each node hands out ids of
            // its own range): an old entry with the highest id comes last, and walking the pages
            // gives the whole trail once, in order.
            let backdated = 999_999_999_999
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("""
                    INSERT INTO audit_log (id, branch_id, at, action, entity) OVERRIDING SYSTEM VALUE
                    VALUES (\(Int64(backdated)), \(org.a.id), '2001-01-01 00:00:00.000001+00', 'insert', 'backdated')
                    """)
            }
            let whole = try await client.call(.get, "/v1/audit?limit=200", token: auditor).items.compactMap { $0["id"] as? Int }
            #expect(whole.count < 200 && whole.last == backdated)
            var walked: [Int] = []
            var place: String?
            repeat {
                let page = try await client.call(.get, "/v1/audit?limit=7" + (place.map { "&cursor=\($0)" } ?? ""), token: auditor)
                walked += page.items.compactMap { $0["id"] as? Int }
                place = page.json["nextCursor"] as? String
            } while place != nil && walked.count <= whole.count
            #expect(walked == whole)
        }
    }

    @Test func theServiceRoleCannotWriteChangeOrDeleteAuditEntries() async throws {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        try await database.withPool(size: 1) { (pool: PGPool) async throws in
            for statement: PGQuery in [
                "UPDATE audit_log SET action = 'read'",
                "DELETE FROM audit_log",
                "INSERT INTO audit_log (branch_id, action, entity) VALUES (\(org.a.id), 'insert', 'forged')",
                "TRUNCATE audit_log",
            ] {
                let error = await #expect(throws: PGError.self) { try await pool.query(statement) }
                #expect(error?.sqlState == .insufficientPrivilege, "\(statement)")
            }
            // Through the recording function only reads and exports, and only in the caller's name.
            let anonymous = await #expect(throws: PGError.self) {
                try await pool.query("SELECT audit.record_access(\(org.a.id), 'read', 'complaints', NULL, '{}')")
            }
            #expect(anonymous?.sqlState == .insufficientPrivilege)
        }
    }
}
