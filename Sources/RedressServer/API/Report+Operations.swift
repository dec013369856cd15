import RedressCore
import RedressStore

/// Reports: figures by period and group, and each responsible person's performance (department
/// heads and above). The downloads of reports and complaint lists (`/v1/exports/…`) are routed
/// by hand (`HandRoutes/ReportRoutes.swift`): they answer CSV or JSON by the `format` parameter, not by
/// `Accept`, which the generated protocol would hold them to.
extension APIHandlers {
    func getComplaintReport(_ input: Operations.GetComplaintReport.Input) async throws -> Operations.GetComplaintReport.Output {
        let caller = try AuthenticatedCaller.required()
        let query = try ReportQuery(input.query)
        try query.authorize(caller)
        let report = try await reports.complaints(caller, period: query.period, groupBy: query.grouping, filter: query.filter)
        return .ok(.init(body: .json(try .init(report))))
    }

    func getHandlerReport(_ input: Operations.GetHandlerReport.Input) async throws -> Operations.GetHandlerReport.Output {
        let caller = try AuthenticatedCaller.required()
        let query = try ReportQuery(input.query, grouping: .responsible)
        try query.authorize(caller)
        let report = try await reports.complaints(caller, period: query.period, groupBy: .responsible, filter: query.filter)
        return .ok(.init(body: .json(try .init(report))))
    }
}

/// The query parameters of the report operations, as the generated operations decode them.
protocol ReportParameters {
    var period: Components.Parameters.Period? { get }
    var date: String? { get }
    var from: String? { get }
    var to: String? { get }
    var branchId: String? { get }
    var departmentId: String? { get }
    var category: String? { get }
    var channel: Components.Parameters.Channel? { get }
    var level: Int? { get }
    /// `groupBy` as sent.
    var grouping: String? { get }
}

extension Operations.GetComplaintReport.Input.Query: ReportParameters {
    var grouping: String? { groupBy?.rawValue }
}

extension Operations.GetHandlerReport.Input.Query: ReportParameters {
    var grouping: String? { groupBy?.rawValue }
}

extension ReportQuery {
    /// Reads the parameters of a report operation (which the contract has checked already), with
    /// the rules that tie them together: a custom period needs both ends, in order and not too far
    /// apart, and no `date`; `fixed` is the only grouping the operation allows.
    init(_ given: some ReportParameters, grouping fixed: ReportGrouping? = nil) throws {
        let parameters: [String: String?] = [
            "period": given.period?.rawValue, "date": given.date, "from": given.from, "to": given.to, "branchId": given.branchId,
            "departmentId": given.departmentId, "category": given.category, "channel": given.channel?.rawValue,
            "level": given.level.map { String($0) }, "groupBy": given.grouping,
        ]
        try self.init(parameters: { parameters[$0] ?? nil }, grouping: fixed)
    }
}
