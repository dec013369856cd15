import Foundation
import Postgres
import RedressCore
import RedressScheduler
import RedressStore
import RedressTestSupport
import Testing

/// A department's head is told, once, when a complaint is routed or handed to the department and
/// when it is reopened there after a dissatisfied follow-up; a branch's policy may keep routing quiet.
@Suite("Heads told of routed and reopened complaints")
struct StaffNoticeTests {
    static func raised(_ fixture: EscalationSchedulerTests.Fixture) async throws -> [EscalationStore.RaisedAlarm] {
        try await fixture.database.withPool(scheduler: true, size: 2) { (jobs: PGPool) async throws in
            try await EscalationScheduler(pool: jobs, listen: PGConnectionConfiguration(fixture.database.schedulerURL)).raiseAlarms()
        }
    }

    @Test func routingAtIntakeAHandOverAndAReopeningEachTellTheHeadOnce() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            let pages = PageStore(database: ScopedDatabase(pool: pool))
            let head = org.caller(.departmentHead, in: org.a)
            // Billing complaints are routed to the first department at intake.
            let complaint = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 60).first)
            #expect(complaint.departmentId == org.a.departments[0])
            #expect(try await Self.raised(fixture).map { "\($0.kind) \($0.pages)" } == ["department_routed 1"])
            #expect(try await Self.raised(fixture).isEmpty, "once")
            let told = try await pages.myPages(head, all: false).items
            #expect(told.map { $0.summary["reason"] } == [.string("department_routed")] && told.first?.recipientKind == "department_head")
            #expect(try await store.timeline(head.scope, id: complaint.id).filter { $0.kind == "head_notified" }.count == 1)

            // Resolved on the spot, then the customer is dissatisfied: it is reopened and the head told
            // again (their first page still open is acknowledged first, or the notice would not repeat it).
            _ = try await pages.acknowledge(head, pageID: try #require(told.first?.id))
            let agent = org.caller(.agent, in: org.a)
            _ = try await store.perform(agent, id: complaint.id, ComplaintStep(.resolveOnTheSpot, resolution: "Refunded."))
            let reopened = try await store.perform(agent, id: complaint.id, ComplaintStep(.recordSatisfaction, satisfaction: 2))
            #expect(reopened.status == .investigating && reopened.reopenCount == 1)
            #expect(try await Self.raised(fixture).map { "\($0.kind) \($0.pages)" } == ["reopened 1"])
            #expect(try await pages.myPages(head, all: false).items.map { $0.summary["reason"] } == [.string("reopened")])

            // Handed to the second department, which has no head yet: on the timeline, nobody paged.
            let manager = org.caller(.branchManager, in: org.a)
            _ = try await store.perform(manager, id: complaint.id, ComplaintStep(.reassign, departmentID: org.a.departments[1]))
            #expect(try await Self.raised(fixture).map { "\($0.kind) \($0.pages)" } == ["department_routed 0"])
        }
    }

    @Test func theHeadIsNotToldOfWhatTheyDidThemselves() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            let pages = PageStore(database: ScopedDatabase(pool: pool))
            let head = org.caller(.departmentHead, in: org.a)
            let complaint = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 60).first)
            #expect(try await Self.raised(fixture).map(\.kind) == ["department_routed"])
            _ = try await pages.acknowledge(head, pageID: try #require(try await pages.myPages(head, all: false).items.first?.id))
            // The head settles it on the spot and records the customer's dissatisfaction: it reopens
            // in their department, which they know.
            _ = try await store.perform(head, id: complaint.id, ComplaintStep(.resolveOnTheSpot, resolution: "Refunded."))
            let reopened = try await store.perform(head, id: complaint.id, ComplaintStep(.recordSatisfaction, satisfaction: 2))
            #expect(reopened.status == .investigating && reopened.reopenCount == 1)
            #expect(try await Self.raised(fixture).isEmpty, "not told of their own reopening")

            // A complaint the head takes in themselves, routed to their department: nobody is told.
            let own = try await store.intake(head, ComplaintIntake(
                channel: "phone", complainant: .init(name: "C", phone: "+86 10 9"), description: "taken in by the head",
                categoryID: fixture.billing), idempotencyKey: nil, requestHash: nil).complaint
            #expect(own.departmentId == org.a.departments[0])
            #expect(try await Self.raised(fixture).isEmpty, "not told of their own intake")
        }
    }

    @Test func aComplainantsStatementTellsTheHeadOnce() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ComplaintStore(database: ScopedDatabase(pool: pool))
            let pages = PageStore(database: ScopedDatabase(pool: pool))
            let head = org.caller(.departmentHead, in: org.a)
            let taken = try await store.intake(org.caller(.agent, in: org.a), ComplaintIntake(
                channel: "phone", complainant: .init(name: "C", phone: "+86 10 9"), description: "charged twice",
                categoryID: fixture.billing), idempotencyKey: nil, requestHash: nil)
            #expect(try await Self.raised(fixture).map(\.kind) == ["department_routed"])
            _ = try await pages.acknowledge(head, pageID: try #require(try await pages.myPages(head, all: false).items.first?.id))

            let added = try await store.addStatement(caseNumber: taken.complaint.caseNumber, code: try #require(taken.accessCode),
                                                     text: "I was charged a third time", client: "192.0.2.1", requestID: nil)
            guard case .added = added else { Issue.record("not added: \(added)"); return }
            #expect(try await Self.raised(fixture).map { "\($0.kind) \($0.pages)" } == ["complainant_statement 1"])
            #expect(try await Self.raised(fixture).isEmpty, "once")
            let told = try await pages.myPages(head, all: false).items
            #expect(told.map { $0.summary["reason"] } == [.string("complainant_statement")] && told.first?.recipientKind == "department_head")
            let kinds = try await store.timeline(head.scope, id: taken.complaint.id).map(\.kind)
            #expect(kinds.suffix(2) == ["statement_received", "complainant_statement"], "\(kinds)")

            // A wrong code tells nobody anything.
            #expect(try await store.addStatement(caseNumber: taken.complaint.caseNumber, code: AccessCode.generate(), text: "x",
                                                 client: "192.0.2.1", requestID: nil) == .unknown)
            #expect(try await Self.raised(fixture).isEmpty)

            // More statements within the hour are told together, an hour after the last notice;
            // a day takes twenty.
            let code = try #require(taken.accessCode)
            for index in 2...20 {
                let outcome = try await store.addStatement(caseNumber: taken.complaint.caseNumber, code: code, text: "more \(index)",
                                                           client: "192.0.2.1", requestID: nil)
                guard case .added = outcome else { Issue.record("statement \(index): \(outcome)"); return }
            }
            #expect(try await Self.raised(fixture).isEmpty, "within the hour of the last notice")
            let pending = try await fixture.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("""
                    SELECT count(*) FILTER (WHERE k LIKE 'complainant\\_statement:%' AND NOT k = ANY (c.sla_alarms_raised)),
                           extract(epoch FROM c.next_alarm_at - now())::integer
                      FROM complaints c, unnest(c.sla_alarm_keys) k WHERE c.id = \(taken.complaint.id) GROUP BY c.next_alarm_at
                    """)[0]
            }
            #expect(try pending.decode(Int.self, at: 0) == 1, "one notice waits for all of them")
            #expect(try (3000...3600).contains(pending.decode(Int.self, at: 1)), "due an hour after the last notice")
            let refused = try await store.addStatement(caseNumber: taken.complaint.caseNumber, code: code, text: "one too many",
                                                       client: "192.0.2.1", requestID: nil)
            guard case .tooMany(let wait) = refused else { Issue.record("the 21st statement: \(refused)"); return }
            #expect(wait > 86_000)
        }
    }

    @Test func aBranchMayKeepRoutingQuiet() async throws {
        let fixture = try await EscalationSchedulerTests.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            var policy = SLAPolicy.standard()
            policy.name = "Quiet billing"
            policy.categoryIDs = [fixture.billing]
            policy.priorities = ["general"]
            policy.natures = ["general"]
            policy.notifyHeadOnRouting = false
            _ = try await SLAConfigurationStore(database: ScopedDatabase(pool: pool))
                .createPolicy(org.caller(.admin, in: org.a).scope, branchID: org.a.id, policy, active: true)
            let complaint = try #require(try await EscalationSchedulerTests.intake(fixture, pool: pool, count: 1, age: 60).first)
            #expect(complaint.departmentId == org.a.departments[0] && complaint.sla?.policyName == "Quiet billing")
            #expect(try await Self.raised(fixture).isEmpty, "nobody is told")
        }
    }
}
