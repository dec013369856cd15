import Foundation
import Postgres
import RedressCore

/// Departments of the caller's branches. Changes need the admin role (enforced by RLS).
public struct DepartmentStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    static let columns = "branch_id, id, name, kind, head_user_id, created_at, updated_at, active"

    /// Departments visible to `scope`, ordered by name.
    public func list(_ scope: AccessScope, branchID: UUID? = nil, page: PageRequest) async throws -> Page<Department> {
        try await database.withScope(scope, readOnly: true) { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.columns) FROM departments
                 WHERE (\(branchID)::uuid IS NULL OR branch_id = \(branchID))
                   AND (\(page.after == nil) OR (name, id) > (\(page.after?.key ?? ""), \(page.after?.id ?? PageCursor.origin)))
                 ORDER BY name, id LIMIT \(page.limit + 1)
                """)
            return page.page(from: try rows.map(Self.department), key: \.name, id: \.id)
        }
    }

    /// One department, if `scope` may see it.
    public func get(_ scope: AccessScope, id: UUID) async throws -> Department {
        try await database.withScope(scope, readOnly: true) { connection in
            let rows = try await connection.query("SELECT \(unescaped: Self.columns) FROM departments WHERE id = \(id)")
            guard let row = rows.first else { throw StoreError.notFound }
            return try Self.department(row)
        }
    }

    /// Creates a department in `branchID`.
    public func create(
        _ scope: AccessScope, branchID: UUID, name: String, kind: DepartmentKind, headUserID: UUID?
    ) async throws -> Department {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let rows = try await connection.query("""
                    INSERT INTO departments (branch_id, name, kind, head_user_id)
                    VALUES (\(branchID), \(name), \(kind.rawValue), \(headUserID))
                    RETURNING \(unescaped: Self.columns)
                    """)
                return try Self.department(rows[0])
            }
        }
    }

    /// Changes the given fields of a department (`active: false` stops it taking complaints);
    /// `.notFound` when the caller cannot change it.
    public func update(
        _ scope: AccessScope, id: UUID, name: FieldUpdate<String>, kind: FieldUpdate<DepartmentKind>,
        headUserID: FieldUpdate<UUID?>, active: FieldUpdate<Bool> = .unchanged
    ) async throws -> Department {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let rows = try await connection.query("""
                    UPDATE departments
                       SET name = coalesce(\(name.newValue), name),
                           kind = coalesce(\(kind.newValue?.rawValue), kind),
                           head_user_id = CASE WHEN \(headUserID.isSet) THEN \(headUserID.newValue ?? nil) ELSE head_user_id END,
                           active = coalesce(\(active.newValue), active),
                           updated_at = now()
                     WHERE id = \(id)
                    RETURNING \(unescaped: Self.columns)
                    """)
                guard let row = rows.first else { throw StoreError.notFound }
                return try Self.department(row)
            }
        }
    }

    /// Deletes a department; its members leave it.
    public func delete(_ scope: AccessScope, id: UUID) async throws {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let deleted = try await connection.execute("DELETE FROM departments WHERE id = \(id)")
                if deleted == 0 { throw StoreError.notFound }
            }
        }
    }

    static func department(_ row: PGRow) throws -> Department {
        Department(
            id: try row.decode(at: 1), branchId: try row.decode(at: 0), name: try row.decode(at: 2),
            kind: DepartmentKind(rawValue: try row.decode(at: 3)) ?? .other,
            headUserId: try row.decode(at: 4), active: try row.decode(at: 7), createdAt: try row.decode(at: 5), updatedAt: try row.decode(at: 6))
    }
}
