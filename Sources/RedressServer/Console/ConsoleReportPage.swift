import Foundation
import Hummingbird
import RedressCore

/// The monthly report for branch managers, executives and auditors: the API's complaint report
/// for the month chosen, drawn as charts (twelve months' trend, by department, by category,
/// on-time rate per milestone against the target, satisfaction), with the same figures in tables
/// and the export buttons of `GET /v1/exports/report`.
struct ConsoleReportPage: Sendable {
    let api: ConsoleAPI
    let renderer: ConsoleRenderer
    let exports: ReportRoutes
    /// The on-time rate the chart measures each milestone against.
    let onTimeTarget: Double

    func register(on pages: RouterGroup<RedressRequestContext>) {
        pages.get("reports") { request, _ -> Response in
            try await page(month: request.uri.queryParameters["month"].map(String.init))
        }
        pages.get("reports/export") { request, _ -> Response in
            let visit = try ConsoleVisit.required()
            guard visit.readsReports else { throw Problem.notFound() }
            return try await exports.exportReport(request, caller: visit.caller)
        }
    }

    private func page(month requested: String?) async throws -> Response {
        let visit = try ConsoleVisit.required()
        guard visit.readsReports else { throw Problem.notFound() }
        let t = MessageCatalogue.shared.table(for: visit.language)
        let months = Self.months(ending: Self.month(requested) ?? Self.currentMonth())
        let month = months.last!
        let date = "\(month)-01"
        async let departments = api.call(.get, "/v1/reports/complaints", query: [("period", "month"), ("date", date), ("groupBy", "department")])
        async let categories = api.call(.get, "/v1/reports/complaints", query: [("period", "month"), ("date", date), ("groupBy", "category")])
        // The twelve months' totals, three at a time: a report reader takes at most three connections.
        let trend = await withTaskGroup(of: (String, Double).self) { group -> [String: Double] in
            var waiting = months[...]
            func next() {
                guard let month = waiting.popFirst() else { return }
                group.addTask {
                    let answer = await api.call(.get, "/v1/reports/complaints", query: [("period", "month"), ("date", "\(month)-01")])
                    let totals = answer.object["totals"] as? [String: Any]
                    let current = totals?["current"] as? [String: Any]
                    return (month, Double(current?["received"] as? Int ?? 0))
                }
            }
            for _ in 0..<3 { next() }
            var figures: [String: Double] = [:]
            for await (month, received) in group {
                figures[month] = received
                next()
            }
            return figures
        }
        let byDepartment = await departments
        if let problem = byDepartment.problem { throw problem }
        let byCategory = await categories
        let totals = (byDepartment.object["totals"] as? [String: Any])?["current"] as? [String: Any] ?? [:]
        let trendData = months.map { SVGChart.Datum(label: String($0.suffix(5)), value: trend[$0] ?? 0) }
        let departmentData = Self.rows(byDepartment.object)
        let categoryData = Self.rows(byCategory.object)
        let milestones = totals["milestones"] as? [String: Any] ?? [:]
        let onTime = ConsoleComplaintPage.milestones.map { name -> SVGChart.Datum in
            let figures = milestones[name] as? [String: Any]
            let rate = figures?["rate"]
            let due = figures?["due"] as? Int ?? 0
            return SVGChart.Datum(label: t["milestone_\(name)"] ?? name, value: (rate as? Double) ?? Double(rate as? Int ?? 0),
                                  text: due == 0 ? t["report_no_deadline_due"] : nil)
        }
        let satisfaction = [("satisfied", "satisfaction_satisfied"), ("basicallySatisfied", "satisfaction_basically"),
                            ("dissatisfied", "satisfaction_dissatisfied")].map {
            SVGChart.Datum(label: t[$0.1] ?? $0.1, value: Double(totals[$0.0] as? Int ?? 0))
        }
        func table(_ data: [SVGChart.Datum], percent: Bool = false) -> [[String: String]] {
            data.map { ["label": $0.label, "value": $0.text ?? SVGChart.value($0.value, percent: percent)] }
        }
        let view: [String: Any] = [
            "title": t["reports_title"] ?? "", "month": month,
            "months": months.reversed().map { ["value": $0, "label": $0, "selected": $0 == month] },
            "totals": totals,
            "charts": [
                ["id": "trend", "heading": t["chart_trend"] ?? "", "svg": SVGChart.columns(title: t["chart_trend"] ?? "", trendData),
                 "rows": table(trendData)],
                ["id": "departments", "heading": t["chart_departments"] ?? "",
                 "svg": SVGChart.bars(title: t["chart_departments"] ?? "", departmentData), "rows": table(departmentData)],
                ["id": "categories", "heading": t["chart_categories"] ?? "",
                 "svg": SVGChart.bars(title: t["chart_categories"] ?? "", categoryData), "rows": table(categoryData)],
                ["id": "on-time", "heading": t["chart_on_time"] ?? "",
                 "svg": SVGChart.bars(title: t["chart_on_time"] ?? "", onTime, maximum: 1, target: onTimeTarget,
                                      targetLabel: t["chart_target"] ?? "", percent: true), "rows": table(onTime, percent: true)],
                ["id": "satisfaction", "heading": t["chart_satisfaction"] ?? "",
                 "svg": SVGChart.bars(title: t["chart_satisfaction"] ?? "", satisfaction), "rows": table(satisfaction)],
            ] as [[String: Any]],
            "exportCSV": "/console/reports/export?period=month&date=\(date)&groupBy=department&format=csv",
            "exportJSON": "/console/reports/export?period=month&date=\(date)&groupBy=department&format=json",
        ]
        return try renderer.page("reports", visit.view("/console/reports", view))
    }

    /// A group's received count per row of a grouped report.
    static func rows(_ report: [String: Any]) -> [SVGChart.Datum] {
        (report["groups"] as? [[String: Any]] ?? []).map { group in
            let current = group["current"] as? [String: Any]
            return SVGChart.Datum(label: group["label"] as? String ?? group["key"] as? String ?? "—",
                                  value: Double(current?["received"] as? Int ?? 0))
        }.sorted { $0.value > $1.value }
    }

    /// `YYYY-MM` of a requested month when well-formed.
    static func month(_ text: String?) -> String? {
        guard let text, text.count == 7, let year = Int(text.prefix(4)), let month = Int(text.suffix(2)),
              text[text.index(text.startIndex, offsetBy: 4)] == "-", (1990...2999).contains(year), (1...12).contains(month) else { return nil }
        return text
    }

    /// This month (UTC) as `YYYY-MM`.
    static func currentMonth() -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        return "\((parts.year ?? 2026).zeroPadded(4))-\((parts.month ?? 1).zeroPadded(2))"
    }

    /// The twelve months ending with `last`, oldest first.
    static func months(ending last: String) -> [String] {
        var year = Int(last.prefix(4)) ?? 2026, month = Int(last.suffix(2)) ?? 1
        var result: [String] = []
        for _ in 0..<12 {
            result.append("\(year.zeroPadded(4))-\(month.zeroPadded(2))")
            month -= 1
            if month == 0 { month = 12; year -= 1 }
        }
        return result.reversed()
    }
}
