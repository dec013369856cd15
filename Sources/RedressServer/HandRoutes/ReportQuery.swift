import Foundation
import Hummingbird
import RedressCore
import RedressStore

/// Reads a report's query parameters, naming any bad one: the period (`period` = day, week, month
/// or quarter with an optional `date`, default today; or `from` and `to`), `groupBy`, and the
/// filters `branchId`, `departmentId`, `category`, `channel` and `level`.
struct ReportQuery {
    var period: ReportPeriodChoice
    var grouping: ReportGrouping
    var filter: ReportFilter

    /// The roles that may see per-person performance (`groupBy=responsible`).
    static let performanceRoles: Set<Role> = [.departmentHead, .branchManager, .executive, .auditor]
    /// The roles that may run reports: those that read complaints.
    static let readerRoles: Set<Role> = Role.caseWide.union(Role.departmentScoped)

    /// Reads the query string of `request`; `fixed` is the only grouping the endpoint allows.
    init(_ request: Request, grouping fixed: ReportGrouping? = nil) throws {
        let query = request.uri.queryParameters
        try self.init(parameters: { query[Substring($0)].map(String.init) }, grouping: fixed)
    }

    /// Reads the parameters `text` gives by name.
    init(parameters text: (String) -> String?, grouping fixed: ReportGrouping? = nil) throws {
        var rules = FieldRules()
        func date(_ name: String) -> LocalDate? {
            guard let value = text(name) else { return nil }
            guard let date = LocalDate(value) else {
                rules.fail(name, "must be a date as YYYY-MM-DD")
                return nil
            }
            return date
        }
        let kind = text("period").flatMap { value -> ReportPeriod.Kind? in
            guard let kind = ReportPeriod.Kind(rawValue: value) else {
                rules.fail("period", "must be one of " + ReportPeriod.Kind.allCases.map(\.rawValue).joined(separator: ", "))
                return nil
            }
            return kind
        }
        let anchor = date("date"), from = date("from"), to = date("to")
        period = .containing(.month, nil)
        if text("from") != nil || text("to") != nil || kind == .custom {
            if let from, let to {
                if let range = ReportPeriod(from: from, to: to) {
                    period = .range(range)
                } else {
                    rules.fail("to", "must be on or after from, at most \(ReportPeriod.longestCustomDays) days later")
                }
            } else if text("from") == nil || text("to") == nil {
                rules.fail(text("from") == nil ? "from" : "to", "a custom period needs both from and to")
            }
            if anchor != nil { rules.fail("date", "is not used with from and to") }
            if let kind, kind != .custom { rules.fail("period", "must be custom, or left out, with from and to") }
        } else {
            period = .containing(kind ?? .month, anchor)
        }
        grouping = fixed ?? .none
        if let value = text("groupBy") {
            if let parsed = ReportGrouping(rawValue: value), fixed == nil || parsed == fixed {
                grouping = parsed
            } else {
                rules.fail("groupBy", fixed.map { "must be \($0.rawValue) here" }
                           ?? "must be one of " + ReportGrouping.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        filter = ReportFilter()
        for (name, keyPath) in [("branchId", \ReportFilter.branchId), ("departmentId", \ReportFilter.departmentId)] {
            guard let value = text(name) else { continue }
            if let id = UUID(uuidString: value) { filter[keyPath: keyPath] = id } else { rules.fail(name, "must be a UUID") }
        }
        if let category = text("category") {
            if category.range(of: "^[a-z0-9][a-z0-9_.-]{0,63}$", options: .regularExpression) != nil {
                filter.category = category
            } else {
                rules.fail("category", "must be a category code such as billing")
            }
        }
        if let channel = text("channel") {
            rules.oneOf(channel, ComplaintVocabulary.channels, "channel")
            filter.channel = channel
        }
        if let level = text("level") {
            if let value = Int(level), (1...3).contains(value) { filter.level = value } else { rules.fail("level", "must be 1, 2 or 3") }
        }
        if !rules.errors.isEmpty { throw Problem.invalidRequest(rules.errors) }
    }

    /// Refuses what the caller may not ask for: per-person figures below department head (403),
    /// and a branch or department outside the caller's scope (404, as if it did not exist).
    func authorize(_ caller: Caller) throws {
        try Self.authorize(caller, perPerson: grouping == .responsible, filter: filter)
    }

    /// The same refusals for any report: `perPerson` when it gives each responsible person's figures.
    static func authorize(_ caller: Caller, perPerson: Bool, filter: ReportFilter) throws {
        guard !caller.roles.isDisjoint(with: Self.readerRoles) else { throw Problem.forbidden(needing: .branchManager) }
        if perPerson, caller.roles.isDisjoint(with: Self.performanceRoles) {
            throw Problem.forbidden(needing: .departmentHead)
        }
        let scope = caller.scope
        if let branch = filter.branchId, !scope.branchIDs.contains(branch) {
            throw Problem.notFound("No branch with this id is in your scope.")
        }
        if let department = filter.departmentId, scope.caseBranchIDs.isEmpty, !scope.departmentIDs.contains(department) {
            throw Problem.notFound("No department with this id is in your scope.")
        }
    }
}

/// An export's format: `format` = csv (default) or json, and `bom=true` for a UTF-8 byte order
/// mark before CSV (for spreadsheet programs).
struct ExportFormat {
    var csv: Bool
    var byteOrderMark: Bool

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        var rules = FieldRules()
        let format = query["format"].map(String.init) ?? "csv"
        rules.oneOf(format, ["csv", "json"], "format")
        csv = format == "csv"
        byteOrderMark = false
        if let bom = query["bom"].map(String.init) {
            if bom == "true" || bom == "false" { byteOrderMark = bom == "true" } else { rules.fail("bom", "must be true or false") }
            if !csv { rules.fail("bom", "applies to CSV only") }
        }
        if !rules.errors.isEmpty { throw Problem.invalidRequest(rules.errors) }
    }

    var name: String { csv ? "csv" : "json" }

    /// The response carrying `bytes` as a download named `filename` (without extension).
    func response(_ bytes: [UInt8], filename: String) -> Response {
        Response(status: .ok,
                 headers: [.contentType: csv ? "text/csv; charset=utf-8" : "application/json",
                           .contentDisposition: "attachment; filename=\"\(filename).\(name)\"", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
