import Foundation
import Postgres
import RedressCore

/// Complaints per 10,000 customers (001 §6.4), by branch or region, for those who see whole branches.
public struct ComplaintRate: Sendable, Codable, Equatable {
    /// Whether this is the totals' row.
    public var total: Bool
    /// The branch id or region; nil for the totals, or for branches without a region.
    public var key: String?
    public var label: String?
    /// Complaints received in the period.
    public var received: Int
    /// The customers of the group's branches: for each, the average base of the period's months
    /// that have one; nil when a branch of the group has none.
    public var customers: Double?
    /// `received` per 10,000 `customers`, to two decimals; nil without customers.
    public var per10000Customers: Double?
    /// Branches of the group without a base for any month of the period.
    public var branchesWithoutBase: Int

    init(total: Bool = false, key: String?, label: String?, received: Int, bases: [Double?]) {
        self.total = total
        self.key = key
        self.label = label
        self.received = received
        branchesWithoutBase = bases.filter { $0 == nil }.count
        let known = bases.compactMap { $0 }
        customers = branchesWithoutBase == 0 && !known.isEmpty ? known.reduce(0, +) : nil
        per10000Customers = customers.flatMap { $0 > 0 ? (Double(received) / $0 * 1_000_000).rounded() / 100 : nil }
    }
}

extension ReportStore {
    /// The report's complaint rates: for the totals, and for each group when it groups by branch or
    /// region. Empty unless the caller sees every complaint of each branch the report covers and it
    /// is not confined to a department (a department's complaints are no branch's rate).
    static func rates(_ caller: Caller, _ report: ComplaintReport, _ connection: PGConnection) async throws -> [ComplaintRate] {
        let covered = branches(caller, report.filter)
        guard report.filter.departmentId == nil, !covered.isEmpty,
              covered.allSatisfy(caller.scope.caseBranchIDs.contains),
              [.none, .branch, .region].contains(report.groupBy) else { return [] }
        // Read apart and joined here: Citus takes no correlated sub-select over a distributed table
        // beside the reference table of branches.
        let bases: [UUID: Double] = try await Dictionary(uniqueKeysWithValues: connection.query("""
            SELECT branch_id, avg(customers)::float8 FROM customer_bases
             WHERE branch_id = ANY (\(covered)) AND month BETWEEN date_trunc('month', \(report.period.from.description)::date)::date
                                                          AND \(report.period.to.description)::date
             GROUP BY branch_id
            """).map { (try $0.decode(UUID.self, at: 0), try $0.decode(Double.self, at: 1)) })
        let branches = try await connection.query("""
            SELECT b.id, nullif(b.region, ''), b.name FROM branches b WHERE b.id = ANY (\(covered)) ORDER BY b.code
            """).map { row in
            (id: try row.decode(UUID.self, at: 0), region: try row.decode(String?.self, at: 1), name: try row.decode(String.self, at: 2),
             base: bases[try row.decode(UUID.self, at: 0)])
        }
        let received = Dictionary(report.groups.map { ($0.key, $0.current.received) }, uniquingKeysWith: +)
        var rates = [ComplaintRate(total: true, key: nil, label: nil, received: report.totals.current.received, bases: branches.map(\.base))]
        switch report.groupBy {
        case .branch:
            rates += branches.map { branch in
                let key = branch.id.uuidString.lowercased()
                return ComplaintRate(key: key, label: branch.name, received: received[key] ?? 0, bases: [branch.base])
            }
        case .region:
            rates += Dictionary(grouping: branches, by: \.region).sorted { ($0.key ?? "") < ($1.key ?? "") }.map { region, members in
                ComplaintRate(key: region, label: region, received: received[region] ?? 0, bases: members.map(\.base))
            }
        default:
            break
        }
        return rates
    }
}
