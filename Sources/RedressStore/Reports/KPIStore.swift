import Foundation
import Postgres
import RedressCore

/// KPI targets and their attainment (`sql/0068_kpi_targets.sql`): targets set by a branch's
/// managers and admins, read by everyone of the branch; the report sets each month's actual
/// figures, counted under the caller's row-level security, beside the target in force.
public struct KPIStore: Sendable {
    let database: ScopedDatabase

    /// The roles that set targets, for their home branch.
    public static let targetSetters: Set<Role> = [.branchManager, .admin]
    /// The longest trend a report gives, in months.
    public static let longestTrend = 24

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// Sets or corrects the target of `measure` for the caller's branch, or its `departmentID`,
    /// from the month of `month` on (`.forbidden` unless a branch manager or admin; a target out of
    /// the measure's range is an invalid `/target`; an unknown department an invalid reference).
    public func set(_ caller: Caller, month: LocalDate, measure: KPIMeasure, departmentID: UUID?, target: Double) async throws -> KPITarget {
        guard !caller.roles.isDisjoint(with: Self.targetSetters) else { throw StoreError.forbidden }
        guard target.isFinite, measure.targetRange.contains(target) else {
            throw StoreError.invalidValue(field: "/target", message: measure.targetRange.upperBound == 1
                                          ? "must be a fraction from 0 to 1 for \(measure.rawValue)"
                                          : "must be from 0 to \(Int(measure.targetRange.upperBound)) working days")
        }
        return try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                try await connection.query("""
                    INSERT INTO kpi_targets (branch_id, department_id, measure, target, effective_from, set_by)
                    VALUES (\(caller.branchID), \(departmentID), \(measure.rawValue), \(target), \(month.firstOfMonth().description)::date,
                            \(caller.userID))
                    ON CONFLICT (branch_id, department_id, measure, effective_from) DO UPDATE
                       SET target = excluded.target, set_by = excluded.set_by, set_at = now()
                    RETURNING \(unescaped: Self.columns)
                    """).map(Self.target)[0]
            }
        }
    }

    /// Removes the target set from the month of `month` (`.notFound` when there is none), so the
    /// one before it holds again.
    public func remove(_ caller: Caller, month: LocalDate, measure: KPIMeasure, departmentID: UUID?) async throws {
        guard !caller.roles.isDisjoint(with: Self.targetSetters) else { throw StoreError.forbidden }
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let removed = try await connection.query("""
                    DELETE FROM kpi_targets
                     WHERE branch_id = \(caller.branchID) AND department_id IS NOT DISTINCT FROM \(departmentID)::uuid
                       AND measure = \(measure.rawValue) AND effective_from = \(month.firstOfMonth().description)::date
                    RETURNING id
                    """)
                if removed.isEmpty { throw StoreError.notFound }
            }
        }
    }

    /// The targets of the caller's branches (or of `branchID`; with `departmentID`, that
    /// department's and the branches' own), newest month first, at most 1000.
    public func targets(_ caller: Caller, branchID: UUID?, departmentID: UUID?) async throws -> [KPITarget] {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.columns) FROM kpi_targets
                 WHERE branch_id = ANY (\(caller.scope.branchIDs.sorted { $0.uuidString < $1.uuidString }))
                   AND (\(branchID)::uuid IS NULL OR branch_id = \(branchID))
                   AND (\(departmentID)::uuid IS NULL OR department_id IS NULL OR department_id = \(departmentID))
                 ORDER BY effective_from DESC, branch_id, department_id NULLS FIRST, measure
                 LIMIT 1000
                """).map(Self.target)
        }
    }

    /// The attainment of every measure over the `months` months up to the month of `month`
    /// (this month in the caller's branch when nil), for each branch of the caller (or
    /// `branchID`), grouped by `grouping`; with `departmentID`, over that department's complaints
    /// in its own branch alone (`.notFound` when the caller's scope has no such department there).
    /// Grouped by nothing and without a department, each branch whose every complaint the caller
    /// sees is read from the counts kept as complaints change (`reports.kpi_figures_counted`,
    /// `sql/0075_…`; not on Citus), with the same figures as from every complaint.
    public func report(_ caller: Caller, month: LocalDate?, months: Int, grouping: KPIGrouping, branchID: UUID?,
                       departmentID: UUID?) async throws -> KPIReport {
        let count = min(max(months, 1), Self.longestTrend)
        return try await StoreError.translating {
            // Like the complaint reports, read on the replica while its lag is within bounds.
            try await database.readingStale { reading in
                let counted = try await !reading.hasCitus() && grouping == .none && departmentID == nil
                return try await reading.withScope(caller.scope, readOnly: true, isolation: .repeatableRead) { connection in
                    var last: LocalDate
                    if let month { last = month } else { last = try await ReportStore.today(in: caller.branchID, connection) }
                    last = last.firstOfMonth()
                    let first = last.firstOfMonth(adding: 1 - count)
                    let heldTo = try await Self.departmentsHeldTo(caller, departmentID: departmentID, connection)
                    var only = branchID
                    if let departmentID {
                        guard let home = heldTo.first(where: { $0.value == departmentID })?.key, branchID == nil || branchID == home else {
                            throw StoreError.notFound
                        }
                        only = home
                    }
                    let figures = try await connection.query(counted ? """
                        SELECT reports.kpi_figures_counted(\(first.description)::date, \(last.description)::date, \(only)::uuid)
                        """ : """
                        SELECT reports.kpi_figures(\(first.description)::date, \(last.description)::date, \(grouping.rawValue),
                                                   \(only)::uuid, \(departmentID)::uuid)
                        """)[0].decode(PGJSON<[KPIFigure]>.self, at: 0).value
                    let covered = caller.scope.branchIDs.filter { only == nil || $0 == only }.sorted { $0.uuidString < $1.uuidString }
                    let branches = try await connection.query("""
                        SELECT id, name FROM branches WHERE id = ANY (\(covered)) ORDER BY name, id
                        """).map { (id: try $0.decode(UUID.self, at: 0), name: try $0.decode(String.self, at: 1)) }
                    let targets = try await connection.query("""
                        SELECT \(unescaped: Self.columns) FROM kpi_targets
                         WHERE branch_id = ANY (\(covered)) AND effective_from <= \(last.description)::date
                        """).map(Self.target)
                    return KPIReport.assemble(month: last, months: count, grouping: grouping, branchID: branchID, departmentID: departmentID,
                                              branches: branches, heldTo: heldTo, figures: figures, targets: KPITargetBook(targets))
                }
            }
        }
    }

    /// The department whose targets each branch's rows other than departments' are held to: the
    /// one `departmentID` names, in its branch; else, in each branch where the caller sees only
    /// their own departments' complaints and has one department, that department.
    static func departmentsHeldTo(_ caller: Caller, departmentID: UUID?, _ connection: PGConnection) async throws -> [UUID: UUID] {
        let scope = caller.scope
        let asked = departmentID.map { [$0] } ?? scope.departmentIDs.sorted { $0.uuidString < $1.uuidString }
        guard !asked.isEmpty else { return [:] }
        let branches = scope.branchIDs.sorted { $0.uuidString < $1.uuidString }
        let owned = try await connection.query("""
            SELECT branch_id, id FROM departments WHERE id = ANY (\(asked)) AND branch_id = ANY (\(branches))
            """).map { (branch: try $0.decode(UUID.self, at: 0), department: try $0.decode(UUID.self, at: 1)) }
        if departmentID != nil {
            // A department-scoped caller asks only for their own departments' figures (ReportQuery.authorize).
            return Dictionary(owned.map { ($0.branch, $0.department) }, uniquingKeysWith: { first, _ in first })
        }
        return Dictionary(grouping: owned, by: \.branch).compactMapValues { departments in
            departments.count == 1 && !scope.caseBranchIDs.contains(departments[0].branch) ? departments[0].department : nil
        }
    }

    static let columns = "id, branch_id, department_id, measure, target::float8, effective_from::text, set_by, set_at"

    static func target(_ row: PGRow) throws -> KPITarget {
        guard let measure = KPIMeasure(rawValue: try row.decode(String.self, at: 3)),
              let from = LocalDate(try row.decode(String.self, at: 5)) else { throw StoreError.notFound }
        return KPITarget(id: try row.decode(at: 0), branchID: try row.decode(at: 1), departmentID: try row.decode(at: 2), measure: measure,
                         target: try row.decode(at: 4), from: from, setBy: try row.decode(at: 6), setAt: try row.decode(at: 7))
    }
}
