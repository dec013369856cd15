import Foundation
import Postgres
import RedressCore
@testable import RedressStore
import RedressTestSupport
import Testing

/// Reports computed by PostgreSQL under row-level security, checked figure by figure against an
/// independent model over a generated data set: three branches in three time zones, complaints
/// exactly at local month boundaries (one of them a midnight that comes twice), every scope,
/// grouping and kind of period, empty periods, and a department head trying every parameter to
/// see another department.
@Suite("Reports against PostgreSQL with known answers")
struct ReportTests {
    /// Havana's clocks go back from 01:00 to midnight on 1 November 2026: that midnight comes twice.
    static let zones = ["Asia/Shanghai", "America/New_York", "America/Havana"]
    /// Two branches share a region; the third has none.
    static let regions = ["East", "East", ""]
    static let codes = ["billing", "network_quality", "delivery", "service_attitude", "after_sales"]
    static let channels = ["phone", "web", "email", "app"]

    struct Fixture {
        var database: TestDatabase
        var org: TestOrganisation
        var complaints: [ModelComplaint]
    }

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// The local midnight of `day` in `zone`.
    static func midnight(_ day: LocalDate, _ zone: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }

    static func generate(_ org: TestOrganisation, perBranch: Int) -> [ModelComplaint] {
        var random = SeededGenerator(state: 20_261_123)
        var complaints: [ModelComplaint] = []
        let start = date("2026-05-15T00:00:00Z").timeIntervalSince1970, end = date("2026-10-15T00:00:00Z").timeIntervalSince1970
        for (index, branch) in org.branches.enumerated() {
            let zone = zones[index]
            // Exactly at, and one second before, local midnights that start a day, week, month and quarter.
            var times = [LocalDate(2026, 7, 1), LocalDate(2026, 8, 1), LocalDate(2026, 7, 15), LocalDate(2026, 6, 29)]
                .flatMap { [midnight($0, zone), midnight($0, zone).addingTimeInterval(-1)] }
            if zone == "America/Havana" {
                // The first of November's two midnights, half an hour into it, the second, and the second before the first.
                times += ["2026-11-01T04:00:00Z", "2026-11-01T04:30:00Z", "2026-11-01T05:00:00Z", "2026-11-01T03:59:59Z"].map(date)
            }
            while times.count < perBranch {
                times.append(Date(timeIntervalSince1970: Double(Int.random(in: Int(start)...Int(end), using: &random))))
            }
            for receivedAt in times {
                let roll = Double.random(in: 0..<1, using: &random)
                let department: UUID? = roll < 0.45 ? branch.departments[0] : roll < 0.9 ? branch.departments[1] : nil
                let collaborating = department == branch.departments[1] && Bool.random(using: &random) ? [branch.departments[0]] : []
                let responsible = [branch.users[.handler]!, branch.otherDepartmentUser, branch.users[.departmentHead]!, nil]
                    .randomElement(using: &random)!
                var deadlines: [SLAMilestone: Date] = [:]
                var met: [SLAMilestone: Date] = [:]
                if Double.random(in: 0..<1, using: &random) > 0.05 {
                    let hours: [SLAMilestone: Int] = [.acknowledge: 24, .initialReply: 48, .preliminaryFeedback: 72,
                                                      .result: [24, 48, 72].randomElement(using: &random)!]
                    for (milestone, target) in hours {
                        deadlines[milestone] = receivedAt.addingTimeInterval(Double(target * 3600))
                        if Double.random(in: 0..<1, using: &random) < 0.7 {
                            met[milestone] = receivedAt.addingTimeInterval(Double(Int.random(in: 60...(100 * 3600), using: &random)))
                        }
                    }
                }
                complaints.append(ModelComplaint(
                    branch: branch.id, timeZone: zone, region: regions[index], department: department, collaborating: collaborating, responsible: responsible,
                    category: Bool.random(using: &random) || Bool.random(using: &random) ? codes.randomElement(using: &random)! : nil,
                    channel: channels.randomElement(using: &random)!,
                    source: ["external", "external", "internal", "institutional"].randomElement(using: &random)!,
                    customerType: ["individual", "individual", "enterprise", "government", "public_institution", "social_organisation"]
                        .randomElement(using: &random)!,
                    level: [1, 2, 3, nil].randomElement(using: &random)!,
                    nature: ["general", "general", "major", "repeat", "invalid"].randomElement(using: &random)!, repeatOf: false,
                    satisfaction: Bool.random(using: &random) ? Int.random(in: 1...10, using: &random) : nil,
                    escalatedTiers: Array([1, 2, 3].prefix(Int.random(in: 0...3, using: &random))),
                    receivedAt: receivedAt, deadlines: deadlines, met: met))
            }
        }
        return complaints
    }

    static func fixture(perBranch: Int = 240) async throws -> Fixture {
        let database = try await TestDatabase.create()
        let org = try await TestOrganisation.create(in: database)
        let complaints = generate(org, perBranch: perBranch)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        try await database.withPool(owner: true, size: 1) { (owner: PGPool) async throws in
            try await owner.withTransaction { connection in
                for (index, branch) in org.branches.enumerated() {
                    try await connection.execute("UPDATE branches SET time_zone = \(zones[index]), region = \(regions[index]) WHERE id = \(branch.id)")
                }
                for (index, c) in complaints.enumerated() {
                    let deadlines = ["milestones": Dictionary(uniqueKeysWithValues: c.deadlines.map { ($0.key.rawValue, ["at": iso.string(from: $0.value)]) })]
                    let completed = c.met.keys.map(\.rawValue).sorted()
                    try await connection.execute("""
                        INSERT INTO complaints (branch_id, case_number, channel, source, customer_type, description, department_id,
                                                collaborating_department_ids,
                                                responsible_user_id, category_id, level, nature, satisfaction, escalated_tiers, received_at,
                                                sla_deadlines, sla_completed, acknowledge_met_at, initial_reply_met_at,
                                                preliminary_feedback_met_at, result_met_at, status)
                        VALUES (\(c.branch), \("R-\(index)"), \(c.channel), \(c.source), \(c.customerType), 'generated', \(c.department),
                                \(c.collaborating),
                                \(c.responsible), (SELECT id FROM categories WHERE branch_id = \(c.branch) AND code = \(c.category)),
                                \(c.level.map(Int16.init))::smallint, \(c.nature), \(c.satisfaction.map(Int16.init))::smallint,
                                \(c.escalatedTiers)::smallint[], \(c.receivedAt), \(PGJSON(deadlines)), \(completed),
                                \(c.met[.acknowledge]), \(c.met[.initialReply]), \(c.met[.preliminaryFeedback]), \(c.met[.result]),
                                \(c.met[.result] == nil ? "investigating" : "closed"))
                        """)
                }
            }
        }
        return Fixture(database: database, org: org, complaints: complaints)
    }

    /// Counts exactly; percentiles to the millisecond, or within 30 seconds when the report was read
    /// from the counts kept as complaints change (`percentileTolerance`, ``ReportCountsRead``).
    static func expectClose(_ actual: ReportCounts, _ expected: ReportCounts, _ context: String, percentileTolerance: Double = 0.001) {
        func close(_ a: Double?, _ b: Double?, _ tolerance: Double) -> Bool {
            switch (a, b) {
            case (nil, nil): return true
            case let (x?, y?): return abs(x - y) <= tolerance
            default: return false
            }
        }
        #expect(actual.received == expected.received && actual.resolved == expected.resolved && actual.invalid == expected.invalid
                && actual.repeats == expected.repeats && actual.escalated == expected.escalated, "counts: \(context)")
        #expect(actual.surveyed == expected.surveyed && actual.satisfied == expected.satisfied
                && actual.basicallySatisfied == expected.basicallySatisfied && actual.dissatisfied == expected.dissatisfied,
                "satisfaction distribution: \(context)")
        #expect(close(actual.satisfactionAverage, expected.satisfactionAverage, 0.00011), "satisfaction average: \(context)")
        #expect(close(actual.firstReplyMedianSeconds, expected.firstReplyMedianSeconds, percentileTolerance)
                && close(actual.firstReplyP90Seconds, expected.firstReplyP90Seconds, percentileTolerance), "time to first reply: \(context)")
        #expect(close(actual.resolutionMedianSeconds, expected.resolutionMedianSeconds, percentileTolerance)
                && close(actual.resolutionP90Seconds, expected.resolutionP90Seconds, percentileTolerance), "time to resolution: \(context)")
        #expect(actual.milestones == expected.milestones, "on-time per milestone: \(context)")
        #expect(actual.escalationsByTier == expected.escalationsByTier, "escalations per tier: \(context)")
    }

    static func compare(_ fixture: Fixture, _ store: ReportStore, _ caller: Caller, _ period: ReportPeriod, _ grouping: ReportGrouping,
                        _ filter: ReportFilter = ReportFilter()) async throws {
        let context = "\(caller.roles.first!.rawValue) \(period.kind.rawValue) \(period.from)…\(period.to) by \(grouping.rawValue) \(filter)"
        let report = try await store.complaints(caller, period: .range(period), groupBy: grouping, filter: filter)
        let expected = ReportModel.report(fixture.complaints, scope: ModelScope(caller), period: period, grouping: grouping, filter: filter)
        let tolerance = ReportCountsRead.branches(caller, period: period, grouping: grouping, filter: filter) == nil ? 0.001 : 30.000_001
        expectClose(report.totals.current.counts, expected.totals.0, "totals, " + context, percentileTolerance: tolerance)
        expectClose(report.totals.previous.counts, expected.totals.1, "previous totals, " + context, percentileTolerance: tolerance)
        #expect(Set(report.groups.map(\.key)) == Set(expected.groups.keys), "groups: \(context)")
        for group in report.groups {
            guard let model = expected.groups[group.key] else { continue }
            expectClose(group.current.counts, model.0, "group \(group.key ?? "none"), " + context, percentileTolerance: tolerance)
            expectClose(group.previous.counts, model.1, "previous of group \(group.key ?? "none"), " + context, percentileTolerance: tolerance)
        }
        #expect(report.topCategories.map { "\($0.code) \($0.received) \($0.previous)" } == expected.top.map { "\($0.0) \($0.1) \($0.2)" },
                "hot spots: \(context)")
    }

    static let periods: [ReportPeriod] = [
        ReportPeriod(.month, containing: LocalDate(2026, 7, 15)), ReportPeriod(.quarter, containing: LocalDate(2026, 8, 1)),
        ReportPeriod(.week, containing: LocalDate(2026, 7, 1)), ReportPeriod(.day, containing: LocalDate(2026, 8, 1)),
        ReportPeriod(from: LocalDate(2026, 6, 10), to: LocalDate(2026, 7, 20))!,
        ReportPeriod(.month, containing: LocalDate(2020, 1, 10)), ReportPeriod(.month, containing: LocalDate(2026, 11, 15)),
        ReportPeriod(.month, containing: LocalDate(2026, 10, 15)),
    ]

    @Test func everyFigureMatchesTheModelAtEveryScopeGroupingAndPeriod() async throws {
        let fixture = try await Self.fixture()
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ReportStore(database: ScopedDatabase(pool: pool))
            let callers = [org.caller(.branchManager, in: org.a), org.caller(.departmentHead, in: org.a),
                           org.caller(.executive, in: org.a), org.caller(.agent, in: org.b), org.caller(.handler, in: org.c),
                           org.caller(.branchManager, in: org.c)]
            for caller in callers {
                for period in Self.periods {
                    for grouping in ReportGrouping.allCases {
                        try await Self.compare(fixture, store, caller, period, grouping)
                    }
                }
            }
            let july = Self.periods[0]
            let executive = org.caller(.executive, in: org.a)
            for filter in [ReportFilter(branchId: org.b.id), ReportFilter(channel: "phone"), ReportFilter(category: "billing"),
                           ReportFilter(level: 2), ReportFilter(branchId: org.a.id, departmentId: org.a.departments[1], level: 1)] {
                try await Self.compare(fixture, store, executive, july, .department, filter)
            }
        }
    }

    /// On Citus the report reads branch by branch (`reports.complaints_branch_by_branch`); on
    /// plain PostgreSQL it is one statement. Both give the same document, to the last figure.
    @Test func theReportBranchByBranchIsTheReportInOneStatement() async throws {
        let fixture = try await Self.fixture(perBranch: 120)
        let org = fixture.org
        try await fixture.database.withPool(size: 1) { (pool: PGPool) async throws in
            let database = ScopedDatabase(pool: pool)
            let callers = [org.caller(.branchManager, in: org.a), org.caller(.departmentHead, in: org.a),
                           org.caller(.executive, in: org.a), org.caller(.handler, in: org.c)]
            var compared = 0
            for caller in callers {
                for period in Self.periods.prefix(3) {
                    for grouping in ReportGrouping.allCases {
                        for filter in [ReportFilter(), ReportFilter(branchId: org.b.id, channel: "phone")] {
                            let row = try await database.withScope(caller.scope, readOnly: true) { connection in
                                try await connection.query("""
                                    WITH a AS (SELECT reports.complaints_in_one_statement(\(period.from.description)::date, \(period.to.description)::date,
                                                   \(period.previousFrom.description)::date, \(grouping.rawValue), \(filter.branchId)::uuid,
                                                   NULL::uuid, NULL::text, \(filter.channel)::text, NULL::smallint) AS report),
                                         b AS (SELECT reports.complaints_branch_by_branch(\(period.from.description)::date, \(period.to.description)::date,
                                                   \(period.previousFrom.description)::date, \(grouping.rawValue), \(filter.branchId)::uuid,
                                                   NULL::uuid, NULL::text, \(filter.channel)::text, NULL::smallint) AS report)
                                    SELECT a.report = b.report, jsonb_array_length(a.report -> 'rows') FROM a, b
                                    """)[0]
                            }
                            #expect(try row.decode(Bool.self, at: 0), "\(caller.roles) \(period) \(grouping) \(filter)")
                            compared += try row.decode(Int.self, at: 1) > 0 ? 1 : 0
                        }
                    }
                }
            }
            #expect(compared > 20, "reports with rows were compared")
        }
    }

    @Test func theModelItselfSeesTheBoundariesAndTheEmptyPeriod() async throws {
        let org = try await TestOrganisation.create(in: try await TestDatabase.create())
        let complaints = Self.generate(org, perBranch: 240)
        let manager = ModelScope(org.caller(.branchManager, in: org.a))
        // Shanghai's 2026-07-01 00:00 falls in July; the second before it in June.
        let july = ReportModel.report(complaints, scope: manager, period: Self.periods[0], grouping: .none, filter: ReportFilter())
        #expect(july.totals.0.received > 0 && july.totals.1.received > 0)
        let boundary = complaints.filter { $0.branch == org.a.id && $0.receivedAt == Self.midnight(LocalDate(2026, 7, 1), "Asia/Shanghai") }
        #expect(boundary.count == 1 && ReportModel.localDate(boundary[0].receivedAt, "Asia/Shanghai") == LocalDate(2026, 7, 1))
        #expect(ReportModel.localDate(boundary[0].receivedAt.addingTimeInterval(-1), "Asia/Shanghai") == LocalDate(2026, 6, 30))
        let empty = ReportModel.report(complaints, scope: manager, period: Self.periods[5], grouping: .branch, filter: ReportFilter())
        #expect(empty.totals.0 == ReportModel.counts([]) && empty.groups.isEmpty)
    }

    @Test func aDepartmentHeadCannotReachAnotherDepartmentThroughAnyParameter() async throws {
        let fixture = try await Self.fixture(perBranch: 120)
        let org = fixture.org
        try await fixture.database.withPool(size: 2) { (pool: PGPool) async throws in
            let store = ReportStore(database: ScopedDatabase(pool: pool))
            let head = org.caller(.departmentHead, in: org.a)
            let quarter = Self.periods[1]
            let own = org.a.departments[0].uuidString.lowercased()
            for grouping in ReportGrouping.allCases {
                for filter in [ReportFilter(), ReportFilter(departmentId: org.a.departments[1]), ReportFilter(branchId: org.b.id),
                               ReportFilter(branchId: org.c.id, departmentId: org.c.departments[0])] {
                    let report = try await store.complaints(head, period: .range(quarter), groupBy: grouping, filter: filter)
                    if filter == ReportFilter() {
                        #expect(report.totals.current.received > 0, "the head sees its own department")
                    } else {
                        #expect(report.totals.current.received == 0 && report.totals.previous.received == 0 && report.groups.isEmpty
                                && report.topCategories.isEmpty, "\(grouping) \(filter) leaked")
                    }
                    if grouping == .department { #expect(report.groups.allSatisfy { $0.key == own }) }
                    if grouping == .branch { #expect(report.groups.allSatisfy { $0.key == org.a.id.uuidString.lowercased() }) }
                }
            }
            // Collaborating on (or being responsible for) another department's complaint shows it, but does not count it.
            let collaborated = fixture.complaints.filter { $0.branch == org.a.id && $0.department == org.a.departments[1] && !$0.collaborating.isEmpty }
            #expect(!collaborated.isEmpty)
            let all = try await store.complaints(head, period: .range(ReportPeriod(from: LocalDate(2026, 5, 1), to: LocalDate(2026, 10, 31))!),
                                                 groupBy: .none, filter: ReportFilter())
            let own2 = fixture.complaints.filter { $0.branch == org.a.id && $0.department == org.a.departments[0] }.count
            let stragglers = fixture.complaints.filter {
                $0.branch == org.a.id && $0.department == org.a.departments[0]
                    && ReportModel.localDate($0.receivedAt, $0.timeZone) < LocalDate(2026, 5, 1)
            }.count
            #expect(all.totals.current.received == own2 - stragglers)
        }
    }
}

extension ReportFigures {
    /// The counts these figures were derived from (rates are checked separately).
    var counts: ReportCounts {
        ReportCounts(received: received, resolved: resolved, invalid: invalid, repeats: repeats, escalated: escalated, surveyed: surveyed,
                     satisfied: satisfied, basicallySatisfied: basicallySatisfied, dissatisfied: dissatisfied,
                     satisfactionAverage: satisfactionAverage, firstReplyMedianSeconds: firstReplyMedianSeconds,
                     firstReplyP90Seconds: firstReplyP90Seconds, resolutionMedianSeconds: resolutionMedianSeconds,
                     resolutionP90Seconds: resolutionP90Seconds,
                     milestones: milestones.mapValues { ReportCounts.Milestone(due: $0.due, onTime: $0.onTime) },
                     escalationsByTier: escalationsByTier)
    }
}
