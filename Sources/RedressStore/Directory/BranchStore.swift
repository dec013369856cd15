import Foundation
import Postgres
import RedressCore

/// The branches a caller acts in. Branches are created by operators (`redress demo`, or the
/// owner's `public.create_branch`); admins may rename their own and change its region and time zone.
public struct BranchStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    static let columns = "id, code, name, region, time_zone, created_at, updated_at"

    /// Every branch visible to `scope`, ordered by code.
    public func list(_ scope: AccessScope) async throws -> [Branch] {
        try await database.withScope(scope, readOnly: true) { connection in
            try await connection.query("SELECT \(unescaped: Self.columns) FROM branches ORDER BY code").map(Self.branch)
        }
    }

    /// One branch, if `scope` may see it.
    public func get(_ scope: AccessScope, id: UUID) async throws -> Branch {
        try await database.withScope(scope, readOnly: true) { connection in
            let rows = try await connection.query("SELECT \(unescaped: Self.columns) FROM branches WHERE id = \(id)")
            guard let row = rows.first else { throw StoreError.notFound }
            return try Self.branch(row)
        }
    }

    /// Changes a branch's name, region or time zone; `.notFound` unless the caller administers it.
    /// `public.change_branch` makes the change, its audit entry and, for a new time zone, the
    /// recomputation of open deadlines; it is the transaction's only statement.
    public func update(
        _ scope: AccessScope, id: UUID, name: FieldUpdate<String>, region: FieldUpdate<String>,
        timeZone: FieldUpdate<String>
    ) async throws -> Branch {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let rows = try await connection.query("""
                    SELECT \(unescaped: Self.columns)
                      FROM public.change_branch(\(id), \(name.newValue), \(region.newValue), \(timeZone.newValue))
                    """)
                guard let row = rows.first else { throw StoreError.notFound }
                return try Self.branch(row)
            }
        }
    }

    static func branch(_ row: PGRow) throws -> Branch {
        Branch(
            id: try row.decode(at: 0), code: try row.decode(at: 1), name: try row.decode(at: 2),
            region: try row.decode(at: 3), timeZone: try row.decode(at: 4),
            createdAt: try row.decode(at: 5), updatedAt: try row.decode(at: 6))
    }
}
