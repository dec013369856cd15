import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// The audit-logged downloads `GET /v1/exports/report` and `GET /v1/exports/complaints` (CSV or
/// JSON, as `format` asks, whatever `Accept` says), with `POST /v1/exports/complaints/search` for
/// the export of a phone lookup. The reports themselves are operations of the contract
/// (`API/Report+Operations.swift`).
struct ReportRoutes: Sendable {
    let reports: ReportStore
    /// Phone lookups per user, shared with the complaint search.
    let phoneSearches: RateLimiter
    let contract: ContractDocument
    private let exportComplaintsOperation: ContractDocument.Operation
    private let exportComplaintsByPhoneOperation: ContractDocument.Operation
    private let exportReportOperation: ContractDocument.Operation

    /// The routes, their requests held to `contract`'s operations of the same names.
    init(reports: ReportStore, phoneSearches: RateLimiter, contract: ContractDocument) throws(ServerSetupError) {
        self.reports = reports
        self.phoneSearches = phoneSearches
        self.contract = contract
        exportComplaintsOperation = try contract.operation(id: "exportComplaints")
        exportComplaintsByPhoneOperation = try contract.operation(id: "exportComplaintsByPhone")
        exportReportOperation = try contract.operation(id: "exportReport")
    }

    func register(on group: RouterGroup<AuthenticatedRequestContext>) {
        group.get("exports/report") { request, context -> Response in try await exportReport(request, caller: context.caller) }
        group.get("exports/complaints") { request, context -> Response in
            let caller = context.caller
            _ = try await contract.check(exportComplaintsOperation, request)
            guard !caller.roles.isDisjoint(with: ReportQuery.readerRoles) else { throw Problem.forbidden(needing: .agent) }
            return try await exportComplaints(caller, filter: try ComplaintQuery.filter(request), request)
        }
        group.post("exports/complaints/search") { request, context -> Response in
            let caller = context.caller
            guard !caller.roles.isDisjoint(with: ReportQuery.readerRoles) else { throw Problem.forbidden(needing: .agent) }
            let body = try await contract.check(exportComplaintsByPhoneOperation, request)
            guard case .object(let fields)? = body, case .string(let phone)? = fields["phone"] else {
                throw Problem.invalidRequest([.init(field: "/phone", message: "is required")])
            }
            let format = try ExportFormat(request)
            let filter = try ComplaintQuery.phoneFilter(request, phone: phone, caller, limiter: phoneSearches)
            return try await exportComplaints(caller, filter: filter, request, format: format)
        }
    }

    /// The report `request`'s query asks for, as a download (the console's export button too).
    func exportReport(_ request: Request, caller: Caller) async throws -> Response {
        _ = try await contract.check(exportReportOperation, request)
        let query = try ReportQuery(request)
        let format = try ExportFormat(request)
        try query.authorize(caller)
        let report = try await reports.exportComplaints(caller, period: query.period, groupBy: query.grouping, filter: query.filter,
                                                        format: format.name)
        let name = "complaints-report-\(report.period.from)-\(report.period.to)"
        if format.csv { return format.response(ReportCSV.table(report).encoded(byteOrderMark: format.byteOrderMark), filename: name) }
        return format.response(Array(try JSONResponse.encoder.encode(try Components.Schemas.ComplaintReport(report))), filename: name)
    }

    private func exportComplaints(_ caller: Caller, filter: ComplaintFilter, _ request: Request,
                                  format: ExportFormat? = nil) async throws -> Response {
        let format = try format ?? ExportFormat(request)
        guard let rows = try await reports.exportComplaints(caller, filter, format: format.name) else {
            throw Problem.validationFailed([.init(field: "receivedFrom",
                                                  message: "more than \(ReportStore.exportLimit) complaints match; narrow the filters")])
        }
        if format.csv { return format.response(ReportCSV.table(rows).encoded(byteOrderMark: format.byteOrderMark), filename: "complaints") }
        let written = try rows.map(Components.Schemas.ComplaintExportRow.init)
        return format.response(Array(try JSONResponse.encoder.encode(written)), filename: "complaints")
    }
}
