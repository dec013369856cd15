import Foundation
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// `GET /v1/work-queue` over HTTP on generated complaints in two branches: every bucket of a
/// department head, a handler of another department and a branch manager equals the set a model
/// computes from the generated rows (departments, collaborations, personal responsibility, plans,
/// escalations and their pages, follow-ups), and pages of one bucket walk it in order.
@Suite("Work queue")
struct WorkQueueAPITests {
    struct Generated {
        var id: UUID
        var branch: UUID
        var department: UUID?
        var collaborating: Set<UUID>
        var responsible: UUID?
        var status: ComplaintStatus
        var dueInHours: Int?
        var receivedHoursAgo: Int
        var reopened: Bool
        var acknowledgeMissed: Bool
        /// The pending plan: its id, who proposed it and who gave the first approval.
        var plan: (id: UUID, proposedBy: UUID, headApprovedBy: UUID?)?
        /// Fired tiers, and whether any of each tier's pages was acknowledged.
        var escalations: [(tier: Int, acknowledged: Bool)]
        /// The acknowledge milestone's breach, escalated to a rung, and whether it was acknowledged;
        /// its warning (which nobody acknowledges) comes with it.
        var breach: (rung: Int, acknowledged: Bool)?
        /// Follow-ups: id, hours until due (negative: overdue), still due.
        var followUps: [(id: UUID, dueInHours: Int, due: Bool)]

        var open: Bool { status != .closed && status != .archived }
    }

    /// Who the queue is for, as the model sees them.
    struct Person {
        var id: UUID
        var branch: UUID
        var wholeBranch: Bool
        var departments: Set<UUID>
        var headOf: Set<UUID>
        var branchManager: Bool

        func covers(_ c: Generated) -> Bool {
            guard c.branch == branch else { return false }
            return wholeBranch || c.department.map(departments.contains) == true || !c.collaborating.isDisjoint(with: departments)
                || c.responsible == id
        }

        func expected(_ complaints: [Generated]) -> [String: Set<UUID>] {
            var buckets: [String: Set<UUID>] = [:]
            for c in complaints where covers(c) {
                for f in c.followUps where f.due && f.dueInHours < 0 { buckets["follow_ups_overdue", default: []].insert(f.id) }
                guard c.open else { continue }
                if let due = c.dueInHours, due < 0 { buckets["overdue", default: []].insert(c.id) }
                if let due = c.dueInHours, due >= 0, due < 24 { buckets["due_within_24h", default: []].insert(c.id) }
                if c.responsible == nil && (wholeBranch || c.department.map(departments.contains) == true) {
                    buckets["unassigned", default: []].insert(c.id)
                }
                if c.reopened { buckets["reopened", default: []].insert(c.id) }
                if c.escalations.contains(where: { !$0.acknowledged }) || c.breach?.acknowledged == false { buckets["escalated_unacknowledged", default: []].insert(c.id) }
                if let plan = c.plan, plan.proposedBy != id {
                    let first = c.status == .planProposed && (branchManager || c.department.map(headOf.contains) == true)
                    let second = c.status == .planHeadApproved && branchManager && plan.headApprovedBy != id
                    if first || second { buckets["awaiting_my_approval", default: []].insert(c.id) }
                }
            }
            return buckets
        }
    }

    static func generate(_ org: TestOrganisation, _ owner: PGConnection, extraHead: UUID,
                         random: inout SeededGenerator) async throws -> [Generated] {
        var generated: [Generated] = []
        let statuses = ComplaintStatus.allCases
        for branch in [org.a, org.b] {
            let people = [branch.users[.departmentHead]!, branch.otherDepartmentUser, branch.users[.handler]!]
                + (branch.id == org.a.id ? [extraHead] : [])
            let proposers = people + [branch.users[.branchManager]!]
            for index in 0..<70 {
                let department = (branch.departments.map(Optional.some) + [nil]).randomElement(using: &random)!
                let collaborating = Set(branch.departments.filter { $0 != department && Int.random(in: 0..<4, using: &random) == 0 })
                let responsible = Int.random(in: 0..<3, using: &random) == 0 ? nil : people.randomElement(using: &random)
                let status = statuses.randomElement(using: &random)!
                let due: Int? = [nil, -30, -5, 3, 20, 48, 200].randomElement(using: &random)!
                let received = Int.random(in: 1...500, using: &random)
                let reopened = Int.random(in: 0..<5, using: &random) == 0
                let missed = Int.random(in: 0..<3, using: &random) == 0
                let tiers = (1...3).filter { _ in Int.random(in: 0..<3, using: &random) == 0 }
                let breach = missed && Bool.random(using: &random) ? (rung: Int.random(in: 1...3, using: &random), acknowledged: Bool.random(using: &random)) : nil
                let id: UUID = try await owner.query("""
                    INSERT INTO complaints (branch_id, case_number, channel, description, department_id, collaborating_department_ids,
                                            responsible_user_id, status, due_at, received_at, reopen_count, escalated_tiers, sla_alarms_raised,
                                            sla_deadlines)
                    VALUES (\(branch.id), \("\(branch.code.uppercased())-WQ-\(index)"), 'phone', 'work queue', \(department),
                            \(Array(collaborating)), \(responsible), \(status.rawValue),
                            now() + \(due.map(Double.init)) * interval '1 hour', now() - \(Double(received)) * interval '1 hour',
                            \(reopened ? 1 : 0), \(tiers.map(String.init))::smallint[],
                            \(breach == nil ? [String]() : ["breach:acknowledge", "warning:acknowledge"]),
                            jsonb_build_object('milestones', jsonb_build_object('acknowledge', jsonb_build_object('at',
                                now() + \(missed ? -2.0 : 30.0) * interval '1 hour'))))
                    RETURNING id
                    """)[0].decode(at: 0)
                var complaint = Generated(id: id, branch: branch.id, department: department, collaborating: collaborating,
                                          responsible: responsible, status: status, dueInHours: due, receivedHoursAgo: received,
                                          reopened: reopened, acknowledgeMissed: missed, plan: nil, escalations: [], breach: breach,
                                          followUps: [])
                if status == .planProposed || status == .planHeadApproved {
                    let proposer = proposers.randomElement(using: &random)!
                    let headApprover = status == .planHeadApproved ? people.filter { $0 != proposer }.randomElement(using: &random) : nil
                    let plan: UUID = try await owner.query("""
                        INSERT INTO complaint_plans (branch_id, complaint_id, measures, description, status, proposed_by,
                                                     head_approved_by, head_approved_at,
                                                     case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                        VALUES (\(branch.id), \(id), '{apology}', 'plan', \(status == .planProposed ? "proposed" : "head_approved"),
                                \(proposer), \(headApprover), \(headApprover == nil ? nil : Date()),
                                \(department), \(Array(collaborating)), \(responsible))
                        RETURNING id
                        """)[0].decode(at: 0)
                    complaint.plan = (plan, proposer, headApprover)
                }
                for tier in tiers {
                    let acknowledged = Bool.random(using: &random)
                    try await owner.execute("""
                        WITH e AS (
                            INSERT INTO escalations (branch_id, complaint_id, tier, due_at, late_seconds, acknowledged_at,
                                                     case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                            VALUES (\(branch.id), \(id), \(Int16(tier)), now() - interval '1 hour', 0, CASE WHEN \(acknowledged) THEN now() END,
                                    \(department), \(Array(collaborating)), \(responsible))
                            RETURNING id)
                        INSERT INTO pages (branch_id, escalation_id, complaint_id, tier, rung, recipient_kind, recipient_user_id, late,
                                           summary, acknowledged_at,
                                           case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                        SELECT \(branch.id), e.id, \(id), \(Int16(tier)), \(Int16(tier)), r.kind, r.user_id, false, '{}',
                               CASE WHEN \(acknowledged) AND r.kind = 'branch_manager' THEN now() END,
                               \(department), \(Array(collaborating)), \(responsible)
                          FROM e, (VALUES ('department_head', \(branch.users[.departmentHead]!)),
                                          ('branch_manager', \(branch.users[.branchManager]!))) r(kind, user_id)
                        """)
                    complaint.escalations.append((tier, acknowledged))
                }
                if let breach {
                    // The milestone's warning (rung 0, never waiting for anyone) and its breach at a rung.
                    try await owner.execute("""
                        INSERT INTO escalations (branch_id, complaint_id, tier, alarm_key, milestone, due_at, late_seconds, acknowledged_at,
                                                 case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                        VALUES (\(branch.id), \(id), 0, 'warning:acknowledge', 'acknowledge', now() - interval '3 hours', 0, NULL,
                                \(department), \(Array(collaborating)), \(responsible)),
                               (\(branch.id), \(id), \(Int16(breach.rung)), 'breach:acknowledge', 'acknowledge', now() - interval '2 hours', 0,
                                CASE WHEN \(breach.acknowledged) THEN now() END,
                                \(department), \(Array(collaborating)), \(responsible))
                        """)
                }
                if Int.random(in: 0..<3, using: &random) == 0 {
                    let hours = [-40, -3, 10].randomElement(using: &random)!
                    let due = Int.random(in: 0..<4, using: &random) != 0
                    let followUp: UUID = try await owner.query("""
                        INSERT INTO follow_ups (branch_id, complaint_id, kind, due_at, status, completed_at,
                                                case_department_id, case_collaborating_department_ids, case_responsible_user_id)
                        VALUES (\(branch.id), \(id), 'callback', now() + \(Double(hours)) * interval '1 hour',
                                \(due ? "due" : "cancelled"), \(due ? nil : Date()),
                                \(department), \(Array(collaborating)), \(responsible))
                        RETURNING id
                        """)[0].decode(at: 0)
                    complaint.followUps.append((followUp, hours, due))
                }
                generated.append(complaint)
            }
        }
        return generated
    }

    /// The queue's buckets as sets of item ids (complaints, or follow-ups for that bucket), with their counts.
    static func buckets(_ json: [String: Any]) -> [String: (count: Int, ids: Set<UUID>, items: [[String: Any]])] {
        var result: [String: (count: Int, ids: Set<UUID>, items: [[String: Any]])] = [:]
        for bucket in json["buckets"] as? [[String: Any]] ?? [] {
            let name = bucket["bucket"] as! String
            let items = bucket["items"] as? [[String: Any]] ?? []
            let ids = items.map { item -> UUID in
                if name == "follow_ups_overdue" { return UUID(uuidString: item["followUpId"] as! String)! }
                return UUID(uuidString: (item["complaint"] as! [String: Any])["id"] as! String)!
            }
            result[name] = (bucket["count"] as! Int, Set(ids), items)
        }
        return result
    }

    @Test func everyBucketEqualsTheModelAndPagesWalkIt() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            // A second head, of the other department, who is also responsible for some complaints.
            let (extraHead, complaints): (UUID, [Generated]) = try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                try await pool.withTransaction { owner in
                    var random = SeededGenerator(state: 18_001)
                    let head: UUID = try await owner.query("""
                        INSERT INTO users (branch_id, login, name, roles, department_ids, password_hash)
                        VALUES (\(org.a.id), 'second-head', 'Second head', '{department_head}', \([org.a.departments[1]]),
                                \(try await PasswordHasher.hash(TestOrganisation.password, cost: 4)))
                        RETURNING id
                        """)[0].decode(at: 0)
                    return (head, try await Self.generate(org, owner, extraHead: head, random: &random))
                }
            }
            let people: [(login: String, person: Person)] = [
                ("department_head", Person(id: org.a.users[.departmentHead]!, branch: org.a.id, wholeBranch: false,
                                           departments: [org.a.departments[0]], headOf: [org.a.departments[0]], branchManager: false)),
                ("second-head", Person(id: extraHead, branch: org.a.id, wholeBranch: false, departments: [org.a.departments[1]],
                                       headOf: [org.a.departments[1]], branchManager: false)),
                ("other", Person(id: org.a.otherDepartmentUser, branch: org.a.id, wholeBranch: false,
                                 departments: [org.a.departments[1]], headOf: [], branchManager: false)),
                ("branch_manager", Person(id: org.a.users[.branchManager]!, branch: org.a.id, wholeBranch: true, departments: [],
                                          headOf: [], branchManager: true)),
            ]
            var nonEmpty = 0
            for (login, person) in people {
                let token = try await client.signIn(org.a.code, login)
                let response = try await client.call(.get, "/v1/work-queue?limit=200", token: token)
                #expect(response.status == .ok, "\(login): \(String(decoding: response.body, as: UTF8.self))")
                let got = Self.buckets(response.json)
                let expected = person.expected(complaints)
                #expect(Set(got.keys) == Set(WorkQueueBucket.allCases.map(\.rawValue)))
                for bucket in WorkQueueBucket.allCases.map(\.rawValue) {
                    let want = expected[bucket] ?? []
                    nonEmpty += want.isEmpty ? 0 : 1
                    #expect(got[bucket]?.ids == want, "\(login) \(bucket): \(got[bucket]?.ids.count ?? -1) items, expected \(want.count)")
                    #expect(got[bucket]?.count == want.count, "\(login) \(bucket) count")
                }
                // Each item carries its SLA state as generated.
                for (bucket, content) in got where bucket != "follow_ups_overdue" {
                    for item in content.items {
                        let complaint = item["complaint"] as! [String: Any]
                        let model = complaints.first { $0.id.uuidString.lowercased() == complaint["id"] as? String }!
                        let sla = item["sla"] as! [String: Any]
                        #expect(sla["firedTiers"] as? [Int] == model.escalations.map(\.tier))
                        let breached = (sla["breachedMilestones"] as? [[String: Any]] ?? []).compactMap { $0["milestone"] as? String }
                        #expect(breached == (model.acknowledgeMissed ? ["acknowledge"] : []))
                        #expect(complaint["complainant"] == nil && complaint["description"] == nil)
                    }
                }
            }
            #expect(nonEmpty >= 20, "the generated data should fill most buckets for most people")

            // One bucket, page by page, in its order and without repeats.
            let head = try await client.signIn(org.a.code, "branch_manager")
            for bucket in ["unassigned", "overdue", "follow_ups_overdue"] {
                var seen: [UUID] = [], cursor: String?, times: [String] = []
                repeat {
                    let response = try await client.call(
                        .get, "/v1/work-queue?bucket=\(bucket)&limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: head)
                    #expect(response.status == .ok)
                    let page = (response.json["buckets"] as? [[String: Any]])?.first ?? [:]
                    #expect((response.json["buckets"] as? [[String: Any]])?.count == 1)
                    let content = Self.buckets(response.json)[bucket]!
                    seen += content.items.map { item in
                        UUID(uuidString: (bucket == "follow_ups_overdue" ? item["followUpId"] : (item["complaint"] as! [String: Any])["id"]) as! String)!
                    }
                    times += content.items.map { $0["since"] as! String }
                    cursor = page["nextCursor"] as? String
                } while cursor != nil
                let want = people[3].person.expected(complaints)[bucket] ?? []
                #expect(seen.count == want.count && Set(seen) == want, "\(bucket) walked")
                #expect(times == times.sorted(), "\(bucket) in order")
            }

            // A cursor past the bucket's end: no items, the whole count.
            let beyond = PageCursor(key: String(Int64(4_000_000_000) * 1_000_000), id: UUID(uuidString: "ffffffff-ffff-ffff-ffff-ffffffffffff")!)
            let past = try await client.call(.get, "/v1/work-queue?bucket=overdue&cursor=\(beyond.encoded)", token: head)
            #expect(Self.buckets(past.json)["overdue"]?.count == people[3].person.expected(complaints)["overdue"]?.count)
            #expect(Self.buckets(past.json)["overdue"]?.items.isEmpty == true)

            // Narrowed to one department: only complaints handled or collaborated on by it.
            let narrowed = try await client.call(.get, "/v1/work-queue?limit=200&departmentId=\(org.a.departments[1])&bucket=overdue", token: head)
            let department = org.a.departments[1]
            let wantNarrowed = Set(complaints.filter {
                $0.branch == org.a.id && $0.open && ($0.dueInHours ?? 0) < 0 && $0.dueInHours != nil
                    && ($0.department == department || $0.collaborating.contains(department))
            }.map(\.id))
            #expect(Self.buckets(narrowed.json)["overdue"]?.ids == wantNarrowed)

            // Complaint lists: escalated=true and the fired tiers.
            let agent = try await client.signIn(org.a.code, "agent")
            var escalated: Set<UUID> = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/v1/complaints?escalated=true&limit=200" + (cursor.map { "&cursor=\($0)" } ?? ""), token: agent)
                for item in page.items {
                    let id = UUID(uuidString: item["id"] as! String)!
                    escalated.insert(id)
                    let model = complaints.first { $0.id == id }!
                    #expect(item["escalatedTiers"] as? [Int] == model.escalations.map(\.tier))
                }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(escalated == Set(complaints.filter { $0.branch == org.a.id && !$0.escalations.isEmpty }.map(\.id)))
            let notEscalated = try await client.call(.get, "/v1/complaints?escalated=false&limit=200", token: agent)
            #expect(notEscalated.items.allSatisfy { ($0["escalatedTiers"] as? [Int]) == [] })

            // Pages and escalations page through everything, newest first, with no cap.
            let manager = try await client.signIn(org.a.code, "branch_manager")
            let (pageIDs, escalationIDs): (Set<String>, Set<String>) = try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                let pages = try await pool.query("SELECT id FROM pages WHERE recipient_user_id = \(org.a.users[.branchManager]!)")
                let escalations = try await pool.query("SELECT id FROM escalations WHERE branch_id = \(org.a.id)")
                return (Set(try pages.map { try $0.decode(UUID.self, at: 0).uuidString.lowercased() }),
                        Set(try escalations.map { try $0.decode(UUID.self, at: 0).uuidString.lowercased() }))
            }
            for (path, key, want) in [("/v1/pages?all=true&limit=4", "createdAt", pageIDs), ("/v1/escalations?limit=7", "recordedAt", escalationIDs)] {
                var seen: [String] = [], times: [String] = [], next: String?
                repeat {
                    let page = try await client.call(.get, path + (next.map { "&cursor=\($0)" } ?? ""), token: manager)
                    #expect(page.status == .ok)
                    seen += page.items.compactMap { $0["id"] as? String }
                    times += page.items.compactMap { $0[key] as? String }
                    next = page.json["nextCursor"] as? String
                } while next != nil
                #expect(want.count > 7 && seen.count == want.count && Set(seen) == want, "\(path) walked")
                #expect(times == times.sorted(by: >), "\(path) newest first")
            }
        }
    }

    @Test func badQueriesNameTheirFieldAndBotsHaveNoQueue() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let head = try await client.signIn(org.a.code, "department_head")
            #expect(try await client.call(.get, "/v1/work-queue?bucket=everything", token: head).problemFields == ["bucket"])
            #expect(try await client.call(.get, "/v1/work-queue?limit=0", token: head).problemFields == ["limit"])
            #expect(try await client.call(.get, "/v1/work-queue?departmentId=nope", token: head).problemFields == ["departmentId"])
            let first = try await client.call(.get, "/v1/work-queue", token: head)
            #expect(first.status == .ok)
            let cursor = "eyJrZXkiOiIwIiwiaWQiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ"
            #expect(try await client.call(.get, "/v1/work-queue?cursor=\(cursor)", token: head).problemFields == ["cursor"])
            #expect(try await client.call(.get, "/v1/work-queue?bucket=overdue&cursor=garbage", token: head).problemFields == ["cursor"])
            #expect(try await client.call(.get, "/v1/work-queue?bucket=overdue&cursor=\(cursor)", token: head).status == .ok)
            #expect(try await client.call(.get, "/v1/work-queue", token: org.a.botKey).status == .forbidden)
            #expect(try await client.call(.get, "/v1/work-queue").status == .unauthorized)
            #expect(try await client.call(.get, "/v1/complaints?escalated=maybe", token: head).problemFields == ["escalated"])
        }
    }
}
