import Foundation
import Postgres
import RedressCore

extension ComplaintStore {
    /// A routing rule as intake reads it: the rule, and its department's name and head.
    struct RoutedRule {
        var rule: RoutingRule
        var name: String
        var head: UUID?
    }

    /// The department the branch's routing rules choose, if any.
    func route(branchID: UUID, categoryID: UUID?, channel: String, level: Int?, product: String?,
               _ connection: PGConnection) async throws -> UUID? {
        guard let categoryID else { return nil }
        let rules = try await connection.query(Self.routingRules(branchID: branchID, categoryID: categoryID)).map(Self.routingRule)
        return Routing.department(for: RoutingFacts(categoryID: categoryID, channel: channel, level: level, product: product),
                                  rules: rules.map(\.rule))
    }

    /// The statement reading the branch's rules for a category whose department is active (none
    /// without a category), each a row for ``routingRule(_:)``.
    static func routingRules(branchID: UUID, categoryID: UUID?) -> PGQuery {
        """
            SELECT r.id, r.position, r.category_id, r.channel, r.level, r.product, r.department_id, d.name, d.head_user_id
              FROM routing_rules r JOIN departments d ON d.branch_id = r.branch_id AND d.id = r.department_id AND d.active
             WHERE r.branch_id = \(branchID) AND r.category_id = \(categoryID)
            """
    }

    /// A row of ``routingRules(branchID:categoryID:)``.
    static func routingRule(_ row: PGRow) throws -> RoutedRule {
        RoutedRule(rule: RoutingRule(id: try row.decode(at: 0), position: try row.decode(at: 1), categoryID: try row.decode(at: 2),
                                     channel: try row.decode(at: 3), level: try row.decode(Int16?.self, at: 4).map(Int.init),
                                     product: try row.decode(at: 5), departmentID: try row.decode(at: 6)),
                   name: try row.decode(at: 7), head: try row.decode(at: 8))
    }
}
