import Foundation
import Postgres
import RedressCore

/// One complaint in an export: what a spreadsheet needs, without the customer's personal data.
public struct ComplaintExportRow: Sendable, Codable, Equatable {
    public var caseNumber: String
    public var receivedAt: Date
    public var channel: String
    public var source: String
    public var customerType: String
    public var category: String?
    public var level: Int?
    public var nature: String
    public var priority: String
    public var status: ComplaintStatus
    public var department: String?
    public var responsibleUserId: UUID?
    public var dueAt: Date?
    public var closedAt: Date?
    public var reopenCount: Int
    public var satisfaction: Int?
}

extension ReportStore {
    /// The most complaints one export may hold.
    public static let exportLimit = 100_000

    /// The complaints of the list `filter` selects (in the list's order), as export rows, read on
    /// the read replica while its lag is within bounds; then, on the primary and before they are
    /// handed over, an export entry in the audit trail of each branch covered (and the phone
    /// lookup, when the filter has a number). Nil when more than ``exportLimit`` match (nothing
    /// is exported; a phone lookup is still recorded).
    public func exportComplaints(_ caller: Caller, _ filter: ComplaintFilter, format: String) async throws -> [ComplaintExportRow]? {
        try PhoneSearchAudit.authorize(caller, filter)
        let phoneIndex = database.configuration.vault.phoneIndex(filter.phone)
        return try await StoreError.translating {
            let (matches, exported) = try await database.readingStale { reading in
                try await reading.withScope(caller.scope, readOnly: true) { connection in
                    try await Self.exportRows(caller, filter, phoneIndex: phoneIndex, connection)
                }
            }
            try await database.withScope(caller.scope) { connection in
                if filter.phone != nil {
                    try await PhoneSearchAudit.record(connection, caller, index: phoneIndex ?? Data(), matches: matches, via: "export")
                }
                guard let exported else { return }
                let details = ["export": "complaints", "format": format, "rows": String(exported.count)]
                for branch in caller.scope.branchIDs.sorted(by: { $0.uuidString < $1.uuidString }) {
                    try await AuditStore.recordAccess(connection, branchID: branch, action: "export", entity: "complaints", entityID: nil,
                                                      details: details)
                }
            }
            return exported
        }
    }

    /// How many complaints the list `filter` selects, and their export rows unless there are more
    /// than ``exportLimit``.
    static func exportRows(_ caller: Caller, _ filter: ComplaintFilter, phoneIndex: Data?,
                           _ connection: PGConnection) async throws -> (matches: Int, rows: [ComplaintExportRow]?) {
        let rows = try await connection.query(ComplaintStore.listQuery(caller, filter, phoneIndex: phoneIndex,
                                                                         page: PageRequest(limit: Self.exportLimit)))
        guard rows.count <= Self.exportLimit else { return (rows.count, nil) }
        let names = try await Self.names(connection)
        return (rows.count, try rows.map { row -> ComplaintExportRow in
            let complaint = try ComplaintColumns.complaint(row)
            return ComplaintExportRow(
                caseNumber: complaint.caseNumber, receivedAt: complaint.receivedAt, channel: complaint.channel,
                source: complaint.source, customerType: complaint.complainant.customerType,
                category: complaint.categoryId.flatMap { names[$0] }, level: complaint.level, nature: complaint.nature,
                priority: complaint.priority, status: complaint.status, department: complaint.departmentId.flatMap { names[$0] },
                responsibleUserId: complaint.responsibleUserId, dueAt: complaint.dueAt, closedAt: complaint.closedAt,
                reopenCount: complaint.reopenCount, satisfaction: complaint.satisfaction)
        })
    }

    /// Department and category names by id, for the caller's branches.
    static func names(_ connection: PGConnection) async throws -> [UUID: String] {
        let rows = try await connection.query("SELECT id, name FROM departments UNION ALL SELECT id, name FROM categories")
        return Dictionary(try rows.map { (try $0.decode(UUID.self, at: 0), try $0.decode(String.self, at: 1)) }, uniquingKeysWith: { a, _ in a })
    }
}
