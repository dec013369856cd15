import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import RedressCore
import RedressTestSupport
import Testing

/// KPI targets and their attainment over real HTTP: targets set by managers and admins and refused
/// to everyone else, bad ones refused naming the field; and the attainment report checked figure by
/// figure against the test's own model of generated complaints, in two branches and time zones (one
/// across a change of daylight saving time), a calendar with a holiday and a make-up day and one
/// working six days a week, targets with decimals, changing mid-trend and a department's own.
@Suite("KPI targets")
struct KPIAPITests {
    /// A generated complaint, with what the KPIs count.
    struct Generated {
        var branch: UUID
        var zone: String
        var department: UUID?
        var responsible: UUID?
        var nature: String
        /// Marked as a repeat of the branch's complaint before it.
        var repeatOf: Bool
        var satisfaction: Int?
        var receivedAt: Date
        var deadlines: [SLAMilestone: Date]
        var met: [SLAMilestone: Date]
    }

    /// A target as the test set it.
    struct SetTarget {
        var branch: UUID
        var department: UUID?
        var measure: String
        var from: String
        var target: Double
    }

    static let zones = ["Asia/Shanghai", "America/New_York"]
    /// Branch A's calendar: Monday to Friday, with a Wednesday off and a Saturday worked. Branch B
    /// works Monday to Saturday.
    static let holidays = ["2026-07-01", "2026-08-03"], makeUpDays = ["2026-07-04"]

    /// A branch's calendar as the model knows it: working weekdays (1 = Sunday), holidays, make-up days.
    struct ModelCalendar {
        var weekdays: Set<Int>
        var holidays: Set<String> = []
        var makeUpDays: Set<String> = []
    }

    static func calendar(_ zone: String) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        return calendar
    }

    static func day(_ date: Date, _ zone: String) -> String {
        let parts = calendar(zone).dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    static func midnight(_ text: String, _ zone: String) -> Date {
        let parts = text.split(separator: "-").map { Int($0)! }
        return calendar(zone).date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
    }

    // MARK: - The model

    /// Working days after the day of receipt up to and including the day of the result, walking
    /// the days one by one: Monday to Friday except holidays, and make-up days.
    static func handlingDays(_ complaint: Generated, _ working: ModelCalendar) -> Int? {
        guard let result = complaint.met[.result] else { return nil }
        let calendar = calendar(complaint.zone)
        let last = day(result, complaint.zone)
        var cursor = calendar.date(byAdding: .hour, value: 12, to: calendar.startOfDay(for: complaint.receivedAt))!
        var count = 0
        while day(cursor, complaint.zone) < last {
            cursor = calendar.date(byAdding: .day, value: 1, to: cursor)!
            let text = day(cursor, complaint.zone)
            let weekday = calendar.component(.weekday, from: cursor)
            if working.makeUpDays.contains(text) || (!working.holidays.contains(text) && working.weekdays.contains(weekday)) { count += 1 }
        }
        return count
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(Int(position.rounded(.down)) + 1, sorted.count - 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    /// Each measure's actual figure and basis over `complaints`.
    static func actuals(_ complaints: [Generated], calendars: [UUID: ModelCalendar]) -> [String: (Double?, Int)] {
        func rate(_ part: Int, _ whole: Int) -> (Double?, Int) { (whole == 0 ? nil : Double(part) / Double(whole), whole) }
        let scores = complaints.compactMap(\.satisfaction)
        let days = complaints.compactMap { c in handlingDays(c, calendars[c.branch]!) }
            .map(Double.init)
        var figures: [String: (Double?, Int)] = [
            "satisfaction_rate": rate(scores.filter { $0 >= 6 }.count, scores.count),
            "repeat_rate": rate(complaints.filter { $0.nature == "repeat" || $0.repeatOf }.count, complaints.count),
            "handling_days_average": (days.isEmpty ? nil : days.reduce(0, +) / Double(days.count), days.count),
            "handling_days_p90": (percentile(days, 0.9), days.count),
        ]
        for milestone in SLAMilestone.allCases {
            let due = complaints.filter { c in c.deadlines[milestone].map { c.met[milestone] != nil || $0 < Date() } ?? false }
            let onTime = complaints.filter { c in
                guard let deadline = c.deadlines[milestone], let met = c.met[milestone] else { return false }
                return met <= deadline
            }
            figures["on_time_rate_" + milestone.rawValue] = rate(onTime.count, due.count)
        }
        return figures
    }

    /// The target in force for a row's department (its own, else the branch's) in `month`.
    static func target(_ targets: [SetTarget], measure: String, branch: UUID, department: UUID?, month: String) -> Double? {
        func latest(_ department: UUID?) -> SetTarget? {
            targets.filter { $0.branch == branch && $0.department == department && $0.measure == measure && $0.from <= month }
                .max { $0.from < $1.from }
        }
        if let department, let own = latest(department) { return own.target }
        return latest(nil)?.target
    }

    static let measures = ["satisfaction_rate", "handling_days_average", "handling_days_p90", "on_time_rate_acknowledge",
                           "on_time_rate_initial_reply", "on_time_rate_preliminary_feedback", "on_time_rate_result", "repeat_rate"]

    /// Compares one report with the model: the same rows, and every month's every measure.
    static func compare(_ report: [String: Any], _ complaints: [Generated], targets: [SetTarget], scope: (branches: Set<UUID>,
                        caseBranches: Set<UUID>, departments: Set<UUID>), grouping: String, department filter: UUID?,
                        departmentBranches: [UUID: UUID], months: [String], calendars: [UUID: ModelCalendar], _ context: String) -> Int {
        // A department filter confines the report to the department's branch.
        let branches = scope.branches.filter { filter == nil || departmentBranches[filter!] == $0 }
        /// The department a branch's rows other than departments' are held to: the filter's, else
        /// the caller's one department there when they see only their departments' complaints.
        func heldTo(_ branch: UUID) -> UUID? {
            if let filter { return filter }
            let own = scope.departments.filter { departmentBranches[$0] == branch }
            return own.count == 1 && !scope.caseBranches.contains(branch) ? own.first : nil
        }
        let counted = complaints.filter { c in
            branches.contains(c.branch) && (scope.caseBranches.contains(c.branch) || c.department.map(scope.departments.contains) == true)
                && (filter == nil || c.department == filter)
        }
        func key(_ c: Generated) -> String? {
            switch grouping {
            case "department": return c.department?.uuidString.lowercased()
            case "responsible": return c.responsible?.uuidString.lowercased()
            default: return nil
            }
        }
        let inMonths = counted.filter { months.contains(String(day($0.receivedAt, $0.zone).prefix(7))) }
        var expectedRows: Set<String> = Set(branches.map { "\($0.uuidString.lowercased()) total" })
        if grouping != "none" {
            for c in inMonths { expectedRows.insert("\(c.branch.uuidString.lowercased()) \(key(c) ?? "-")") }
        }
        let rows = report["rows"] as? [[String: Any]] ?? []
        let got = Set(rows.map { row in
            "\(row["branchId"] as? String ?? "") \(row["total"] as? Bool == true ? "total" : (row["key"] as? String ?? "-"))"
        })
        #expect(got == expectedRows, "rows: \(context)")
        var compared = 0
        for row in rows {
            let branch = UUID(uuidString: row["branchId"] as? String ?? "")!
            let total = row["total"] as? Bool == true
            let rowKey = row["key"] as? String
            let department = grouping == "department" && !total ? rowKey.flatMap(UUID.init(uuidString:)) : heldTo(branch)
            let entries = row["months"] as? [[String: Any]] ?? []
            #expect(entries.map { $0["month"] as? String ?? "" } == months, "months of a row: \(context)")
            for entry in entries {
                let month = entry["month"] as? String ?? ""
                let members = inMonths.filter { c in
                    c.branch == branch && String(day(c.receivedAt, c.zone).prefix(7)) == month && (total || key(c) == rowKey)
                }
                #expect(entry["received"] as? Int == members.count, "received \(month) \(rowKey ?? "total"): \(context)")
                let expected = actuals(members, calendars: calendars)
                var met = 0, missed = 0
                let measures = entry["measures"] as? [[String: Any]] ?? []
                #expect(measures.map { $0["measure"] as? String ?? "" } == Self.measures, "every measure, in order: \(context)")
                for measure in measures {
                    let name = measure["measure"] as? String ?? ""
                    let (actual, basis) = expected[name] ?? (nil, -1)
                    let target = Self.target(targets, measure: name, branch: branch, department: department, month: month)
                    let place = "\(name) \(month) \(rowKey ?? "total"): \(context)"
                    #expect(measure["basis"] as? Int == basis, "basis of \(place)")
                    let gotActual = measure["actual"] as? Double
                    #expect((gotActual == nil) == (actual == nil), "an actual figure or none, \(place)")
                    if let gotActual, let actual { #expect(abs(gotActual - actual) < 0.000_051, "actual \(gotActual) vs \(actual), \(place)") }
                    #expect(measure["target"] as? Double == target, "target of \(place)")
                    var expectedMet: Bool?
                    if let actual, let target {
                        let higher = !["handling_days_average", "handling_days_p90", "repeat_rate"].contains(name)
                        expectedMet = higher ? actual >= target - 1e-9 : actual <= target + 1e-9
                    }
                    #expect(measure["met"] as? Bool == expectedMet, "met \(place)")
                    if expectedMet == true { met += 1 } else if expectedMet == false { missed += 1 }
                    compared += 1
                }
                #expect(entry["met"] as? Int == met && entry["missed"] as? Int == missed, "met and missed \(month): \(context)")
            }
        }
        return compared
    }

    // MARK: - Generated data

    static func generate(_ org: TestOrganisation) -> [Generated] {
        var random = SeededGenerator(state: 20_261_205)
        var complaints: [Generated] = []
        for (index, branch) in [org.a, org.b].enumerated() {
            let zone = zones[index]
            // At and just before the local midnights that start the months, and around the calendar's odd days.
            var times = ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-07-03", "2026-07-04"]
                .flatMap { [midnight($0, zone), midnight($0, zone).addingTimeInterval(-1)] }
            let start = midnight("2026-05-25", zone).timeIntervalSince1970, end = midnight("2026-11-10", zone).timeIntervalSince1970
            while times.count < 170 { times.append(Date(timeIntervalSince1970: Double.random(in: start..<end, using: &random).rounded())) }
            for receivedAt in times {
                let roll = Double.random(in: 0..<1, using: &random)
                let department: UUID? = roll < 0.45 ? branch.departments[0] : roll < 0.9 ? branch.departments[1] : nil
                var deadlines: [SLAMilestone: Date] = [:], met: [SLAMilestone: Date] = [:]
                for milestone in SLAMilestone.allCases where Double.random(in: 0..<1, using: &random) < 0.92 {
                    let hours = milestone == .result ? [72, 120, 240].randomElement(using: &random)! : [24, 48, 72].randomElement(using: &random)!
                    deadlines[milestone] = receivedAt.addingTimeInterval(Double(hours * 3600))
                }
                if Double.random(in: 0..<1, using: &random) < 0.8 {
                    // Results from the same hour to three weeks later; the other milestones before it.
                    let result = receivedAt.addingTimeInterval(Double(Int.random(in: 60...(21 * 86_400), using: &random)))
                    met[.result] = result
                    for milestone in [SLAMilestone.acknowledge, .initialReply, .preliminaryFeedback] where Bool.random(using: &random) {
                        met[milestone] = receivedAt.addingTimeInterval(result.timeIntervalSince(receivedAt) * Double.random(in: 0..<1, using: &random))
                    }
                }
                complaints.append(Generated(
                    branch: branch.id, zone: zone, department: department,
                    responsible: [branch.users[.handler]!, branch.otherDepartmentUser, branch.users[.departmentHead]!, nil]
                        .randomElement(using: &random)!,
                    nature: ["general", "general", "general", "repeat", "invalid", "major"].randomElement(using: &random)!,
                    repeatOf: Double.random(in: 0..<1, using: &random) < 0.1,
                    satisfaction: Double.random(in: 0..<1, using: &random) < 0.6 ? Int.random(in: 1...10, using: &random) : nil,
                    receivedAt: receivedAt, deadlines: deadlines, met: met))
            }
        }
        return complaints
    }

    static func insert(_ complaints: [Generated], _ org: TestOrganisation, into database: TestDatabase) async throws {
        let iso = ISO8601DateFormatter()
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withTransaction { connection in
                try await connection.execute("UPDATE branches SET time_zone = \(zones[1]) WHERE id = \(org.b.id)")
                try await connection.execute("""
                    UPDATE branch_calendars SET holidays = \(holidays)::date[], make_up_days = \(makeUpDays)::date[] WHERE branch_id = \(org.a.id)
                    """)
                try await connection.execute("""
                    UPDATE branch_calendars SET hours = hours || jsonb_build_object('7', hours -> '2') WHERE branch_id = \(org.b.id)
                    """)
                var previous: [UUID: UUID] = [:]
                for (index, c) in complaints.enumerated() {
                    let deadlines = ["milestones": Dictionary(uniqueKeysWithValues: c.deadlines.map { ($0.key.rawValue, ["at": iso.string(from: $0.value)]) })]
                    previous[c.branch] = try await connection.query("""
                        INSERT INTO complaints (branch_id, case_number, channel, description, department_id, responsible_user_id, nature, repeat_of,
                                                satisfaction, received_at, sla_deadlines, sla_completed, acknowledge_met_at, initial_reply_met_at,
                                                preliminary_feedback_met_at, result_met_at, status)
                        VALUES (\(c.branch), \("K-\(index)"), 'phone', 'generated', \(c.department), \(c.responsible), \(c.nature),
                                \(c.repeatOf ? previous[c.branch] : nil)::uuid,
                                \(c.satisfaction.map(Int16.init))::smallint, \(c.receivedAt), \(PGJSON(deadlines)), \(c.met.keys.map(\.rawValue).sorted()),
                                \(c.met[.acknowledge]), \(c.met[.initialReply]), \(c.met[.preliminaryFeedback]), \(c.met[.result]),
                                \(c.met[.result] == nil ? "investigating" : "closed"))
                        RETURNING id
                        """)[0].decode(UUID.self, at: 0)
                }
            }
        }
    }

    static func targetRows(_ harness: APIHarness) async throws -> String {
        try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
            try await pool.query("SELECT count(*)::text || coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') FROM kpi_targets t")[0]
                .decode(String.self, at: 0)
        }
    }

    // MARK: - Tests

    @Test func targetsAreSetByManagersAndAdminsAndBadOnesChangeNothing() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let manager = try await client.signIn(org.a.code, "branch_manager"), admin = try await client.signIn(org.a.code, "admin")
            let before = try await Self.targetRows(harness)
            for role in ["agent", "department_head", "handler", "executive", "auditor"] {
                let refused = try await client.call(.put, "/v1/kpi-targets/2026-07/satisfaction_rate", token: try await client.signIn(org.a.code, role),
                                                    body: #"{"target":0.85}"#)
                #expect(refused.status == .forbidden, "\(role) sets no target")
            }
            let bad: [(String, String, String)] = [
                ("/v1/kpi-targets/2026-13/satisfaction_rate", #"{"target":0.85}"#, "month"),
                ("/v1/kpi-targets/2026-07/satisfaction_rate", #"{"target":1.5}"#, "/target"),
                ("/v1/kpi-targets/2026-07/handling_days_p90", #"{"target":-1}"#, "/target"),
                ("/v1/kpi-targets/2026-07/handling_days_p90", #"{"target":400}"#, "/target"),
                ("/v1/kpi-targets/2026-07/satisfaction_rate?departmentId=\(org.b.departments[0].path)", #"{"target":0.8}"#, "departmentId"),
                ("/v1/kpi-targets/2026-07/satisfaction_rate", #"{"target":"high"}"#, "/target"),
            ]
            for (uri, body, field) in bad {
                let refused = try await client.call(.put, uri, token: manager, body: body)
                #expect([.unprocessableContent, .badRequest].contains(refused.status) && refused.problemFields == [field],
                        "\(uri) \(body): \(refused.status) \(refused.problemFields)")
            }
            #expect(try await client.call(.put, "/v1/kpi-targets/2026-07/speed", token: manager, body: #"{"target":1}"#).status == .badRequest)
            #expect(try await Self.targetRows(harness) == before, "nothing refused was stored")

            let set = try await client.call(.put, "/v1/kpi-targets/2026-07/satisfaction_rate", token: manager, body: #"{"target":0.85}"#)
            #expect(set.status == .ok && set.json["target"] as? Double == 0.85 && set.json["from"] as? String == "2026-07"
                    && set.json["departmentId"] == nil, "\(set.json)")
            let corrected = try await client.call(.put, "/v1/kpi-targets/2026-07/satisfaction_rate", token: admin, body: #"{"target":0.9}"#)
            #expect(corrected.json["id"] as? String == set.json["id"] as? String && corrected.json["target"] as? Double == 0.9
                    && corrected.json["setBy"] as? String == org.a.users[.admin]!.path, "corrected in place, by whoever corrected it")
            let own = try await client.call(.put, "/v1/kpi-targets/2026-08/handling_days_average?departmentId=\(org.a.departments[1].path)",
                                            token: manager, body: #"{"target":10}"#)
            #expect(own.status == .ok && own.json["departmentId"] as? String == org.a.departments[1].path)

            // Read by the branch, not by another's; a department filter keeps the branch's own.
            let listed = try await client.call(.get, "/v1/kpi-targets", token: try await client.signIn(org.a.code, "handler")).items
            #expect(listed.map { $0["from"] as? String } == ["2026-08", "2026-07"], "\(listed)")
            #expect(try await client.call(.get, "/v1/kpi-targets?departmentId=\(org.a.departments[0].path)", token: manager).items.count == 1)
            #expect(try await client.call(.get, "/v1/kpi-targets", token: try await client.signIn(org.b.code, "branch_manager")).items.isEmpty)
            #expect(try await client.call(.get, "/v1/kpi-targets", token: try await client.signIn(org.a.code, "executive")).items.count == 2)

            // Removed once; then there is nothing to remove. Every change is in the audit trail.
            #expect(try await client.call(.delete, "/v1/kpi-targets/2026-08/handling_days_average", token: manager).status == .notFound,
                    "the branch's own target of that month was never set")
            #expect(try await client.call(.delete, "/v1/kpi-targets/2026-08/handling_days_average?departmentId=\(org.a.departments[1].path)",
                                          token: manager).status == .noContent)
            #expect(try await client.call(.delete, "/v1/kpi-targets/2026-08/handling_days_average?departmentId=\(org.a.departments[1].path)",
                                          token: manager).status == .notFound)
            #expect(try await client.call(.delete, "/v1/kpi-targets/2026-07/satisfaction_rate",
                                          token: try await client.signIn(org.b.code, "branch_manager")).status == .notFound,
                    "another branch's manager removes nothing of A's")
            let audited = try await harness.database.withPool(owner: true, size: 1) { (pool: PGPool) async throws in
                try await pool.query("""
                    SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE branch_id = \(org.a.id) AND entity = 'kpi_targets'
                    """)[0].decode(String?.self, at: 0)
            }
            #expect(audited == "insert,update,insert,delete", "\(audited ?? "nothing")")
        }
    }

    @Test func attainmentMatchesTheModelForEveryRowMonthAndMeasure() async throws {
        try await APIHarness.run { harness, client in
            let org = harness.organisation
            let complaints = Self.generate(org)
            try await Self.insert(complaints, org, into: harness.database)
            let calendars = [org.a.id: ModelCalendar(weekdays: [2, 3, 4, 5, 6], holidays: Set(Self.holidays), makeUpDays: Set(Self.makeUpDays)),
                             org.b.id: ModelCalendar(weekdays: [2, 3, 4, 5, 6, 7])]
            var departmentBranches: [UUID: UUID] = [:]
            for branch in org.branches { for department in branch.departments { departmentBranches[department] = branch.id } }

            let manager = try await client.signIn(org.a.code, "branch_manager")
            let targets = [
                SetTarget(branch: org.a.id, department: nil, measure: "satisfaction_rate", from: "2026-06", target: 0.6),
                SetTarget(branch: org.a.id, department: nil, measure: "repeat_rate", from: "2026-06", target: 0.2),
                SetTarget(branch: org.a.id, department: nil, measure: "handling_days_average", from: "2026-06", target: 6),
                SetTarget(branch: org.a.id, department: nil, measure: "handling_days_average", from: "2026-08", target: 5.25),
                SetTarget(branch: org.a.id, department: nil, measure: "handling_days_p90", from: "2026-07", target: 12.5),
                SetTarget(branch: org.a.id, department: org.a.departments[1], measure: "satisfaction_rate", from: "2026-08", target: 0.55),
                SetTarget(branch: org.a.id, department: org.a.departments[0], measure: "repeat_rate", from: "2026-07", target: 0.1875),
                SetTarget(branch: org.a.id, department: nil, measure: "on_time_rate_result", from: "2026-06", target: 0.5),
                SetTarget(branch: org.a.id, department: nil, measure: "on_time_rate_acknowledge", from: "2026-09", target: 0.3),
                SetTarget(branch: org.a.id, department: org.a.departments[0], measure: "satisfaction_rate", from: "2026-07", target: 0.75),
                SetTarget(branch: org.a.id, department: org.a.departments[1], measure: "handling_days_p90", from: "2026-05", target: 8),
                SetTarget(branch: org.a.id, department: nil, measure: "satisfaction_rate", from: "2026-12", target: 0.99),
                SetTarget(branch: org.b.id, department: nil, measure: "satisfaction_rate", from: "2026-05", target: 0.5),
                SetTarget(branch: org.b.id, department: nil, measure: "handling_days_p90", from: "2026-06", target: 9),
            ]
            for target in targets {
                let token = target.branch == org.a.id ? manager : try await client.signIn(org.b.code, "admin")
                let department = target.department.map { "?departmentId=\($0.path)" } ?? ""
                let set = try await client.call(.put, "/v1/kpi-targets/\(target.from)/\(target.measure)\(department)", token: token,
                                                body: "{\"target\":\(target.target)}")
                #expect(set.status == .ok, "\(set.json)")
            }

            let trend = ["2026-06", "2026-07", "2026-08", "2026-09"]
            let longer = ["2026-04", "2026-05"] + trend
            func scope(_ role: Role, _ branch: TestOrganisation.BranchFixture) -> (Set<UUID>, Set<UUID>, Set<UUID>) {
                let scope = org.caller(role, in: branch).scope
                return (scope.branchIDs, scope.caseBranchIDs, scope.departmentIDs)
            }
            let cases: [(Role, TestOrganisation.BranchFixture, String, UUID?, [String])] = [
                (.branchManager, org.a, "none", nil, trend), (.branchManager, org.a, "department", nil, trend),
                (.branchManager, org.a, "responsible", nil, longer), (.branchManager, org.a, "responsible", org.a.departments[1], trend),
                (.departmentHead, org.a, "none", nil, trend), (.departmentHead, org.a, "department", nil, trend),
                (.executive, org.a, "department", nil, trend), (.executive, org.a, "none", org.a.departments[0], trend),
                (.agent, org.b, "none", nil, longer), (.branchManager, org.b, "department", nil, ["2026-08", "2026-09", "2026-10", "2026-11"]),
                (.executive, org.a, "responsible", org.a.departments[1], trend),
            ]
            var compared = 0
            for (role, branch, grouping, department, months) in cases {
                let token = try await client.signIn(branch.code, role.rawValue)
                var uri = "/v1/reports/kpis?month=\(months.last!)&months=\(months.count)&groupBy=\(grouping)"
                if let department { uri += "&departmentId=\(department.path)" }
                let report = try await client.call(.get, uri, token: token)
                #expect(report.status == .ok, "\(uri): \(report.json)")
                compared += Self.compare(report.json, complaints, targets: targets, scope: scope(role, branch), grouping: grouping,
                                         department: department, departmentBranches: departmentBranches, months: months,
                                         calendars: calendars, "\(role.rawValue) \(uri)")
            }
            #expect(compared > 900, "the reports were compared measure by measure (\(compared))")
            // Some measures were met and some missed, or the comparison proved little.
            let report = try await client.call(.get, "/v1/reports/kpis?month=2026-09&months=4", token: manager).json
            let attainments = (report["rows"] as? [[String: Any]] ?? []).flatMap { ($0["months"] as? [[String: Any]] ?? []) }
                .flatMap { $0["measures"] as? [[String: Any]] ?? [] }
            #expect(attainments.contains { $0["met"] as? Bool == true } && attainments.contains { $0["met"] as? Bool == false })

            // Refused: per person below department heads, another's branch or department, bad parameters.
            #expect(try await client.call(.get, "/v1/reports/kpis?groupBy=responsible", token: try await client.signIn(org.a.code, "handler"))
                .status == .forbidden)
            #expect(try await client.call(.get, "/v1/reports/kpis", token: try await client.signIn(org.a.code, "admin")).status == .forbidden)
            #expect(try await client.call(.get, "/v1/reports/kpis?branchId=\(org.c.id.path)", token: manager).status == .notFound)
            let head = try await client.signIn(org.a.code, "department_head")
            #expect(try await client.call(.get, "/v1/reports/kpis?departmentId=\(org.a.departments[1].path)", token: head).status == .notFound)
            let executive = try await client.signIn(org.a.code, "executive")
            #expect(try await client.call(.get, "/v1/reports/kpis?branchId=\(org.b.id.path)&departmentId=\(org.a.departments[1].path)",
                                          token: executive).status == .notFound, "a department outside the branch asked for")
            #expect(try await client.call(.get, "/v1/kpi-targets?branchId=\(org.c.id.path)", token: manager).status == .notFound)
            // Long ago: every month empty, nothing met or missed.
            let ancient = try await client.call(.get, "/v1/reports/kpis?month=1900-02&months=24", token: executive)
            #expect(ancient.status == .ok && (ancient.json["rows"] as? [[String: Any]])?.count == 2, "\(ancient.status)")
            for (query, field) in [("month=2026-13", "month"), ("months=25", "months"), ("months=0", "months"), ("groupBy=category", "groupBy")] {
                let refused = try await client.call(.get, "/v1/reports/kpis?\(query)", token: manager)
                #expect([.badRequest, .unprocessableContent].contains(refused.status) && refused.problemFields == [field],
                        "\(query): \(refused.status) \(refused.problemFields)")
            }
        }
    }
}
