import Foundation
import Postgres
import RedressCore

/// A complaint category of a branch.
public struct Category: Sendable, Codable, Equatable {
    public var id: UUID
    public var branchId: UUID
    public var parentId: UUID?
    public var code: String
    public var name: String
    public var active: Bool
}

/// The category trees of the caller's branches.
public struct CategoryStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// Every category visible to `scope`, by branch and code.
    public func list(_ scope: AccessScope) async throws -> [Category] {
        try await database.withScope(scope, readOnly: true) { connection in
            try await connection.query("""
                SELECT id, branch_id, parent_id, code, name, active FROM categories ORDER BY branch_id, code
                """).map(Self.category)
        }
    }

    static func category(_ row: PGRow) throws -> Category {
        Category(id: try row.decode(at: 0), branchId: try row.decode(at: 1), parentId: try row.decode(at: 2),
                 code: try row.decode(at: 3), name: try row.decode(at: 4), active: try row.decode(at: 5))
    }
}
