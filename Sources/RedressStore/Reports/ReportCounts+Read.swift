import Foundation
import Postgres
import RedressCore

/// The complaints report read from the counts kept as complaints change (`sql/0072_…`) instead
/// of from every complaint of the period: for reports of whole months over whole branches (no
/// filter but a branch, grouped by nothing, branch or region) asked by someone who sees every
/// complaint of each branch, which is what executives and branch managers ask. Counts are exact;
/// the four durations' percentiles are within 30 seconds of the exact ones (``MinuteHistogram``).
/// The period's messages to complainants are read from their counts too (`sql/0081_…`). Three
/// round trips: the counts with the few complaints whose unmet deadlines are still ahead, then the
/// two finer levels of the histograms the percentiles fall in.
struct ReportCountsRead {
    /// One branch's counts of one month (`YYYY-MM-01`).
    struct Cell: Hashable {
        var branch: UUID
        var month: String
    }

    /// Measure → bucket → complaints.
    typealias Tally = [String: [Int64: Int]]

    /// A group of a report: its key and label, and its branches.
    struct Group {
        var key: String?
        var label: String?
        var branches: Set<UUID>
        var total: Bool
    }

    /// A category of the report's branches: its code, label and the code's place in the database's order.
    struct Category {
        var code: String
        var name: String?
        var order: Int
    }

    /// One percentile rank being narrowed down, level by level.
    struct Search {
        var cells: [Cell]
        var measure: String
        var bucket: Int64
        var rank: Int
    }

    /// A bucket whose children one level down are wanted, in one cell.
    struct Wanted: Hashable {
        var cell: Cell
        var measure: String
        var parent: Int64
    }

    static let durations = [(measure: "firstReply", median: \ReportCounts.firstReplyMedianSeconds, p90: \ReportCounts.firstReplyP90Seconds),
                            (measure: "resolution", median: \ReportCounts.resolutionMedianSeconds, p90: \ReportCounts.resolutionP90Seconds)]

    let branches: [UUID]
    let period: ReportPeriod
    let grouping: ReportGrouping
    let connection: PGConnection

    /// The branches such a report covers when it can be read from the counts, else nil.
    static func branches(_ caller: Caller, period: ReportPeriod, grouping: ReportGrouping, filter: ReportFilter) -> [UUID]? {
        guard [.none, .branch, .region].contains(grouping), filter == ReportFilter(branchId: filter.branchId),
              period.from.day == 1, period.previousFrom.day == 1, period.to.adding(days: 1).day == 1 else { return nil }
        let branches = ReportStore.branches(caller, filter)
        guard !branches.isEmpty, Set(branches).isSubset(of: caller.scope.caseBranchIDs) else { return nil }
        return branches
    }

    /// The months of `period`'s current and previous parts.
    var months: (current: [String], previous: [String]) {
        func months(_ from: LocalDate, through last: LocalDate) -> [String] {
            var months: [String] = []
            var month = from.firstOfMonth()
            while month <= last {
                months.append(month.description)
                month = month.firstOfMonth(adding: 1)
            }
            return months
        }
        return (months(period.from, through: period.to), months(period.previousFrom, through: period.previousTo))
    }

    /// The report's rows and top categories, as `reports.complaints` computes them; nil while a
    /// branch's counts wait to be made again (`report_count_recounts`), or if the counts' levels
    /// disagree, which they cannot within one snapshot.
    func read() async throws -> ComputedReport? {
        let months = months
        let all = months.previous + months.current
        let results = try await connection.pipeline([
            "SELECT b.id, nullif(b.region, ''), reports.label('branch', b.id::text) FROM branches b WHERE b.id = ANY (\(branches)::uuid[])",
            Self.counts(branches: branches, first: all[0], last: all[all.count - 1]),
            Self.unmetAhead(branches: branches),
            // Codes in the database's order, which breaks ties among the top categories as the full computation does;
            // each code's label as `reports.label` gives it (the least of its names in the branches the caller sees),
            // for every code in one pass rather than a scan of every branch's categories per category.
            """
            SELECT k.id, k.code, l.name, dense_rank() OVER (ORDER BY k.code)::integer
              FROM categories k JOIN (SELECT code, min(name) AS name FROM categories GROUP BY code) l ON l.code = k.code
             WHERE k.branch_id = ANY (\(branches)::uuid[])
            """,
            "SELECT count(*)::integer FROM report_count_recounts WHERE branch_id = ANY (\(branches)::uuid[])",
            Self.messages(branches: branches, first: months.current[0], last: months.current[months.current.count - 1]),
        ])
        guard try results[4][0].decode(Int.self, at: 0) == 0 else { return nil }
        let groups = try Self.groups(results[0], grouping: grouping)
        var tallies: [Cell: Tally] = [:]
        for row in results[1] {
            let cell = Cell(branch: try row.decode(at: 0), month: try row.decode(at: 1))
            tallies[cell, default: [:]][try row.decode(String.self, at: 2), default: [:]][try row.decode(Int64.self, at: 3), default: 0]
                += try row.decode(Int.self, at: 4)
        }
        for row in results[2] {
            let cell = Cell(branch: try row.decode(at: 0), month: try row.decode(at: 1))
            for (index, milestone) in SLAMilestone.allCases.enumerated() {
                tallies[cell, default: [:]]["\(milestone.rawValue).ahead", default: [:]][0, default: 0] += try row.decode(Int.self, at: 2 + index)
            }
        }
        let categories: [UUID: Category] = Dictionary(try results[3].map { row in
            (try row.decode(UUID.self, at: 0), Category(code: try row.decode(at: 1), name: try row.decode(at: 2), order: try row.decode(at: 3)))
        }, uniquingKeysWith: { first, _ in first })

        var rows: [ComputedReport.Row] = []
        var searches: [(row: Int, path: WritableKeyPath<ReportCounts, Double?>, lower: Search, upper: Search, weight: Double)] = []
        for group in groups {
            for (name, periodMonths) in [("current", months.current), ("previous", months.previous)] {
                let cells = group.branches.sorted { $0.uuidString < $1.uuidString }.flatMap { branch in
                    periodMonths.map { Cell(branch: branch, month: $0) }
                }
                let tally = Self.merged(cells.compactMap { tallies[$0] })
                let figures = Self.figures(tally)
                guard figures.received > 0 else { continue }
                for duration in Self.durations {
                    let histogram = tally[duration.measure] ?? [:]
                    let values = histogram.values.reduce(0, +)
                    for (fraction, path) in [(0.5, duration.median), (0.9, duration.p90)] {
                        guard let ranks = MinuteHistogram.interpolation(fraction, of: values),
                              let lower = MinuteHistogram.locate(ranks.lower, in: histogram),
                              let upper = MinuteHistogram.locate(ranks.upper, in: histogram) else { continue }
                        searches.append((rows.count, path,
                                         Search(cells: cells, measure: duration.measure, bucket: lower.bucket, rank: lower.rank),
                                         Search(cells: cells, measure: duration.measure, bucket: upper.bucket, rank: upper.rank),
                                         ranks.weight))
                    }
                }
                rows.append(ComputedReport.Row(period: name, total: group.total, key: group.key, label: group.label, figures: figures))
            }
        }
        guard let narrowed = try await narrow(searches.flatMap { [$0.lower, $0.upper] }) else { return nil }
        for (index, search) in searches.enumerated() {
            let lower = MinuteHistogram.seconds(ofMinute: narrowed[2 * index].bucket)
            let upper = MinuteHistogram.seconds(ofMinute: narrowed[2 * index + 1].bucket)
            rows[search.row].figures[keyPath: search.path] = lower + search.weight * (upper - lower)
        }
        return ComputedReport(rows: rows, topCategories: Self.topCategories(tallies, months: months, categories: categories),
                              messages: try results[5].map(ReportStore.delivery))
    }

    /// Narrows every search from its level-0 bucket down to its minute, one level per round trip.
    func narrow(_ searches: [Search]) async throws -> [Search]? {
        var searches = searches
        for level in 1...MinuteHistogram.finestLevel {
            let wanted = Set(searches.flatMap { search in search.cells.map { Wanted(cell: $0, measure: search.measure, parent: search.bucket) } })
            guard !wanted.isEmpty else { break }
            var children: [Wanted: [Int64: Int]] = [:]
            for row in try await connection.query(Self.children(of: Array(wanted), detail: level, branches: branches)) {
                let bucket: Int64 = try row.decode(at: 3)
                let key = Wanted(cell: Cell(branch: try row.decode(at: 0), month: try row.decode(at: 1)), measure: try row.decode(at: 2),
                                 parent: bucket >> 6)
                guard wanted.contains(key) else { continue }
                children[key, default: [:]][bucket, default: 0] += try row.decode(Int.self, at: 4)
            }
            for index in searches.indices {
                let search = searches[index]
                var merged: [Int64: Int] = [:]
                for cell in search.cells {
                    for (bucket, count) in children[Wanted(cell: cell, measure: search.measure, parent: search.bucket)] ?? [:] {
                        merged[bucket, default: 0] += count
                    }
                }
                guard let found = MinuteHistogram.locate(search.rank, in: merged) else { return nil }
                searches[index].bucket = found.bucket
                searches[index].rank = found.rank
            }
        }
        return searches
    }

    /// The report's groups: the totals over every branch, and one group per branch or region.
    static func groups(_ rows: PGRows, grouping: ReportGrouping) throws -> [Group] {
        let branches: [(id: UUID, region: String?, name: String?)] = try rows.map { (try $0.decode(at: 0), try $0.decode(at: 1), try $0.decode(at: 2)) }
        var groups = [Group(key: nil, label: nil, branches: Set(branches.map(\.id)), total: true)]
        switch grouping {
        case .branch:
            groups += branches.map { Group(key: $0.id.uuidString.lowercased(), label: $0.name, branches: [$0.id], total: false) }
        case .region:
            let regions = Dictionary(grouping: branches, by: \.region)
            groups += regions.map { Group(key: $0.key, label: $0.key, branches: Set($0.value.map(\.id)), total: false) }
        default:
            break
        }
        return groups
    }

    /// The sum of several cells' counts.
    static func merged(_ tallies: [Tally]) -> Tally {
        var merged: Tally = [:]
        for tally in tallies {
            for (measure, buckets) in tally {
                for (bucket, count) in buckets { merged[measure, default: [:]][bucket, default: 0] += count }
            }
        }
        return merged
    }

    /// A group's counts from its tally (the percentiles are filled in afterwards).
    static func figures(_ tally: Tally) -> ReportCounts {
        func count(_ measure: String) -> Int { tally[measure]?[0] ?? 0 }
        let surveyed = count("surveyed")
        var milestones: [String: ReportCounts.Milestone] = [:]
        for milestone in SLAMilestone.allCases.map(\.rawValue) {
            milestones[milestone] = .init(due: count("\(milestone).met") + count("\(milestone).unmet") - count("\(milestone).ahead"),
                                          onTime: count("\(milestone).onTime"))
        }
        var tiers: [String: Int] = [:]
        for (tier, complaints) in tally["tier"] ?? [:] where complaints != 0 { tiers[String(tier)] = complaints }
        return ReportCounts(
            received: count("received"), resolved: count("resolved"), invalid: count("invalid"), repeats: count("repeats"),
            escalated: count("escalated"), surveyed: surveyed, satisfied: count("satisfied"),
            basicallySatisfied: count("basicallySatisfied"), dissatisfied: count("dissatisfied"),
            satisfactionAverage: surveyed > 0 ? average(count("satisfactionSum"), surveyed) : nil,
            firstReplyMedianSeconds: nil, firstReplyP90Seconds: nil, resolutionMedianSeconds: nil, resolutionP90Seconds: nil,
            milestones: milestones, escalationsByTier: tiers)
    }

    /// `round(sum / count, 4)` as PostgreSQL's numeric computes it, read as the report's JSON reads it.
    static func average(_ sum: Int, _ count: Int) -> Double? {
        var exact = Decimal(sum) / Decimal(count)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 4, .plain)
        return Double(rounded.description)
    }

    /// The five categories most received in the period, with the previous period's figure.
    static func topCategories(_ tallies: [Cell: Tally], months: (current: [String], previous: [String]),
                              categories: [UUID: Category]) -> [ComplaintReport.HotSpot] {
        var byCode: [String: (name: String?, order: Int, received: Int, previous: Int)] = [:]
        let current = Set(months.current)
        for (cell, tally) in tallies {
            for (measure, buckets) in tally where measure.hasPrefix("category:") {
                guard let id = UUID(uuidString: String(measure.dropFirst("category:".count))), let category = categories[id] else { continue }
                let complaints = buckets[0] ?? 0
                var entry = byCode[category.code] ?? (category.name, category.order, 0, 0)
                if current.contains(cell.month) { entry.received += complaints } else { entry.previous += complaints }
                byCode[category.code] = entry
            }
        }
        return byCode.filter { $0.value.received > 0 }
            .sorted { ($1.value.received, $0.value.order) < ($0.value.received, $1.value.order) }
            .prefix(5)
            .map { ComplaintReport.HotSpot(code: $0.key, name: $0.value.name, received: $0.value.received, previous: $0.value.previous) }
    }
}
