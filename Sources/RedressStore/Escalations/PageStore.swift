import Foundation
import Postgres
import RedressCore

/// Pages and escalations as people and bots see them: a recipient lists and acknowledges the
/// pages addressed to them (with a summary free of customer personal data); reviewers list the
/// escalations of the complaints they may see.
public struct PageStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// A page to one recipient.
    public struct Page: Sendable, Codable, Equatable {
        public var id: UUID
        public var complaintId: UUID
        public var tier: Int
        /// The ladder rung this page belongs to: the tier itself, or a later rung when re-paged.
        public var rung: Int
        public var recipientKind: String
        public var recipientUserId: UUID
        public var late: Bool
        /// Case number, tier, due time, status, priority, level, category and department.
        public var summary: [String: JSONDocument]
        public var createdAt: Date
        public var acknowledgedAt: Date?
    }

    /// An escalation with who was paged.
    public struct Escalation: Sendable, Codable, Equatable {
        public var id: UUID
        public var complaintId: UUID
        public var caseNumber: String
        public var tier: Int
        public var dueAt: Date
        public var recordedAt: Date
        public var lateSeconds: Int
        public var departmentId: UUID?
        /// The overdue follow-up this escalation is about; nil for the complaint's own tiers.
        public var followUpId: UUID?
        public var pages: [PagedRecipient]
    }

    /// Who an escalation paged, and whether they acknowledged.
    public struct PagedRecipient: Sendable, Codable, Equatable {
        public var userId: UUID
        public var kind: String
        public var acknowledgedAt: Date?
    }

    static let pageColumns = "id, complaint_id, tier, recipient_kind, recipient_user_id, late, summary, created_at, acknowledged_at, rung"

    /// The caller's own pages, newest first, a page at a time; only unacknowledged ones unless `all`.
    public func myPages(_ caller: Caller, all: Bool, page: PageRequest = PageRequest()) async throws -> RedressStore.Page<Page> {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            var q = SQLBuilder("SELECT \(Self.pageColumns), (extract(epoch FROM created_at) * 1000000)::bigint FROM pages")
            q.append(" WHERE recipient_user_id = \(q.bind(caller.userID))")
            if !all { q.append(" AND acknowledged_at IS NULL") }
            if let after = q.after(page.after, time: "created_at", id: "id", descending: true) { q.append(" AND " + after) }
            q.append(" ORDER BY created_at DESC, id DESC LIMIT \(q.bind(page.limit + 1))")
            let rows = try await connection.query(q.query)
            return page.page(keyed: try rows.map { (try Self.page($0), String(try $0.decode(Int64.self, at: 10))) }, id: \.id)
        }
    }

    /// The caller's unacknowledged pages created at or after `since` (whole microseconds since
    /// 1970), except those in `excluding`, oldest first, each with its creation time in
    /// microseconds: what an event stream has not sent yet.
    public func openPages(_ caller: Caller, since: Int64?, excluding: [UUID], limit: Int = 500) async throws
        -> [(page: Page, microseconds: Int64)] {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.pageColumns), (extract(epoch FROM created_at) * 1000000)::bigint FROM pages
                 WHERE recipient_user_id = \(caller.userID) AND acknowledged_at IS NULL
                   AND (\(since)::bigint IS NULL OR created_at >= to_timestamp(\(since)::bigint / 1000000.0))
                   AND NOT (id = ANY (\(excluding)))
                 ORDER BY created_at, id LIMIT \(Int32(limit))
                """).map { row in (try Self.page(row), try row.decode(Int64.self, at: 10)) }
        }
    }

    /// Acknowledges one of the caller's pages and notes it on the timeline. Acknowledging it again
    /// changes nothing and notes nothing: the page comes back as it was first acknowledged.
    public func acknowledge(_ caller: Caller, pageID: UUID) async throws -> Page {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                // The case's lock, shared (``CaseVisibility``): the entry copies the page's copy of
                // its complaint's visibility, which the recipient may not otherwise read.
                let found = try await connection.query("""
                    SELECT branch_id, complaint_id FROM pages WHERE id = \(pageID) AND recipient_user_id = \(caller.userID)
                    """)
                guard let branch = try found.first?.decode(UUID.self, at: 0) else { throw StoreError.notFound }
                try await CaseVisibility.lock(try found[0].decode(UUID.self, at: 1), exclusive: false, connection)
                // Of two acknowledgements at once, the second waits for the first and then finds
                // the page acknowledged (the condition is checked again on the updated row).
                let rows = try await connection.query("""
                    UPDATE pages SET acknowledged_at = now()
                     WHERE branch_id = \(branch) AND id = \(pageID) AND recipient_user_id = \(caller.userID) AND acknowledged_at IS NULL
                    RETURNING \(unescaped: Self.pageColumns)
                    """)
                guard let row = rows.first else {
                    let earlier = try await connection.query("""
                        SELECT \(unescaped: Self.pageColumns) FROM pages
                         WHERE branch_id = \(branch) AND id = \(pageID) AND recipient_user_id = \(caller.userID)
                        """)
                    guard let row = earlier.first else { throw StoreError.notFound }
                    return try Self.page(row)
                }
                let page = try Self.page(row)
                try await connection.execute("""
                    INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind, after, page_id,
                                                  \(unescaped: CaseVisibility.columns))
                    SELECT p.branch_id, p.complaint_id, \(caller.userID), \(caller.roles.map(\.rawValue).sorted()), 'page_acknowledged',
                           \(PGJSON(["pageId": page.id.uuidString.lowercased(), "tier": String(page.tier)])), p.id,
                           p.case_department_id, p.case_collaborating_department_ids, p.case_responsible_user_id
                      FROM pages p WHERE p.branch_id = \(branch) AND p.id = \(pageID)
                    """)
                return page
            }
        }
    }

    /// Escalations of the complaints the caller may see, newest recorded first, a page at a time;
    /// `unacknowledged` keeps those with a page nobody acknowledged.
    public func escalations(_ caller: Caller, unacknowledged: Bool, departmentsOnly: Bool,
                            page: PageRequest = PageRequest()) async throws -> RedressStore.Page<Escalation> {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            var q = SQLBuilder("""
                SELECT e.id, e.complaint_id, c.case_number, e.tier, e.due_at, e.recorded_at, e.late_seconds, e.department_id,
                       coalesce((SELECT jsonb_agg(jsonb_build_object('userId', p.recipient_user_id, 'kind', p.recipient_kind,
                                                                     'acknowledgedAt', p.acknowledged_at) ORDER BY p.recipient_kind)
                                   FROM pages p WHERE p.branch_id = e.branch_id AND p.escalation_id = e.id), '[]'::jsonb),
                       e.follow_up_id, (extract(epoch FROM e.recorded_at) * 1000000)::bigint
                  FROM escalations e JOIN complaints c ON c.branch_id = e.branch_id AND c.id = e.complaint_id
                 WHERE true
                """)
            if unacknowledged {
                q.append(" AND EXISTS (SELECT FROM pages p WHERE p.branch_id = e.branch_id AND p.escalation_id = e.id AND p.acknowledged_at IS NULL)")
            }
            if departmentsOnly { q.append(" AND e.department_id = ANY (\(q.bind(Array(caller.departmentIDs))))") }
            if let after = q.after(page.after, time: "e.recorded_at", id: "e.id", descending: true) { q.append(" AND " + after) }
            q.append(" ORDER BY e.recorded_at DESC, e.id DESC LIMIT \(q.bind(page.limit + 1))")
            let rows = try await connection.query(q.query).map { row in
                (Escalation(
                    id: try row.decode(at: 0), complaintId: try row.decode(at: 1), caseNumber: try row.decode(at: 2),
                    tier: Int(try row.decode(Int16.self, at: 3)), dueAt: try row.decode(at: 4), recordedAt: try row.decode(at: 5),
                    lateSeconds: try row.decode(at: 6), departmentId: try row.decode(at: 7), followUpId: try row.decode(at: 9),
                    pages: try row.decode(PGJSON<[PagedRecipient]>.self, at: 8).value),
                 String(try row.decode(Int64.self, at: 10)))
            }
            return page.page(keyed: rows, id: \.id)
        }
    }

    static func page(_ row: PGRow) throws -> Page {
        Page(id: try row.decode(at: 0), complaintId: try row.decode(at: 1), tier: Int(try row.decode(Int16.self, at: 2)),
             rung: Int(try row.decode(Int16.self, at: 9)), recipientKind: try row.decode(at: 3), recipientUserId: try row.decode(at: 4), late: try row.decode(at: 5),
             summary: try row.decode(PGJSON<[String: JSONDocument]>.self, at: 6).value, createdAt: try row.decode(at: 7),
             acknowledgedAt: try row.decode(at: 8))
    }
}
