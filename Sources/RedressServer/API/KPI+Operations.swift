import Foundation
import RedressCore
import RedressStore

/// KPI targets, set by a branch's managers and admins, and the report of their attainment month
/// by month (department heads and above for per-person rows).
extension APIHandlers {
    func listKPITargets(_ input: Operations.ListKPITargets.Input) async throws -> Operations.ListKPITargets.Output {
        let caller = try AuthenticatedCaller.required()
        let branchID = try Wire.id(input.query.branchId, "branchId")
        if let branchID, !caller.scope.branchIDs.contains(branchID) { throw Problem.notFound("No branch with this id is in your scope.") }
        let targets = try await kpis.targets(caller, branchID: branchID, departmentID: try Wire.id(input.query.departmentId, "departmentId"))
        return .ok(.init(body: .json(.init(items: targets.map(Components.Schemas.KPITarget.init)))))
    }

    func setKPITarget(_ input: Operations.SetKPITarget.Input) async throws -> Operations.SetKPITarget.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: KPIStore.targetSetters) else { throw Problem.forbidden(needing: .branchManager) }
        guard case .json(let body) = input.body else { throw Problem.unsupportedMediaType }
        let (month, measure) = try Self.targetPath(input.path.month, input.path.measure)
        let target = try await kpis.set(caller, month: month, measure: measure,
                                        departmentID: try Wire.id(input.query.departmentId, "departmentId"), target: body.target)
        return .ok(.init(body: .json(.init(target))))
    }

    func removeKPITarget(_ input: Operations.RemoveKPITarget.Input) async throws -> Operations.RemoveKPITarget.Output {
        let caller = try AuthenticatedCaller.required()
        guard !caller.roles.isDisjoint(with: KPIStore.targetSetters) else { throw Problem.forbidden(needing: .branchManager) }
        let (month, measure) = try Self.targetPath(input.path.month, input.path.measure)
        do {
            try await kpis.remove(caller, month: month, measure: measure, departmentID: try Wire.id(input.query.departmentId, "departmentId"))
        } catch StoreError.notFound {
            throw Problem.notFound("No target of this measure is set from this month.")
        }
        return .noContent(.init())
    }

    func getKPIReport(_ input: Operations.GetKPIReport.Input) async throws -> Operations.GetKPIReport.Output {
        let caller = try AuthenticatedCaller.required()
        let query = input.query
        var month: LocalDate?
        if let text = query.month {
            guard let parsed = LocalDate(text + "-01") else {
                throw Problem.validationFailed([.init(field: "month", message: "must be a month such as 2026-11")])
            }
            month = parsed
        }
        let months = query.months ?? 12
        guard (1...KPIStore.longestTrend).contains(months) else {
            throw Problem.validationFailed([.init(field: "months", message: "must be from 1 to \(KPIStore.longestTrend)")])
        }
        let grouping = KPIGrouping(rawValue: query.groupBy?.rawValue ?? "none") ?? .none
        let filter = ReportFilter(branchId: try Wire.id(query.branchId, "branchId"), departmentId: try Wire.id(query.departmentId, "departmentId"))
        try ReportQuery.authorize(caller, perPerson: grouping == .responsible, filter: filter)
        let report: RedressStore.KPIReport
        do {
            report = try await kpis.report(caller, month: month, months: months, grouping: grouping, branchID: filter.branchId,
                                           departmentID: filter.departmentId)
        } catch StoreError.notFound {
            throw Problem.notFound("No department with this id is in your scope, or not in the branch asked for.")
        }
        return .ok(.init(body: .json(.init(report))))
    }

    /// The month and measure a target's path names.
    static func targetPath(_ month: String, _ measure: Components.Schemas.KPIMeasure) throws -> (LocalDate, KPIMeasure) {
        guard let first = LocalDate(month + "-01") else {
            throw Problem.validationFailed([.init(field: "month", message: "must be a month such as 2026-11")])
        }
        guard let known = KPIMeasure(rawValue: measure.rawValue) else {
            throw Problem.validationFailed([.init(field: "measure", message: "is not a measure")])
        }
        return (first, known)
    }
}

extension Components.Schemas.KPITarget {
    /// A target as the API shows it.
    init(_ target: RedressCore.KPITarget) {
        self.init(id: Wire.id(target.id), branchId: Wire.id(target.branchID), departmentId: target.departmentID.map(Wire.id),
                  measure: .init(rawValue: target.measure.rawValue)!, target: target.target, from: String(target.from.description.prefix(7)),
                  setBy: Wire.id(target.setBy), setAt: target.setAt)
    }
}

extension Components.Schemas.KPIReport {
    /// A KPI report as the API shows it.
    init(_ report: RedressStore.KPIReport) {
        func month(_ day: LocalDate) -> String { String(day.description.prefix(7)) }
        self.init(month: month(report.month), months: report.months, groupBy: .init(rawValue: report.grouping.rawValue)!,
                  branchId: report.branchID.map(Wire.id), departmentId: report.departmentID.map(Wire.id),
                  rows: report.rows.map { row in
            .init(branchId: Wire.id(row.branchID), total: row.total, branchName: row.branchName, key: row.key, label: row.label,
                  months: row.months.map { entry in
                .init(month: month(entry.month), received: entry.received, measures: entry.measures.map { attainment in
                    .init(measure: .init(rawValue: attainment.measure.rawValue)!, target: attainment.target, actual: attainment.actual,
                          met: attainment.met, basis: attainment.basis)
                }, met: entry.met, missed: entry.missed)
            })
        })
    }
}
