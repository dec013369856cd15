import Foundation
import Postgres
import RedressCore

/// A branch's customer base in one month (`sql/0065_customer_bases.sql`).
public struct CustomerBase: Sendable, Equatable {
    public var branchID: UUID
    /// The month's first day.
    public var month: LocalDate
    public var customers: Int
    public var recordedBy: UUID
    public var recordedAt: Date
}

/// The customer bases the complaint rate is reckoned against: entered month by month by a
/// branch's admins, read by everyone of the branches they concern.
public struct CustomerBaseStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// Enters or corrects the caller's own branch's base for the month of `month` (`.forbidden`
    /// unless the caller is an admin).
    public func record(_ caller: Caller, month: LocalDate, customers: Int) async throws -> CustomerBase {
        guard caller.roles.contains(.admin) else { throw StoreError.forbidden }
        let first = LocalDate(month.year, month.month, 1)
        return try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                try await connection.query("""
                    INSERT INTO customer_bases (branch_id, month, customers, recorded_by)
                    VALUES (\(caller.branchID), \(first.description)::date, \(Int64(customers)), \(caller.userID))
                    ON CONFLICT (branch_id, month) DO UPDATE
                       SET customers = excluded.customers, recorded_by = excluded.recorded_by, recorded_at = now()
                    RETURNING branch_id, month::text, customers, recorded_by, recorded_at
                    """).map(Self.base)[0]
            }
        }
    }

    /// The bases of the caller's branches (or of `branchID`), newest month first (at most 500).
    public func list(_ caller: Caller, branchID: UUID?) async throws -> [CustomerBase] {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            try await connection.query("""
                SELECT branch_id, month::text, customers, recorded_by, recorded_at FROM customer_bases
                 WHERE branch_id = ANY (\(caller.scope.branchIDs.sorted { $0.uuidString < $1.uuidString }))
                   AND (\(branchID)::uuid IS NULL OR branch_id = \(branchID))
                 ORDER BY month DESC, branch_id
                 LIMIT 500
                """).map(Self.base)
        }
    }

    static func base(_ row: PGRow) throws -> CustomerBase {
        guard let month = LocalDate(try row.decode(String.self, at: 1)) else { throw StoreError.notFound }
        return CustomerBase(branchID: try row.decode(at: 0), month: month, customers: try row.decode(at: 2), recordedBy: try row.decode(at: 3),
                            recordedAt: try row.decode(at: 4))
    }
}
