import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import RedressCore
import RedressScheduler
import RedressServer
import RedressStore
import RedressTestSupport
import Testing

/// Rectification tasks over real HTTP against a real database: made from two complaints by the
/// head of the responsible department, worked on, sent back once and accepted; refused input
/// changes nothing; the effect evaluation agrees with a count the test keeps itself; an overdue
/// task is escalated exactly once by three schedulers at once.
@Suite("Rectification tasks")
struct RectificationAPITests {
    typealias Lifecycle = ComplaintLifecycleAPITests

    static let twoMeasures = """
        [{"description":"Fix the monthly billing run","target":"0 duplicate charges in the next billing run"},
         {"description":"Train billing staff","target":"every billing agent trained by month end"}]
        """

    /// A task's body: two measures with targets, due in `dueIn` seconds.
    static func body(department: UUID, responsible: UUID, complaints: [String], categories: [String] = [], dueIn: TimeInterval = 86_400 * 30,
                     evaluationDays: Int = 30, title: String = "Stop double billing", measures: String? = nil) -> String {
        let due = ISO8601DateFormatter().string(from: Date().addingTimeInterval(dueIn))
        return """
            {"title":"\(title)","problem":"账单系统重复扣费 — the same month billed twice",
             "measures":\(measures ?? twoMeasures),
             "acceptanceCriteria":"Two billing runs without a duplicate charge",
             "departmentId":"\(department.path)","responsibleUserId":"\(responsible.path)","dueAt":"\(due)",
             "complaintIds":[\(complaints.map { "\"\($0)\"" }.joined(separator: ","))],
             "categoryIds":[\(categories.map { "\"\($0)\"" }.joined(separator: ","))],"evaluationDays":\(evaluationDays)}
            """
    }

    static func count(_ harness: APIHarness) async throws -> Int64 {
        try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT (SELECT count(*) FROM rectification_tasks) + (SELECT count(*) FROM rectification_events)")[0]
                .decode(Int64.self, at: 0)
        }
    }

    static func kinds(_ client: any TestClientProtocol, _ id: String, token: String) async throws -> [String] {
        try await client.call(.get, "/v1/rectifications/\(id)/timeline", token: token).items.compactMap { $0["kind"] as? String }
    }

    @Test func aTaskFromTwoComplaintsIsSentBackOnceThenAcceptedAndItsEffectCountedAsTheTestCounts() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let head = try await client.signIn(org.a.code, "department_head")
            let handler = try await client.signIn(org.a.code, "handler")
            let manager = try await client.signIn(org.a.code, "branch_manager")
            let billing = try await Lifecycle.billing(client, token: agent)
            let first = try #require(try await Lifecycle.intake(client, token: agent, category: billing)["id"] as? String)
            let second = try #require(try await Lifecycle.intake(client, token: agent, category: billing)["id"] as? String)
            let department = org.a.departments[0], responsible = org.a.users[.handler]!

            // Refused: by whoever may not make one, and for every bad field, each changing nothing.
            let good = Self.body(department: department, responsible: responsible, complaints: [first, second])
            #expect(try await client.call(.post, "/v1/rectifications", token: handler, body: good).status == .forbidden)
            #expect(try await client.call(.post, "/v1/rectifications", token: agent, body: good).status == .forbidden)
            let forLegal = Self.body(department: org.a.departments[1], responsible: org.a.otherDepartmentUser, complaints: [first])
            #expect(try await client.call(.post, "/v1/rectifications", token: head, body: forLegal).status == .forbidden,
                    "a head makes tasks for their own department")
            let before = try await Self.count(harness)
            let foreign = try #require(try await Lifecycle.intake(client, token: try await client.signIn(org.b.code, "agent"),
                                                                  category: nil)["id"] as? String)
            let legal = try #require(try await Lifecycle.intake(client, token: agent, category: nil)["id"] as? String)
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.withTransaction { connection in
                    try await connection.execute("UPDATE complaints SET department_id = \(org.a.departments[1]) WHERE id = \(UUID(uuidString: legal)!)")
                    try await connection.execute("SELECT follow_case(\(org.a.id), \(UUID(uuidString: legal)!))")
                }
            }
            let refusals: [(String, String, String)] = [
                (manager, Self.body(department: department, responsible: responsible, complaints: [first], dueIn: -60), "/dueAt"),
                (manager, Self.body(department: department, responsible: org.a.otherDepartmentUser, complaints: [first]), "/responsibleUserId"),
                (manager, Self.body(department: department, responsible: org.a.users[.auditor]!, complaints: [first]), "/responsibleUserId"),
                (manager, Self.body(department: department, responsible: responsible, complaints: [first, foreign]), "/complaintIds"),
                (head, Self.body(department: department, responsible: responsible, complaints: [first, legal]), "/complaintIds"),
                (manager, Self.body(department: department, responsible: responsible, complaints: []), "/complaintIds"),
                (manager, Self.body(department: department, responsible: responsible, complaints: [first], evaluationDays: 3), "/evaluationDays"),
                (manager, Self.body(department: department, responsible: responsible, complaints: [first], title: "   "), "/title"),
                (manager, Self.body(department: org.b.departments[0], responsible: responsible, complaints: [first]), "/departmentId"),
                (manager, good.replacingOccurrences(of: #""target":"every billing agent trained by month end""#, with: #""target":"""#),
                 "/measures/1/target"),
                (manager, Self.body(department: department, responsible: responsible, complaints: [first], measures: "[]"), "/measures"),
            ]
            for (token, body, field) in refusals {
                let response = try await client.call(.post, "/v1/rectifications", token: token, body: body)
                #expect(response.status == .unprocessableContent && response.problemFields.contains(field),
                        "\(field): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
            }
            let uncounted = try #require(try await Lifecycle.intake(client, token: agent, category: nil)["id"] as? String)
            let nothingToCount = try await client.call(.post, "/v1/rectifications", token: manager,
                                                       body: Self.body(department: department, responsible: responsible, complaints: [uncounted]))
            #expect(nothingToCount.status == .unprocessableContent && nothingToCount.problemFields == ["/categoryIds"],
                    "\(String(decoding: nothingToCount.body, as: UTF8.self))")
            #expect(try await Self.count(harness) == before, "refused requests change nothing")

            // Made by the head of the responsible department; the complaints' category and department are evaluated.
            let made = try await client.call(.post, "/v1/rectifications", token: head, body: good)
            #expect(made.status == .created, "\(String(decoding: made.body, as: UTF8.self))")
            let id = try #require(made.json["id"] as? String)
            #expect(made.json["status"] as? String == "open" && made.json["progressPercent"] as? Int == 0)
            #expect(Set(made.json["complaintIds"] as? [String] ?? []) == [first, second])
            #expect(made.json["categoryIds"] as? [String] == [billing] && made.json["evaluatedDepartmentIds"] as? [String] == [department.path])
            #expect((made.json["measures"] as? [[String: Any]])?.count == 2)

            // Seen as complaints are: the other department and another branch find nothing.
            #expect(try await client.call(.get, "/v1/rectifications/\(id)", token: handler).status == .ok)
            #expect(try await client.call(.get, "/v1/rectifications/\(id)", token: try await client.signIn(org.a.code, "other")).status
                    == .notFound)
            #expect(try await client.call(.get, "/v1/rectifications/\(id)", token: try await client.signIn(org.b.code, "branch_manager"))
                    .status == .notFound)
            #expect(try await client.call(.get, "/v1/rectifications?complaintId=\(first)", token: agent).items.count == 1)
            #expect(try await client.call(.get, "/v1/rectifications?complaintId=\(second)&status=open", token: agent).items.count == 1)
            #expect(try await client.call(.get, "/v1/rectifications?complaintId=\(second)&status=accepted", token: agent).items.isEmpty)

            // Progress, then the acceptance report: not decided before it is submitted, nor by the responsible person.
            let decision = #"{"outcome":"sent_back","reasoning":"The second measure has no evidence of training."}"#
            #expect(try await client.call(.post, "/v1/rectifications/\(id)/decision", token: head, body: decision).status == .conflict)
            let progress = try await client.call(.post, "/v1/rectifications/\(id)/progress", token: handler,
                                                 body: #"{"progressPercent":40,"note":"Billing run fixed; training booked"}"#)
            #expect(progress.status == .ok && progress.json["progressPercent"] as? Int == 40)
            let outOfRange = try await client.call(.post, "/v1/rectifications/\(id)/progress", token: handler,
                                                   body: #"{"progressPercent":101,"note":"too far"}"#)
            #expect(outOfRange.status == .unprocessableContent && outOfRange.problemFields == ["/progressPercent"])
            #expect(try await client.call(.post, "/v1/rectifications/\(id)/progress", token: agent,
                                          body: #"{"progressPercent":50,"note":"not mine"}"#).status == .forbidden)
            let report = #"{"report":"Billing run fixed: no duplicate in November. Training held for 12 agents."}"#
            #expect(try await client.call(.post, "/v1/rectifications/\(id)/submission", token: handler, body: report).json["status"] as? String
                    == "submitted")
            #expect(try await client.call(.post, "/v1/rectifications/\(id)/submission", token: handler, body: report).status == .conflict)
            #expect(try await client.call(.post, "/v1/rectifications/\(id)/decision", token: handler, body: decision).status == .forbidden)
            let sentBack = try await client.call(.post, "/v1/rectifications/\(id)/decision", token: head, body: decision)
            #expect(sentBack.json["status"] as? String == "open" && sentBack.json["sentBackCount"] as? Int == 1, "\(sentBack.json)")
            #expect(try await client.call(.get, "/v1/rectifications/\(id)/effect", token: head).status == .conflict, "not accepted yet")
            #expect(try await client.call(.post, "/v1/rectifications/\(id)/submission", token: head, body: report).status == .ok)
            #expect(try await client.call(.post, "/v1/rectifications/\(id)/decision", token: head,
                                          body: #"{"outcome":"accepted","reasoning":"Mine."}"#).status == .forbidden, "not by its submitter")
            #expect(try await client.call(.post, "/v1/rectifications/\(id)/decision", token: try await client.signIn(org.b.code, "branch_manager"),
                                          body: #"{"outcome":"accepted","reasoning":"Not mine."}"#).status == .notFound)
            let accepted = try await client.call(.post, "/v1/rectifications/\(id)/decision", token: manager,
                                                 body: #"{"outcome":"accepted","reasoning":"Both targets met."}"#)
            #expect(accepted.json["status"] as? String == "accepted" && accepted.json["acceptedBy"] as? String == org.a.users[.branchManager]!.path)
            #expect(try await client.call(.post, "/v1/rectifications/\(id)/progress", token: handler,
                                          body: #"{"progressPercent":100,"note":"after"}"#).status == .conflict, "accepted is final")
            #expect(try await Self.kinds(client, id, token: head) == ["created", "progress", "submitted", "sent_back", "submitted", "accepted"])

            // The effect: the task made 50 days ago and accepted 40 days ago (moved in time as the owner), complaints received
            // over 100 days, some moved to Legal and one found invalid; the test counts them itself.
            var random = SeededGenerator(state: 2_112)
            var generated: [(id: String, days: Int, billing: Bool, legal: Bool)] = []
            for _ in 0..<24 {
                let isBilling = Int.random(in: 0..<4, using: &random) > 0
                let complaint = try await Lifecycle.intake(client, token: agent, category: isBilling ? billing : nil)
                generated.append((try #require(complaint["id"] as? String), Int.random(in: -100...0, using: &random), isBilling,
                                  isBilling && Int.random(in: 0..<5, using: &random) == 0))
            }
            let invalid = try #require(generated.first { $0.billing && !$0.legal && (-80 ..< -50).contains($0.days) }?.id)
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("""
                    UPDATE rectification_tasks SET created_at = now() - interval '50 days', accepted_at = now() - interval '40 days'
                     WHERE id = \(UUID(uuidString: id)!)
                    """)
                _ = try await owner.query("""
                    UPDATE complaints SET received_at = now() - interval '120 days' WHERE id = ANY (\([first, second].map { UUID(uuidString: $0)! }))
                    """)
                for complaint in generated {
                    try await owner.withTransaction { connection in
                        try await connection.execute("""
                            UPDATE complaints SET received_at = now() + make_interval(days => \(Int32(complaint.days)), hours => 1),
                                                  department_id = CASE WHEN \(complaint.legal) THEN \(org.a.departments[1]) ELSE department_id END
                             WHERE id = \(UUID(uuidString: complaint.id)!)
                            """)
                        try await connection.execute("SELECT follow_case(\(org.a.id), \(UUID(uuidString: complaint.id)!))")
                    }
                }
                _ = try await owner.query("UPDATE complaints SET nature = 'invalid' WHERE id = \(UUID(uuidString: invalid)!)")
            }
            // Days from now: before the task [-80, -50), from acceptance [-40, -10); billing in Billing only, the invalid one not.
            let counted = generated.filter { $0.billing && !$0.legal && $0.id != invalid }
            let expectedBefore = counted.filter { (-80 ..< -50).contains($0.days) }.count
            let expectedAfter = counted.filter { (-40 ..< -10).contains($0.days) }.count
            let effect = try await client.call(.get, "/v1/rectifications/\(id)/effect", token: manager)
            #expect(effect.status == .ok, "\(String(decoding: effect.body, as: UTF8.self))")
            #expect(effect.json["before"] as? Int == expectedBefore && effect.json["after"] as? Int == expectedAfter,
                    "\(effect.json) against \(expectedBefore) before, \(expectedAfter) after")
            #expect(effect.json["periodDays"] as? Int == 30 && effect.json["final"] as? Bool == true)
            let change = (Double(expectedAfter - expectedBefore) / Double(max(expectedBefore, 1)) * 1000).rounded() / 10
            #expect(expectedBefore > 0 && (effect.json["changePercent"] as? Double).map { abs($0 - change) < 0.01 } == true,
                    "\(effect.json) against \(change)")
            #expect(generated.contains { $0.legal && (-80 ..< -50).contains($0.days) || $0.legal && (-40 ..< -10).contains($0.days) },
                    "a Billing complaint handled by Legal falls in a period and is not counted")
            #expect(try await client.call(.get, "/v1/rectifications/\(id)/effect", token: try await client.signIn(org.a.code, "other")).status
                    == .notFound)
        }
    }

    @Test func anOverdueTaskIsEscalatedExactlyOnceByThreeSchedulers() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let manager = try await client.signIn(org.a.code, "branch_manager")
            let handler = try await client.signIn(org.a.code, "handler")
            let billing = try await Lifecycle.billing(client, token: agent)
            var ids: [String] = []
            for index in 0..<5 {
                let complaint = try #require(try await Lifecycle.intake(client, token: agent, category: billing)["id"] as? String)
                let made = try await client.call(.post, "/v1/rectifications", token: manager,
                                                 body: Self.body(department: org.a.departments[0], responsible: org.a.users[.handler]!,
                                                                 complaints: [complaint], title: "Task \(index)"))
                ids.append(try #require(made.json["id"] as? String))
            }
            // Four fall overdue; one of them was submitted in time and is not escalated.
            _ = try await client.call(.post, "/v1/rectifications/\(ids[3])/submission", token: handler, body: #"{"report":"Done in time."}"#)
            try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                _ = try await owner.query("""
                    UPDATE rectification_tasks SET due_at = now() - interval '2 hours' WHERE id = ANY (\(ids.prefix(4).map { UUID(uuidString: $0)! }))
                    """)
            }
            #expect(try await client.call(.get, "/v1/rectifications?overdue=true", token: manager).items.count == 3)
            let escalated = try await harness.database.withPool(scheduler: true, size: 3) { (pool: PGPool) async throws in
                try await withThrowingTaskGroup(of: [EscalationStore.RectificationEscalation].self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            try await EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(harness.database.schedulerURL),
                                                          configuration: SchedulerConfiguration(batchSize: 1)).escalateRectifications()
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
            }
            #expect(escalated.map(\.taskID.path).sorted() == ids.prefix(3).sorted(), "\(escalated)")
            let people = Set([org.a.users[.departmentHead]!, org.a.users[.branchManager]!])
            #expect(escalated.allSatisfy { Set($0.recipients) == people && $0.lateSeconds >= 7_199 })
            for id in ids.prefix(3) {
                let timeline = try await client.call(.get, "/v1/rectifications/\(id)/timeline", token: manager).items
                let overdue = timeline.filter { $0["kind"] as? String == "overdue" }
                #expect(overdue.count == 1 && (overdue.first?["actorId"] ?? NSNull()) is NSNull, "\(timeline)")
                #expect(Set((overdue.first?["after"] as? [String: Any])?["recipients"] as? [String] ?? []) == Set(people.map(\.path)))
                #expect(try await client.call(.get, "/v1/rectifications/\(id)", token: handler).json["escalatedAt"] as? String != nil)
            }

            // Sent back after its deadline, the submitted one is escalated then, once; the others never again.
            let head = try await client.signIn(org.a.code, "department_head")
            _ = try await client.call(.post, "/v1/rectifications/\(ids[3])/decision", token: head,
                                      body: #"{"outcome":"sent_back","reasoning":"Not done."}"#)
            try await harness.database.withPool(scheduler: true, size: 2) { (pool: PGPool) async throws in
                let scheduler = EscalationScheduler(pool: pool, listen: PGConnectionConfiguration(harness.database.schedulerURL))
                #expect(try await scheduler.escalateRectifications().map(\.taskID.path) == [ids[3]])
                #expect(try await scheduler.escalateRectifications().isEmpty)
            }
            let events = try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                try await owner.query("SELECT count(*) FROM rectification_events WHERE kind = 'overdue'")[0].decode(Int64.self, at: 0)
            }
            #expect(events == 4)
        }
    }

    /// What the service would never ask, asked straight of the database with a department head's
    /// own scope: rewriting who submitted a report, accepting it with a chosen time, a timeline entry
    /// for a step not taken, a link added after the task was made. Each is refused and nothing changes.
    @Test func theDatabaseRefusesStepsTheServiceWouldNotTake() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let agent = try await client.signIn(org.a.code, "agent")
            let head = try await client.signIn(org.a.code, "department_head")
            let billing = try await Lifecycle.billing(client, token: agent)
            let complaint = try #require(try await Lifecycle.intake(client, token: agent, category: billing)["id"] as? String)
            let other = try #require(try await Lifecycle.intake(client, token: agent, category: billing)["id"] as? String)
            let made = try await client.call(.post, "/v1/rectifications", token: head,
                                             body: Self.body(department: org.a.departments[0], responsible: org.a.users[.handler]!,
                                                             complaints: [complaint]))
            let text = try #require(made.json["id"] as? String)
            let id = try #require(UUID(uuidString: text))
            let submitted = try await client.call(.post, "/v1/rectifications/\(id.path)/submission", token: head, body: #"{"report":"Done."}"#)
            #expect(submitted.status == .ok, "\(String(decoding: submitted.body, as: UTF8.self))")
            let scope = org.caller(.departmentHead, in: org.a).scope
            let branch = org.a.id, handler = org.a.users[.handler]!
            // As on a complaint's timeline, an entry the caller writes as themselves is not refused by kind: the entries
            // of steps are written once per step, and an overdue entry only by the scheduler.
            let attacks: [(String, PGQuery)] = [
                ("rewrite the submitter", "UPDATE rectification_tasks SET submitted_by = \(handler) WHERE branch_id = \(branch) AND id = \(id)"),
                ("accept with a chosen time", "UPDATE rectification_tasks SET accepted_at = now() - interval '1 year' WHERE branch_id = \(branch) AND id = \(id)"),
                ("accept their own report", """
                    UPDATE rectification_tasks SET status = 'accepted', accepted_by = \(org.a.users[.departmentHead]!), decision_reasoning = 'ok'
                     WHERE branch_id = \(branch) AND id = \(id)
                    """),
                ("forget a sending back", "UPDATE rectification_tasks SET sent_back_count = 5 WHERE branch_id = \(branch) AND id = \(id)"),
                ("write the submitted entry twice", """
                    INSERT INTO rectification_events (branch_id, task_id, kind, actor_id, task_department_id, task_responsible_user_id, task_steps)
                    VALUES (\(branch), \(id), 'submitted', \(org.a.users[.departmentHead]!), \(org.a.departments[0]), \(handler), 1)
                    """),
                ("write an overdue entry", """
                    INSERT INTO rectification_events (branch_id, task_id, kind, actor_id, task_department_id, task_responsible_user_id)
                    VALUES (\(branch), \(id), 'overdue', \(org.a.users[.departmentHead]!), \(org.a.departments[0]), \(handler))
                    """),
                ("link a complaint afterwards", """
                    INSERT INTO rectification_complaints (branch_id, task_id, complaint_id, task_department_id, task_responsible_user_id,
                                                          task_created_at)
                    SELECT branch_id, id, \(UUID(uuidString: other)!), department_id, responsible_user_id, created_at
                      FROM rectification_tasks WHERE branch_id = \(branch) AND id = \(id)
                    """),
            ]
            let snapshot: @Sendable () async throws -> String = {
                try await harness.database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
                    try await owner.query("""
                        SELECT (SELECT row_to_json(t)::text FROM rectification_tasks t WHERE t.id = \(id))
                               || (SELECT count(*) FROM rectification_events) || (SELECT count(*) FROM rectification_complaints)
                        """)[0].decode(String.self, at: 0)
                }
            }
            let before = try await snapshot()
            try await harness.database.withPool(size: 1) { (pool: PGPool) async throws in
                let database = ScopedDatabase(pool: pool)
                for (what, statement) in attacks {
                    await #expect(throws: (any Error).self, "\(what)") {
                        try await database.withScope(scope) { connection in try await connection.execute(statement) }
                    }
                }
            }
            #expect(try await snapshot() == before, "nothing changed")
        }
    }
}
