import Foundation
import Postgres
import RedressCore

/// A branch's categories and routing rules. Everyone in the branch reads them; admins change them
/// (enforced by RLS).
public struct RoutingRuleStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// A routing rule as the API shows it.
    public struct Rule: Sendable, Codable, Equatable {
        public var id: UUID
        public var branchId: UUID
        public var position: Int
        public var categoryId: UUID
        public var channel: String?
        public var level: Int?
        public var product: String?
        public var departmentId: UUID
    }

    static let columns = "id, branch_id, position, category_id, channel, level, product, department_id"

    /// Every rule visible to `scope`, in the order they are tried.
    public func list(_ scope: AccessScope) async throws -> [Rule] {
        try await database.withScope(scope, readOnly: true) { connection in
            try await connection.query("SELECT \(unescaped: Self.columns) FROM routing_rules ORDER BY branch_id, position, id")
                .map(Self.rule)
        }
    }

    /// Adds a rule to `branchID`.
    public func create(_ scope: AccessScope, branchID: UUID, position: Int, categoryID: UUID, channel: String?,
                       level: Int?, product: String?, departmentID: UUID) async throws -> Rule {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                try Self.rule(try await connection.query("""
                    INSERT INTO routing_rules (branch_id, position, category_id, channel, level, product, department_id)
                    VALUES (\(branchID), \(Int32(position)), \(categoryID), \(channel), \(level.map(Int16.init))::smallint,
                            \(product), \(departmentID))
                    RETURNING \(unescaped: Self.columns)
                    """)[0])
            }
        }
    }

    /// Deletes a rule.
    public func delete(_ scope: AccessScope, id: UUID) async throws {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                if try await connection.execute("DELETE FROM routing_rules WHERE id = \(id)") == 0 { throw StoreError.notFound }
            }
        }
    }

    /// Adds a category to `branchID`, optionally under a parent.
    public func createCategory(_ scope: AccessScope, branchID: UUID, code: String, name: String, parentID: UUID?) async throws -> Category {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                try CategoryStore.category(try await connection.query("""
                    INSERT INTO categories (branch_id, code, name, parent_id) VALUES (\(branchID), \(code), \(name), \(parentID))
                    RETURNING id, branch_id, parent_id, code, name, active
                    """)[0])
            }
        }
    }

    /// Renames, re-parents or (de)activates a category.
    public func updateCategory(_ scope: AccessScope, id: UUID, name: FieldUpdate<String>, active: FieldUpdate<Bool>) async throws -> Category {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let rows = try await connection.query("""
                    UPDATE categories SET name = coalesce(\(name.newValue), name), active = coalesce(\(active.newValue), active)
                     WHERE id = \(id) RETURNING id, branch_id, parent_id, code, name, active
                    """)
                guard let row = rows.first else { throw StoreError.notFound }
                return try CategoryStore.category(row)
            }
        }
    }

    static func rule(_ row: PGRow) throws -> Rule {
        Rule(id: try row.decode(at: 0), branchId: try row.decode(at: 1), position: try row.decode(at: 2),
             categoryId: try row.decode(at: 3), channel: try row.decode(at: 4), level: try row.decode(Int16?.self, at: 5).map(Int.init),
             product: try row.decode(at: 6), departmentId: try row.decode(at: 7))
    }
}
