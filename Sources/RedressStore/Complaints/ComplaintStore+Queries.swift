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
    /// Only open complaints whose due time has passed.
    public var overdue = false
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
    /// Complaints visible to the caller that match `filter`, newest received first.
    public func list(_ caller: Caller, _ filter: ComplaintFilter, page: PageRequest) async throws -> Page<Complaint> {
        let byDue = filter.sort == .due
        let afterMicros = page.after.flatMap { Int64($0.key) }
        let afterInfinity = page.after?.key == "infinity"
        let pattern = filter.search.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
        return try await database.withScope(caller.scope, readOnly: true) { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: ComplaintColumns.list),
                       (extract(epoch FROM \(unescaped: byDue ? "due_at" : "received_at")) * 1000000)::bigint
                  FROM complaints
                 WHERE (cardinality(\(filter.statuses.map(\.rawValue))::text[]) = 0 OR status = ANY (\(filter.statuses.map(\.rawValue))))
                   AND (\(filter.departmentID)::uuid IS NULL OR department_id = \(filter.departmentID))
                   AND (NOT \(filter.myDepartments) OR department_id = ANY (\(Array(caller.departmentIDs))))
                   AND (\(filter.categoryID)::uuid IS NULL OR category_id = \(filter.categoryID))
                   AND (\(filter.level.map(Int16.init))::smallint IS NULL OR level = \(filter.level.map(Int16.init)))
                   AND (\(filter.priority)::text IS NULL OR priority = \(filter.priority))
                   AND (\(filter.channel)::text IS NULL OR channel = \(filter.channel))
                   AND (\(filter.receivedFrom)::timestamptz IS NULL OR received_at >= \(filter.receivedFrom))
                   AND (\(filter.receivedBefore)::timestamptz IS NULL OR received_at < \(filter.receivedBefore))
                   AND (NOT \(filter.assignedToMe) OR responsible_user_id = \(caller.userID))
                   AND (\(filter.search)::text IS NULL OR case_number = upper(\(filter.search)) OR description ILIKE \(pattern))
                   AND (NOT \(filter.overdue) OR (due_at < now() AND status NOT IN ('closed', 'archived')))
                   AND (\(page.after == nil) OR \(unescaped: byDue ? Self.afterDue : Self.afterReceived)
                            (CASE WHEN \(afterInfinity) THEN 'infinity'::timestamptz
                                  ELSE timestamptz 'epoch' + \(afterMicros) * interval '1 microsecond' END, \(page.after?.id ?? PageCursor.origin)))
                 ORDER BY \(unescaped: byDue ? "coalesce(due_at, 'infinity'::timestamptz), id" : "received_at DESC, id DESC")
                 LIMIT \(page.limit + 1)
                """)
            var keys: [UUID: Int64?] = [:]
            let complaints = try rows.map { row in
                let complaint = try ComplaintColumns.complaint(row)
                keys[complaint.id] = try row.decode(Int64?.self, at: ComplaintColumns.count)
                return complaint
            }
            return page.page(from: complaints, key: { keys[$0.id]!.map(String.init) ?? "infinity" }, id: \.id)
        }
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

    /// Keyset conditions per sort order (chosen by code, never by input).
    static let afterDue = "(coalesce(due_at, 'infinity'::timestamptz), id) >"
    static let afterReceived = "(received_at, id) <"

    /// The complaint's timeline, oldest first; `.notFound` when the caller cannot see the complaint.
    public func timeline(_ scope: AccessScope, id: UUID) async throws -> [ComplaintEvent] {
        try await database.withScope(scope, readOnly: true) { connection in
            let visible = try await connection.query("SELECT branch_id FROM complaints WHERE id = \(id)")
            guard let branch = try visible.first?.decode(UUID.self, at: 0) else { throw StoreError.notFound }
            return try await connection.query("""
                SELECT id, at, actor_id, actor_roles, kind, before, after, note FROM complaint_events
                 WHERE branch_id = \(branch) AND complaint_id = \(id) ORDER BY id
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
