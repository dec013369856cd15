import Foundation
import Postgres
import RedressCore

/// Which complaints a listing returns.
public struct ComplaintFilter: Sendable, Equatable {
    public var statuses: [ComplaintStatus] = []
    public var departmentID: UUID?
    /// Only the complaints of the caller's own departments (the department head's view).
    public var myDepartments = false
    public var categoryID: UUID?
    public var level: Int?
    public var priority: String?
    public var channel: String?
    public var receivedFrom: Date?
    public var receivedBefore: Date?
    /// Only complaints the caller is personally responsible for.
    public var assignedToMe = false
    /// A case number, or words of the description.
    public var search: String?
    /// Exactly this phone number (any spacing), found through the blind index; only for roles
    /// that see phone numbers in full, and every such lookup is audited.
    public var phone: String?
    /// Only open complaints whose due time has passed.
    public var overdue = false
    /// Only complaints whose escalation ladder has fired (true) or has not (false).
    public var escalated: Bool?
    /// Newest received first (default), or soonest due first.
    public var sort: ComplaintSort = .received

    /// No filter: every complaint the caller may see.
    public init() {}
}

/// The order of a complaint listing.
public enum ComplaintSort: String, Sendable, Equatable, CaseIterable {
    /// Newest received first.
    case received
    /// Soonest due first; complaints without a due time last.
    case due
}

extension ComplaintStore {
    /// Complaints visible to the caller that match `filter`, newest received first (or soonest due),
    /// without the SLA explanation (read one complaint for that).
    ///
    /// Only the filters present become part of the statement, and it names the branches (and, for
    /// "my departments", the departments) the caller's scope allows, so each shape gets a plan
    /// that walks the matching index in order. Row-level security still decides every row.
    public func list(_ caller: Caller, _ filter: ComplaintFilter, page: PageRequest) async throws -> Page<Complaint> {
        try PhoneSearchAudit.authorize(caller, filter)
        let phoneIndex = vault.phoneIndex(filter.phone)
        let query = Self.listQuery(caller, filter, phoneIndex: phoneIndex, page: page)
        return try await database.withScope(caller.scope) { connection in
            let rows = try await connection.query(query)
            var keys: [UUID: Int64?] = [:]
            let complaints = try rows.map { row in
                let complaint = revealed(try ComplaintColumns.complaint(row), to: caller.scope)
                keys[complaint.id] = try row.decode(Int64?.self, at: ComplaintColumns.count)
                var listed = complaint
                listed.escalatedTiers = try row.decode([Int32].self, at: ComplaintColumns.count + 1).map(Int.init)
                return listed
            }
            let listed = page.page(from: complaints, key: { keys[$0.id]!.map(String.init) ?? "infinity" }, id: \.id)
            if filter.phone != nil {
                try await PhoneSearchAudit.record(connection, caller, index: phoneIndex ?? Data(), matches: listed.items.count, via: "list")
            }
            // Each branch's trail names the complaints whose customers' data this listing showed.
            for (branch, shown) in Dictionary(grouping: listed.items, by: \.branchId).sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
                try await AuditStore.recordAccess(connection, branchID: branch, action: "read", entity: "complaints", entityID: nil,
                                                  details: ["listed": shown.map { $0.id.uuidString.lowercased() }.joined(separator: ",")])
            }
            return listed
        }
    }

    static func listQuery(_ caller: Caller, _ filter: ComplaintFilter, phoneIndex: Data?, page: PageRequest) -> PGQuery {
        let byDue = filter.sort == .due
        var q = SQLBuilder("SELECT \(ComplaintColumns.summary), (extract(epoch FROM \(byDue ? "due_at" : "received_at")) * 1000000)::bigint, "
                           + ComplaintColumns.escalatedTiers + " FROM complaints WHERE true")
        let branches = caller.scope.branchIDs.sorted { $0.uuidString < $1.uuidString }
        if filter.myDepartments {
            let departments = caller.departmentIDs.sorted { $0.uuidString < $1.uuidString }
            q.append(" AND branch_id = \(q.bind(caller.branchID))")
            if departments.count == 1 {
                q.append(" AND department_id = \(q.bind(departments[0]))")
            } else {
                q.append(" AND department_id = ANY (\(q.bind(departments)))")
            }
        } else if branches.count == 1 {
            q.append(" AND branch_id = \(q.bind(branches[0]))")
        } else {
            q.append(" AND branch_id = ANY (\(q.bind(branches)))")
        }
        if let department = filter.departmentID { q.append(" AND department_id = \(q.bind(department))") }
        if !filter.statuses.isEmpty { q.append(" AND status = ANY (\(q.bind(filter.statuses.map(\.rawValue))))") }
        if let category = filter.categoryID { q.append(" AND category_id = \(q.bind(category))") }
        if let level = filter.level { q.append(" AND level = \(q.bind(Int16(level)))") }
        if let priority = filter.priority { q.append(" AND priority = \(q.bind(priority))") }
        if let channel = filter.channel { q.append(" AND channel = \(q.bind(channel))") }
        if let from = filter.receivedFrom { q.append(" AND received_at >= \(q.bind(from))") }
        if let before = filter.receivedBefore { q.append(" AND received_at < \(q.bind(before))") }
        if filter.phone != nil {
            // Only among complaints whose personal data the caller sees in full (never a granted
            // branch's), so a search cannot confirm digits the caller sees masked.
            q.append(" AND complainant_phone_index = \(q.bind(phoneIndex ?? Data()))")
            q.append(" AND branch_id = ANY (\(q.bind(Array(caller.scope.personalDataBranchIDs))))")
        }
        if filter.assignedToMe { q.append(" AND responsible_user_id = \(q.bind(caller.userID))") }
        if filter.overdue { q.append(" AND due_at < now() AND status NOT IN ('closed', 'archived')") }
        if let escalated = filter.escalated {
            q.append(escalated ? " AND cardinality(escalated_tiers) > 0" : " AND cardinality(escalated_tiers) = 0")
        }
        if let search = filter.search {
            let pattern = "%" + search.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            q.append(" AND (case_number = upper(\(q.bind(search))) OR description ILIKE \(q.bind(pattern)))")
        }
        if let after = page.after {
            let id = q.bind(after.id)
            if byDue {
                let at = after.key == "infinity" ? "'infinity'::timestamptz"
                    : "timestamptz 'epoch' + \(q.bind(Int64(after.key) ?? 0)) * interval '1 microsecond'"
                q.append(" AND (coalesce(due_at, 'infinity'::timestamptz), id) > (\(at), \(id))")
            } else {
                q.append(" AND (received_at, id) < (timestamptz 'epoch' + \(q.bind(Int64(after.key) ?? 0)) * interval '1 microsecond', \(id))")
            }
        }
        q.append(byDue ? " ORDER BY coalesce(due_at, 'infinity'::timestamptz), id" : " ORDER BY received_at DESC, id DESC")
        q.append(" LIMIT \(q.bind(page.limit + 1))")
        return q.query
    }

    /// The complaint's hand-overs, oldest first; `.notFound` when the caller cannot see the complaint.
    public func handovers(_ scope: AccessScope, id: UUID) async throws -> [Handover] {
        try await database.withScope(scope, readOnly: true) { connection in
            let branch = try await CaseWorkStore.visibleBranch(of: id, connection)
            return try await connection.query("""
                SELECT id, at, from_department_id, to_department_id, from_user_id, to_user_id, by_user_id, reason
                  FROM complaint_handovers WHERE branch_id = \(branch) AND complaint_id = \(id) ORDER BY at, id
                """).map { row in
                Handover(id: try row.decode(at: 0), at: try row.decode(at: 1), fromDepartmentId: try row.decode(at: 2),
                         toDepartmentId: try row.decode(at: 3), fromUserId: try row.decode(at: 4), toUserId: try row.decode(at: 5),
                         byUserId: try row.decode(at: 6), reason: try row.decode(at: 7))
            }
        }
    }

    /// The complaint's timeline, oldest first; `.notFound` when the caller cannot see the complaint.
    public func timeline(_ scope: AccessScope, id: UUID) async throws -> [ComplaintEvent] {
        try await database.withScope(scope, readOnly: true) { connection in
            let visible = try await connection.query("SELECT branch_id FROM complaints WHERE id = \(id)")
            guard let branch = try visible.first?.decode(UUID.self, at: 0) else { throw StoreError.notFound }
            return try await connection.query("""
                SELECT id, at, actor_id, actor_roles, kind, before, after, note FROM complaint_events
                 WHERE branch_id = \(branch) AND complaint_id = \(id) ORDER BY at, id
                """).map { row in
                ComplaintEvent(
                    id: Int(try row.decode(Int64.self, at: 0)), at: try row.decode(at: 1), actorId: try row.decode(at: 2),
                    actorRoles: try row.decode(at: 3), kind: try row.decode(at: 4),
                    before: try row.decode(PGJSON<[String: String?]>?.self, at: 5)?.value,
                    after: try row.decode(PGJSON<[String: String?]>?.self, at: 6)?.value, note: try row.decode(at: 7))
            }
        }
    }
}
