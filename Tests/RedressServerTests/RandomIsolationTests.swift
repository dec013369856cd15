import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressStore
import RedressTestSupport
import Testing

/// Many generated people of every role, in three branches and their departments, some granted
/// other branches, make random API calls; every answer is checked against a model of who may see
/// and change what, written from the role table in SPEC.md and independent of the service's scope
/// code. Besides reading, they write notes on complaints (only where they may work on them),
/// branch admins try to manage people (never those who reach beyond the branch) and to take over
/// executives and auditors, everyone tries to hand complaints to another branch's department, and
/// everyone reads rectification tasks and tries to record progress on them, searches the case library,
/// reads KPI targets and their attainment and tries to set a target.
@Suite("Randomised isolation against an independent model")
struct RandomIsolationTests {
    /// A generated person as the model knows them.
    struct Person {
        var id: UUID
        var branch: UUID
        var role: Role
        var departments: Set<UUID>
        var granted: Set<UUID>
        var token: String = ""
    }

    struct ModelComplaint {
        var id: UUID
        var caseNumber: String
        var branch: UUID
        var department: UUID?
        var collaborating: Set<UUID>
        var responsible: UUID?
    }

    /// A rectification task: seen as complaints are, by its department and responsible person.
    struct ModelTask {
        var id: UUID
        var branch: UUID
        var department: UUID
        var responsible: UUID
    }

    /// A case library entry: its branches' own, or every branch's once published.
    struct ModelEntry {
        var id: UUID
        var branch: UUID
        var published: Bool
    }

    struct ModelUser {
        var id: UUID
        var branch: UUID
        var departments: Set<UUID>
        /// An executive, an auditor or a holder of HQ grants: managed by operators only.
        var reachesBeyondBranch: Bool
    }

    /// The model: SPEC.md's role table.
    struct Model {
        var complaints: [ModelComplaint]
        var tasks: [ModelTask]
        var entries: [ModelEntry]
        var users: [ModelUser]
        var branches: [UUID]
        var departments: [UUID: UUID]

        static let readsEveryComplaintOfItsBranches: Set<Role> = [.agent, .branchManager, .executive, .auditor]
        static let readsItsDepartments: Set<Role> = [.handler, .departmentHead]
        static let spansGrantedBranches: Set<Role> = [.executive, .auditor]
        static let seesEveryoneOfItsBranches: Set<Role> = [.agent, .branchManager, .executive, .auditor, .admin]
        static let worksEveryComplaintOfItsHomeBranch: Set<Role> = [.agent, .branchManager]
        static let setsTargetsOfItsHomeBranch: Set<Role> = [.branchManager, .admin]

        func branches(of person: Person) -> Set<UUID> {
            Self.spansGrantedBranches.contains(person.role) ? person.granted.union([person.branch]) : [person.branch]
        }

        func readsComplaints(_ person: Person) -> Bool {
            Self.readsEveryComplaintOfItsBranches.contains(person.role) || Self.readsItsDepartments.contains(person.role)
        }

        func sees(_ person: Person, _ complaint: ModelComplaint) -> Bool {
            guard readsComplaints(person) else { return false }
            if Self.readsEveryComplaintOfItsBranches.contains(person.role) { return branches(of: person).contains(complaint.branch) }
            return complaint.department.map(person.departments.contains) == true
                || !complaint.collaborating.isDisjoint(with: person.departments)
                || (complaint.responsible == person.id && complaint.branch == person.branch)
        }

        /// What a report counts for the person: whole branches, or their own departments.
        func counts(_ person: Person, _ complaint: ModelComplaint) -> Bool {
            guard readsComplaints(person) else { return false }
            if Self.readsEveryComplaintOfItsBranches.contains(person.role) { return branches(of: person).contains(complaint.branch) }
            return complaint.department.map(person.departments.contains) == true
        }

        /// Whether the person may add case work to the complaint: never in a granted branch; agents
        /// and branch managers anywhere in their branch; handlers and heads on their departments'
        /// complaints, those they collaborate on and those they are responsible for.
        func mayWork(_ person: Person, _ complaint: ModelComplaint) -> Bool {
            guard complaint.branch == person.branch else { return false }
            if Self.worksEveryComplaintOfItsHomeBranch.contains(person.role) { return true }
            guard Self.readsItsDepartments.contains(person.role) else { return false }
            return complaint.department.map(person.departments.contains) == true
                || !complaint.collaborating.isDisjoint(with: person.departments) || complaint.responsible == person.id
        }

        /// Whether the person sees the rectification task: as a complaint of its department with its responsible person.
        func sees(_ person: Person, _ task: ModelTask) -> Bool {
            sees(person, ModelComplaint(id: task.id, caseNumber: "", branch: task.branch, department: task.department, collaborating: [],
                                        responsible: task.responsible))
        }

        /// Whether the person reads the case library entry.
        func reads(_ person: Person, _ entry: ModelEntry) -> Bool {
            readsComplaints(person) && (entry.published || branches(of: person).contains(entry.branch))
        }

        /// Whether the person may record progress on the task: in their own branch, branch managers,
        /// the task's department and its responsible person.
        func mayWork(_ person: Person, _ task: ModelTask) -> Bool {
            guard task.branch == person.branch, readsComplaints(person) else { return false }
            return person.role == .branchManager || task.responsible == person.id
                || (Self.readsItsDepartments.contains(person.role) && person.departments.contains(task.department))
        }

        /// Whether the person may change the user: admins, for the people of their own branch who
        /// reach no further.
        func administers(_ person: Person, _ user: ModelUser) -> Bool {
            person.role == .admin && user.branch == person.branch && !user.reachesBeyondBranch
        }

        func sees(_ person: Person, user: ModelUser) -> Bool {
            guard branches(of: person).contains(user.branch) else { return false }
            return Self.seesEveryoneOfItsBranches.contains(person.role) || user.id == person.id
                || (Self.readsItsDepartments.contains(person.role) && !user.departments.isDisjoint(with: person.departments))
        }
    }

    static func generate(_ org: TestOrganisation, database: TestDatabase, random: inout SeededGenerator) async throws -> ([Person], Model) {
        var people: [Person] = []
        var complaints: [ModelComplaint] = []
        var tasks: [ModelTask] = []
        var entries: [ModelEntry] = []
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            for branch in org.branches {
                let others = org.branches.map(\.id).filter { $0 != branch.id }
                for index in 0..<10 {
                    let role = Role.allCases.filter { $0 != .bot }.randomElement(using: &random)!
                    var departments: Set<UUID> = []
                    if Model.readsItsDepartments.contains(role) {
                        departments = Set(branch.departments.filter { _ in Bool.random(using: &random) })
                        if departments.isEmpty { departments = [branch.departments.randomElement(using: &random)!] }
                    }
                    let granted = Model.spansGrantedBranches.contains(role) ? Set(others.filter { _ in Bool.random(using: &random) }) : []
                    let id: UUID = try await owner.query("""
                        INSERT INTO users (branch_id, login, name, roles, department_ids, password_hash)
                        VALUES (\(branch.id), \("gen-\(index)"), 'Generated', \([role.rawValue]), \(Array(departments)),
                                \(try await PasswordHasher.hash(TestOrganisation.password, cost: 4)))
                        RETURNING id
                        """)[0].decode(at: 0)
                    for other in granted {
                        _ = try await owner.query("SELECT public.grant_hq(\(branch.id), \(id), \(other), \(role.rawValue))")
                    }
                    people.append(Person(id: id, branch: branch.id, role: role, departments: departments, granted: granted))
                }
                let bot: UUID = try await owner.query("""
                    INSERT INTO users (branch_id, login, name, roles) VALUES (\(branch.id), 'gen-bot', 'Generated bot', '{bot}') RETURNING id
                    """)[0].decode(at: 0)
                let key = CredentialSecret(kind: .apiKey)
                _ = try await owner.query("""
                    INSERT INTO api_keys (branch_id, user_id, name, key_prefix, key_hash, user_is_bot)
                    VALUES (\(branch.id), \(bot), 'generated', \(key.displayPrefix), \(key.hash), true)
                    """)
                people.append(Person(id: bot, branch: branch.id, role: .bot, departments: [], granted: [], token: key.token))
                let responsibles = people.filter { $0.branch == branch.id && Model.readsItsDepartments.contains($0.role) }.map(\.id)
                for index in 0..<16 {
                    let department = (branch.departments + [nil]).randomElement(using: &random)!
                    let collaborating = Set(branch.departments.filter { $0 != department && Int.random(in: 0..<4, using: &random) == 0 })
                    let responsible = Bool.random(using: &random) ? responsibles.randomElement(using: &random) : nil
                    let caseNumber = "\(branch.code.uppercased())-ISO-\(index)"
                    let id: UUID = try await owner.query("""
                        INSERT INTO complaints (branch_id, case_number, channel, description, department_id, collaborating_department_ids,
                                                responsible_user_id)
                        VALUES (\(branch.id), \(caseNumber), 'phone', 'isolation', \(department), \(Array(collaborating)), \(responsible))
                        RETURNING id
                        """)[0].decode(at: 0)
                    complaints.append(ModelComplaint(id: id, caseNumber: caseNumber, branch: branch.id, department: department,
                                                     collaborating: collaborating, responsible: responsible))
                }
                for index in 0..<6 {
                    let department = branch.departments.randomElement(using: &random)!
                    let responsible = (people.filter { $0.branch == branch.id && $0.departments.contains(department) }.map(\.id)
                                       + [branch.users[.departmentHead]!]).randomElement(using: &random)!
                    let id: UUID = try await owner.query("""
                        INSERT INTO rectification_tasks (branch_id, title, problem, measures, acceptance_criteria, department_id,
                                                         responsible_user_id, due_at, created_by)
                        VALUES (\(branch.id), \("Task \(index)"), 'isolation', '[{"description":"d","target":"t"}]', 'accepted when done',
                                \(department), \(responsible), now() + interval '30 days', \(responsible))
                        RETURNING id
                        """)[0].decode(at: 0)
                    tasks.append(ModelTask(id: id, branch: branch.id, department: department, responsible: responsible))
                }
                for index in 0..<4 {
                    let published = index % 2 == 1
                    let writer = branch.users[.agent]!
                    let id: UUID = try await owner.query("""
                        INSERT INTO case_library_entries (branch_id, title, situation, cause, actions, lesson, outcome, created_by,
                                                          published_at, published_by)
                        VALUES (\(branch.id), \("Entry \(index)"), 'isolation', 'cause', 'actions', 'lesson', 'success', \(writer),
                                CASE WHEN \(published) THEN now() END, CASE WHEN \(published) THEN \(writer)::uuid END)
                        RETURNING id
                        """)[0].decode(at: 0)
                    entries.append(ModelEntry(id: id, branch: branch.id, published: published))
                }
                // A KPI target of every branch, this month on.
                _ = try await owner.query("""
                    INSERT INTO kpi_targets (branch_id, measure, target, effective_from, set_by)
                    VALUES (\(branch.id), 'satisfaction_rate', 0.85, date_trunc('month', now())::date, \(branch.users[.admin]!))
                    """)
            }
        }
        let users: [ModelUser] = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("""
                SELECT u.id, u.branch_id, u.department_ids,
                       u.roles && '{executive,auditor}' OR EXISTS (SELECT FROM hq_grants g WHERE g.branch_id = u.branch_id AND g.user_id = u.id)
                  FROM users u
                """).map {
                ModelUser(id: try $0.decode(at: 0), branch: try $0.decode(at: 1), departments: Set(try $0.decode([UUID].self, at: 2)),
                          reachesBeyondBranch: try $0.decode(at: 3))
            }
        }
        var departments: [UUID: UUID] = [:]
        for branch in org.branches { for department in branch.departments { departments[department] = branch.id } }
        return (people, Model(complaints: complaints, tasks: tasks, entries: entries, users: users, branches: org.branches.map(\.id), departments: departments))
    }

    @Test func randomCallsByGeneratedPeopleNeverSeeBeyondTheModel() async throws {
        try await APIHarness.run { harness, client in
            var random = SeededGenerator(state: 7_020_117)
            let generated = try await Self.generate(harness.organisation, database: harness.database, random: &random)
            var people = generated.0
            let model = generated.1
            var signedIn: [UUID: Int] = [:]
            for index in people.indices where people[index].role != .bot {
                let branch = people[index].branch
                let number = signedIn[branch, default: 0]
                signedIn[branch] = number + 1
                let code = harness.organisation.branches.first { $0.id == branch }!.code
                people[index].token = try await client.signIn(code, "gen-\(number)")
            }
            let calls = 1_500
            var leaks: [String] = [], denials: [String] = [], byKind: [String: Int] = [:]
            func check(_ ok: Bool, leak: Bool, _ what: String) {
                guard !ok else { return }
                if leak { leaks.append(what) } else { denials.append(what) }
            }
            for _ in 0..<calls {
                let person = people.randomElement(using: &random)!
                let kinds = person.role == .bot
                    ? ["complaint", "timeline", "user", "branch", "department", "note", "handover"]
                    : ["complaint", "complaint", "timeline", "user", "branch", "department", "list", "report", "export", "audit",
                       "note", "manage", "takeover", "handover", "task", "tasks", "progress", "entry", "library", "kpis", "targets"]
                let kind = kinds.randomElement(using: &random)!
                byKind[kind, default: 0] += 1
                let who = "\(person.role.rawValue) of \(person.branch.path.prefix(8))"
                switch kind {
                case "complaint", "timeline":
                    let complaint = model.complaints.randomElement(using: &random)!
                    let path = "/v1/complaints/\(complaint.id.path)" + (kind == "timeline" ? "/timeline" : "")
                    let status = try await client.call(.get, path, token: person.token).status
                    let expected = model.sees(person, complaint)
                    check(status == (expected ? .ok : .notFound), leak: status == .ok, "\(who) GET \(path): \(status)")
                case "user":
                    let user = model.users.randomElement(using: &random)!
                    let status = try await client.call(.get, "/v1/users/\(user.id.path)", token: person.token).status
                    let expected = model.sees(person, user: user)
                    check(status == (expected ? .ok : .notFound), leak: status == .ok, "\(who) GET user: \(status)")
                case "branch":
                    let branch = model.branches.randomElement(using: &random)!
                    let status = try await client.call(.get, "/v1/branches/\(branch.path)", token: person.token).status
                    let expected = model.branches(of: person).contains(branch)
                    check(status == (expected ? .ok : .notFound), leak: status == .ok, "\(who) GET branch: \(status)")
                case "department":
                    let (department, branch) = model.departments.randomElement(using: &random)!
                    let status = try await client.call(.get, "/v1/departments/\(department.path)", token: person.token).status
                    let expected = model.branches(of: person).contains(branch)
                    check(status == (expected ? .ok : .notFound), leak: status == .ok, "\(who) GET department: \(status)")
                case "list":
                    let response = try await client.call(.get, "/v1/complaints?limit=200", token: person.token)
                    let expected = Set(model.complaints.filter { model.sees(person, $0) }.map(\.id.path))
                    if model.readsComplaints(person) {
                        let seen = Set(response.items.compactMap { ($0["id"] as? String)?.lowercased() })
                        check(seen.isSubset(of: expected), leak: true, "\(who) listed \(seen.subtracting(expected).count) unseeable")
                        check(seen == expected, leak: false, "\(who) missed \(expected.subtracting(seen).count) in the list")
                    } else {
                        check(response.status == .forbidden, leak: response.status == .ok, "\(who) list: \(response.status)")
                    }
                case "report":
                    let response = try await client.call(.get, "/v1/reports/complaints?from=2020-01-01&to=2021-12-31", token: person.token)
                    // Generated complaints are received now; count this month's instead.
                    let month = try await client.call(.get, "/v1/reports/complaints?period=quarter&groupBy=branch", token: person.token)
                    if model.readsComplaints(person) {
                        let received = ((month.json["totals"] as? [String: Any])?["current"] as? [String: Any])?["received"] as? Int ?? -1
                        let expected = model.complaints.filter { model.counts(person, $0) }.count
                        check(received <= expected, leak: true, "\(who) report counted \(received) > \(expected)")
                        check(received == expected, leak: false, "\(who) report counted \(received) of \(expected)")
                        let groups = (month.json["groups"] as? [[String: Any]] ?? []).compactMap { ($0["key"] as? String)?.lowercased() }
                        check(Set(groups).isSubset(of: Set(model.branches(of: person).map(\.path))), leak: true, "\(who) report grouped another branch")
                        check(response.status == .ok, leak: false, "\(who) empty report: \(response.status)")
                    } else {
                        check(month.status == .forbidden, leak: month.status == .ok, "\(who) report: \(month.status)")
                    }
                case "export":
                    let response = try await client.call(.get, "/v1/exports/complaints?format=json", token: person.token)
                    if model.readsComplaints(person) {
                        let rows = (try? JSONSerialization.jsonObject(with: response.body) as? [[String: Any]]) ?? []
                        let seen = Set(rows.compactMap { $0["caseNumber"] as? String })
                        let expected = Set(model.complaints.filter { model.sees(person, $0) }.map(\.caseNumber))
                        check(seen.isSubset(of: expected), leak: true, "\(who) exported \(seen.subtracting(expected).count) unseeable")
                        check(seen == expected, leak: false, "\(who) export missed \(expected.subtracting(seen).count)")
                    } else {
                        check(response.status == .forbidden, leak: response.status == .ok, "\(who) export: \(response.status)")
                    }
                case "note":
                    let complaint = model.complaints.randomElement(using: &random)!
                    let path = "/v1/complaints/\(complaint.id.path)/communications"
                    let status = try await client.call(.post, path, token: person.token,
                                                       body: #"{"direction":"internal","channel":"phone","kind":"note","content":"checked"}"#).status
                    let expected = model.mayWork(person, complaint)
                    check((status == .created) == expected, leak: status == .created, "\(who) POST \(path): \(status)")
                case "manage":
                    let user = model.users.randomElement(using: &random)!
                    let status = try await client.call(.patch, "/v1/users/\(user.id.path)", token: person.token,
                                                       body: #"{"position":"checked"}"#).status
                    let expected = model.administers(person, user)
                    check((status == .ok) == expected, leak: status == .ok, "\(who) PATCH user (beyond branch: \(user.reachesBeyondBranch)): \(status)")
                case "takeover":
                    let user = model.users.randomElement(using: &random)!
                    let response = try await client.call(.patch, "/v1/users/\(user.id.path)", token: person.token,
                                                         body: #"{"roles":["executive","agent"],"password":"attacker-chosen-pw"}"#)
                    check(!(200..<300).contains(response.status.code), leak: true, "\(who) took over a user: \(response.status)")
                case "task":
                    let task = model.tasks.randomElement(using: &random)!
                    let status = try await client.call(.get, "/v1/rectifications/\(task.id.path)/timeline", token: person.token).status
                    let expected = model.sees(person, task)
                    check(status == (expected ? .ok : .notFound), leak: status == .ok, "\(who) GET task: \(status)")
                case "tasks":
                    let response = try await client.call(.get, "/v1/rectifications", token: person.token)
                    let seen = Set(response.items.compactMap { ($0["id"] as? String)?.lowercased() })
                    let expected = Set(model.tasks.filter { model.sees(person, $0) }.map(\.id.path))
                    check(seen.isSubset(of: expected), leak: true, "\(who) listed \(seen.subtracting(expected).count) unseeable tasks")
                    check(seen == expected && response.status == (model.readsComplaints(person) ? .ok : .notFound), leak: false,
                          "\(who) tasks: \(response.status), missed \(expected.subtracting(seen).count)")
                case "progress":
                    let task = model.tasks.randomElement(using: &random)!
                    let status = try await client.call(.post, "/v1/rectifications/\(task.id.path)/progress", token: person.token,
                                                       body: #"{"progressPercent":10,"note":"checked"}"#).status
                    let expected = model.mayWork(person, task)
                    check((status == .ok) == expected, leak: status == .ok, "\(who) POST task progress: \(status)")
                case "entry":
                    let entry = model.entries.randomElement(using: &random)!
                    let status = try await client.call(.get, "/v1/library/\(entry.id.path)", token: person.token).status
                    let expected = model.reads(person, entry)
                    check(status == (expected ? .ok : .notFound), leak: status == .ok, "\(who) GET library entry: \(status)")
                case "library":
                    let response = try await client.call(.get, "/v1/library?q=isolation&limit=200", token: person.token)
                    let seen = Set(response.items.compactMap { ($0["id"] as? String)?.lowercased() })
                    let expected = Set(model.entries.filter { model.reads(person, $0) }.map(\.id.path))
                    check(seen.isSubset(of: expected), leak: true, "\(who) found \(seen.subtracting(expected).count) unreadable entries")
                    check(seen == expected, leak: false, "\(who) library: \(response.status), missed \(expected.subtracting(seen).count)")
                case "kpis":
                    let response = try await client.call(.get, "/v1/reports/kpis?months=1", token: person.token)
                    if model.readsComplaints(person) {
                        let rows = response.json["rows"] as? [[String: Any]] ?? []
                        let totals = rows.filter { $0["total"] as? Bool == true }
                        let received = totals.compactMap { ($0["months"] as? [[String: Any]])?.last?["received"] as? Int }.reduce(0, +)
                        let expected = model.complaints.filter { model.counts(person, $0) }.count
                        let branches = Set(rows.compactMap { ($0["branchId"] as? String)?.lowercased() })
                        check(branches.isSubset(of: Set(model.branches(of: person).map(\.path))), leak: true, "\(who) KPIs of another branch")
                        check(received <= expected, leak: true, "\(who) KPIs counted \(received) > \(expected)")
                        check(received == expected && totals.count == model.branches(of: person).count, leak: false,
                              "\(who) KPIs counted \(received) of \(expected) in \(totals.count) branches")
                    } else {
                        check(response.status == .forbidden, leak: response.status == .ok, "\(who) KPIs: \(response.status)")
                    }
                case "targets":
                    let listed = try await client.call(.get, "/v1/kpi-targets", token: person.token)
                    let branches = Set(listed.items.compactMap { ($0["branchId"] as? String)?.lowercased() })
                    let expected = Set(model.branches(of: person).map(\.path))
                    check(branches.isSubset(of: expected), leak: true, "\(who) read another branch's targets")
                    check(branches == expected, leak: false, "\(who) targets: \(listed.status), of \(branches.count) branches")
                    let set = try await client.call(.put, "/v1/kpi-targets/2026-01/repeat_rate", token: person.token, body: #"{"target":0.1}"#)
                    let allowed = Model.setsTargetsOfItsHomeBranch.contains(person.role)
                    check(set.status == (allowed ? .ok : .forbidden), leak: set.status == .ok, "\(who) set a target: \(set.status)")
                    check(set.json["branchId"] == nil || set.json["branchId"] as? String == person.branch.path, leak: true,
                          "\(who) set a target of another branch")
                case "handover":
                    let complaint = model.complaints.randomElement(using: &random)!
                    let foreign = model.departments.filter { $0.value != complaint.branch }.randomElement(using: &random)!.key
                    let response = try await client.call(.post, "/v1/complaints/\(complaint.id.path)/actions/reassign", token: person.token,
                                                         body: #"{"departmentId":"\#(foreign.path)"}"#)
                    check(!(200..<300).contains(response.status.code), leak: true,
                          "\(who) handed a complaint to another branch's department: \(response.status)")
                default:
                    let response = try await client.call(.get, "/v1/audit?limit=200", token: person.token)
                    if person.role == .auditor {
                        let branches = Set(response.items.compactMap { ($0["branchId"] as? String)?.lowercased() })
                        check(branches.isSubset(of: Set(model.branches(of: person).map(\.path))), leak: true, "\(who) read another branch's audit")
                        check(response.status == .ok, leak: false, "\(who) audit: \(response.status)")
                    } else {
                        check(response.status == .forbidden, leak: response.status == .ok, "\(who) audit: \(response.status)")
                    }
                }
            }
            let roles = Dictionary(grouping: people, by: \.role).mapValues(\.count)
            print("random isolation: \(calls) calls by \(people.count) generated people (\(roles.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))); "
                  + "\(byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); \(leaks.count) leaks, \(denials.count) wrong denials")
            #expect(leaks.isEmpty, "\(leaks.prefix(10))")
            #expect(denials.isEmpty, "\(denials.prefix(10))")
        }
    }
}
