import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import RedressCore
import RedressTestSupport
import Testing

/// Many generated people of every role, in three branches and their departments, some granted
/// other branches, make random API calls; every answer is checked against a model of who may see
/// what, written from the role table in SPEC.md and independent of the service's scope code.
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

    struct ModelUser {
        var id: UUID
        var branch: UUID
        var departments: Set<UUID>
    }

    /// The model: SPEC.md's role table.
    struct Model {
        var complaints: [ModelComplaint]
        var users: [ModelUser]
        var branches: [UUID]
        var departments: [UUID: UUID]

        static let readsEveryComplaintOfItsBranches: Set<Role> = [.agent, .branchManager, .executive, .auditor]
        static let readsItsDepartments: Set<Role> = [.handler, .departmentHead]
        static let spansGrantedBranches: Set<Role> = [.executive, .auditor]
        static let seesEveryoneOfItsBranches: Set<Role> = [.agent, .branchManager, .executive, .auditor, .admin]

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

        func sees(_ person: Person, user: ModelUser) -> Bool {
            guard branches(of: person).contains(user.branch) else { return false }
            return Self.seesEveryoneOfItsBranches.contains(person.role) || user.id == person.id
                || (Self.readsItsDepartments.contains(person.role) && !user.departments.isDisjoint(with: person.departments))
        }
    }

    static func generate(_ org: TestOrganisation, database: TestDatabase, random: inout SeededGenerator) async throws -> ([Person], Model) {
        var people: [Person] = []
        var complaints: [ModelComplaint] = []
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
                                crypt(\(TestOrganisation.password), gen_salt('bf', 4)))
                        RETURNING id
                        """)[0].decode(at: 0)
                    for other in granted {
                        _ = try await owner.query("INSERT INTO hq_grants (branch_id, user_id, granted_branch_id) VALUES (\(branch.id), \(id), \(other))")
                    }
                    people.append(Person(id: id, branch: branch.id, role: role, departments: departments, granted: granted))
                }
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
            }
        }
        let users: [ModelUser] = try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.query("SELECT id, branch_id, department_ids FROM users").map {
                ModelUser(id: try $0.decode(at: 0), branch: try $0.decode(at: 1), departments: Set(try $0.decode([UUID].self, at: 2)))
            }
        }
        var departments: [UUID: UUID] = [:]
        for branch in org.branches { for department in branch.departments { departments[department] = branch.id } }
        return (people, Model(complaints: complaints, users: users, branches: org.branches.map(\.id), departments: departments))
    }

    @Test func randomCallsByGeneratedPeopleNeverSeeBeyondTheModel() async throws {
        try await APIHarness.run { harness, client in
            var random = SeededGenerator(state: 7_020_117)
            let generated = try await Self.generate(harness.organisation, database: harness.database, random: &random)
            var people = generated.0
            let model = generated.1
            for index in people.indices {
                let code = harness.organisation.branches.first { $0.id == people[index].branch }!.code
                people[index].token = try await client.signIn(code, "gen-\(index % 10)")
            }
            let calls = 1_500
            var leaks: [String] = [], denials: [String] = [], byKind: [String: Int] = [:]
            func check(_ ok: Bool, leak: Bool, _ what: String) {
                guard !ok else { return }
                if leak { leaks.append(what) } else { denials.append(what) }
            }
            for _ in 0..<calls {
                let person = people.randomElement(using: &random)!
                let kind = ["complaint", "complaint", "timeline", "user", "branch", "department", "list", "report", "export", "audit"]
                    .randomElement(using: &random)!
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
