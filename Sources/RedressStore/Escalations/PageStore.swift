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
        /// When a person took the page (themselves, or through a bot relaying their answer).
        public var acknowledgedAt: Date?
        /// When the page reached its recipient's bot or device (a webhook answered 2xx, or they said so).
        public var deliveredAt: Date?
        /// The person who acknowledged it.
        public var acknowledgedBy: UUID?
        /// The bot that relayed the acknowledgement, when one did.
        public var acknowledgedVia: UUID?
        /// Until when its recipient put off the re-page.
        public var snoozedUntil: Date?
        /// The colleague its recipient handed it to, and when.
        public var handedTo: UUID?
        public var handedAt: Date?
        /// Who handed this page on to its recipient.
        public var handedFrom: UUID?
        /// On a bot's page: the person whose acknowledgement it relayed.
        public var relayedFor: UUID?
    }

    /// An escalation with who was paged.
    public struct Escalation: Sendable, Codable, Equatable {
        public var id: UUID
        public var complaintId: UUID
        public var caseNumber: String
        /// What fired: `tier` (the ladder), `follow_up` (an overdue follow-up), `milestone_breach`
        /// or `milestone_warning` (a milestone's alarm), or a plan's alarm (`PlanAlarm.Kind`).
        public var kind: String
        /// The milestone a breach or warning is about.
        public var milestone: String?
        /// The plan a plan's alarm is about.
        public var planId: UUID?
        /// The ladder tier (0 for a warning, which comes before any rung).
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

    static let pageColumns = """
        id, complaint_id, tier, recipient_kind, recipient_user_id, late, summary, created_at, acknowledged_at, rung,
        delivered_at, acknowledged_by, acknowledged_via, snoozed_until, handed_to, handed_at, handed_from, relayed_for
        """
    /// What a recipient still has to act on: a person, what nobody acknowledged and they did not
    /// hand on; a bot, what it has not received either.
    static func open(_ caller: Caller) -> String {
        caller.has(.bot) ? "acknowledged_at IS NULL AND delivered_at IS NULL" : "acknowledged_at IS NULL AND handed_to IS NULL"
    }

    /// The caller's own pages, newest first, a page at a time; only open ones (``open(_:)``) unless `all`.
    public func myPages(_ caller: Caller, all: Bool, page: PageRequest = PageRequest()) async throws -> RedressStore.Page<Page> {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            var q = SQLBuilder("SELECT \(Self.pageColumns), (extract(epoch FROM created_at) * 1000000)::bigint FROM pages")
            q.append(" WHERE recipient_user_id = \(q.bind(caller.userID))")
            if !all { q.append(" AND " + Self.open(caller)) }
            if let after = q.after(page.after, time: "created_at", id: "id", descending: true) { q.append(" AND " + after) }
            q.append(" ORDER BY created_at DESC, id DESC LIMIT \(q.bind(page.limit + 1))")
            let rows = try await connection.query(q.query)
            return page.page(keyed: try rows.map { (try Self.page($0), String(try $0.decode(Int64.self, at: 18))) }, id: \.id)
        }
    }

    /// The caller's open pages created at or after `since` (whole microseconds since
    /// 1970), except those in `excluding`, oldest first, each with its creation time in
    /// microseconds: what an event stream has not sent yet.
    public func openPages(_ caller: Caller, since: Int64?, excluding: [UUID], limit: Int = 500) async throws
        -> [(page: Page, microseconds: Int64)] {
        try await database.withScope(caller.scope, readOnly: true) { connection in
            try await connection.query("""
                SELECT \(unescaped: Self.pageColumns), (extract(epoch FROM created_at) * 1000000)::bigint FROM pages
                 WHERE recipient_user_id = \(caller.userID) AND \(unescaped: Self.open(caller))
                   AND (\(since)::bigint IS NULL OR created_at >= to_timestamp(\(since)::bigint / 1000000.0))
                   AND NOT (id = ANY (\(excluding)))
                 ORDER BY created_at, id LIMIT \(Int32(limit))
                """).map { row in (try Self.page(row), try row.decode(Int64.self, at: 18)) }
        }
    }

    /// Acknowledges one of the caller's pages. A person acknowledges their own page: that ends the
    /// escalation's wait, and is noted on the timeline. A bot's acknowledgement is a delivery
    /// receipt, unless it relays the answer of `onBehalfOf`, a person paged for the same
    /// escalation, whose page it acknowledges (noted on the timeline in the bot's name). Doing it
    /// again changes nothing and notes nothing: the page comes back as it stands.
    public func acknowledge(_ caller: Caller, pageID: UUID, onBehalfOf: UUID? = nil) async throws -> Page {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let branch = try await Self.lockOwnPage(pageID, of: caller, connection)
                // Of two acknowledgements at once, the second waits for the first and then finds
                // the page acknowledged (the condition is checked again on the updated row).
                var q = SQLBuilder("UPDATE pages SET ")
                if !caller.has(.bot) {
                    q.append("acknowledged_at = now(), acknowledged_by = recipient_user_id, delivered_at = coalesce(delivered_at, now())")
                } else if let person = onBehalfOf {
                    q.append("relayed_for = \(q.bind(person)), delivered_at = coalesce(delivered_at, now())")
                } else {
                    q.append("delivered_at = now()")
                }
                let waiting = !caller.has(.bot) ? "acknowledged_at" : onBehalfOf != nil ? "relayed_for" : "delivered_at"
                q.append(" WHERE branch_id = \(q.bind(branch)) AND id = \(q.bind(pageID)) AND recipient_user_id = \(q.bind(caller.userID))")
                q.append(" AND \(waiting) IS NULL RETURNING \(Self.pageColumns)")
                let rows = try await connection.query(q.query)
                guard let row = rows.first else {
                    let current = try await connection.query("""
                        SELECT \(unescaped: Self.pageColumns) FROM pages
                         WHERE branch_id = \(branch) AND id = \(pageID) AND recipient_user_id = \(caller.userID)
                        """)
                    guard let row = current.first else { throw StoreError.notFound }
                    let page = try Self.page(row)
                    if caller.has(.bot), let person = onBehalfOf, let earlier = page.relayedFor, earlier != person {
                        throw StoreError.conflict(field: "/onBehalfOf", message: "this page already relayed another person's acknowledgement")
                    }
                    return page
                }
                let page = try Self.page(row)
                guard !caller.has(.bot) || onBehalfOf != nil else { return page }
                try await Self.note("page_acknowledged", on: page, branch: branch, by: caller,
                                    ["onBehalfOf": onBehalfOf?.uuidString.lowercased()], connection)
                return page
            }
        }
    }

    /// Puts off the re-page of the escalation behind one of the caller's pages to `minutes` from
    /// now, once per page and at most the policy's ack window ahead, while the escalation still
    /// waits for an acknowledgement; noted on the timeline. `.conflict` when the page is
    /// acknowledged or snoozed already.
    public func snooze(_ caller: Caller, pageID: UUID, minutes: Int) async throws -> Page {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let branch = try await Self.lockOwnPage(pageID, of: caller, connection)
                let rows = try await connection.query("""
                    UPDATE pages SET snoozed_until = now() + make_interval(mins => \(Int32(minutes)))
                     WHERE branch_id = \(branch) AND id = \(pageID) AND recipient_user_id = \(caller.userID)
                       AND acknowledged_at IS NULL AND snoozed_until IS NULL
                    RETURNING \(unescaped: Self.pageColumns)
                    """)
                guard let row = rows.first else { throw StoreError.conflict(field: "id", message: "is acknowledged or snoozed already") }
                let page = try Self.page(row)
                try await Self.note("page_snoozed", on: page, branch: branch, by: caller,
                                    ["until": page.snoozedUntil.map { ISO8601DateFormatter().string(from: $0) }], connection)
                return page
            }
        }
    }

    /// Hands one of the caller's open pages to `colleague`, who could have been paged in the same
    /// capacity (`scheduler.may_take_page`): they get a page of their own for the same escalation
    /// and rung, and their streams hear of it; the hand-off is noted on the timeline.
    /// `.conflict` when the page is acknowledged or handed on already.
    public func handOff(_ caller: Caller, pageID: UUID, to colleague: UUID) async throws -> Page {
        try await StoreError.translating {
            try await database.withScope(caller.scope) { connection in
                let branch = try await Self.lockOwnPage(pageID, of: caller, connection)
                let rows = try await connection.query("""
                    UPDATE pages SET handed_to = \(colleague), handed_at = now()
                     WHERE branch_id = \(branch) AND id = \(pageID) AND recipient_user_id = \(caller.userID)
                       AND acknowledged_at IS NULL AND handed_to IS NULL
                    RETURNING \(unescaped: Self.pageColumns)
                    """)
                guard let row = rows.first else { throw StoreError.conflict(field: "id", message: "is acknowledged or handed on already") }
                let page = try Self.page(row)
                try await Self.note("page_handed_off", on: page, branch: branch, by: caller, ["toUserId": colleague.uuidString.lowercased()],
                                    connection)
                try await connection.execute("SELECT pg_notify('redress_pages', \(colleague.uuidString.lowercased()))")
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
                       e.follow_up_id, (extract(epoch FROM e.recorded_at) * 1000000)::bigint, e.milestone, e.plan_id, e.reason
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
                let tier = Int(try row.decode(Int16.self, at: 3))
                let followUp: UUID? = try row.decode(at: 9)
                let milestone: String? = try row.decode(at: 11)
                let reason: String? = try row.decode(at: 13)
                let kind = EscalationStore.kind(reason: reason, followUp: followUp, milestone: milestone, tier: tier)
                return (Escalation(
                    id: try row.decode(at: 0), complaintId: try row.decode(at: 1), caseNumber: try row.decode(at: 2),
                    kind: kind, milestone: milestone, planId: try row.decode(at: 12), tier: tier, dueAt: try row.decode(at: 4), recordedAt: try row.decode(at: 5),
                    lateSeconds: try row.decode(at: 6), departmentId: try row.decode(at: 7), followUpId: followUp,
                    pages: try row.decode(PGJSON<[PagedRecipient]>.self, at: 8).value),
                 String(try row.decode(Int64.self, at: 10)))
            }
            return page.page(keyed: rows, id: \.id)
        }
    }

    /// The branch of `pageID`, one of the caller's pages (`.notFound` otherwise), with its case's
    /// lock taken shared (``CaseVisibility``): the timeline entry that follows copies the page's
    /// copy of its complaint's visibility, which the recipient may not otherwise read.
    static func lockOwnPage(_ pageID: UUID, of caller: Caller, _ connection: PGConnection) async throws -> UUID {
        let found = try await connection.query("""
            SELECT branch_id, complaint_id FROM pages WHERE id = \(pageID) AND recipient_user_id = \(caller.userID)
            """)
        guard let branch = try found.first?.decode(UUID.self, at: 0) else { throw StoreError.notFound }
        try await CaseVisibility.lock(try found[0].decode(UUID.self, at: 1), exclusive: false, connection)
        return branch
    }

    /// Notes on the timeline, in the caller's name, what they did with `page` (`kind`, with the
    /// page and tier and `details`), carrying the page's copy of its case's visibility.
    static func note(_ kind: String, on page: Page, branch: UUID, by caller: Caller, _ details: [String: String?],
                     _ connection: PGConnection) async throws {
        var noted = ["pageId": page.id.uuidString.lowercased(), "tier": String(page.tier)]
        for case let (key, value?) in details { noted[key] = value }
        try await connection.execute("""
            INSERT INTO complaint_events (branch_id, complaint_id, actor_id, actor_roles, kind, after, page_id,
                                          \(unescaped: CaseVisibility.columns))
            SELECT p.branch_id, p.complaint_id, \(caller.userID), \(caller.actorRoles), \(kind), \(PGJSON(noted)), p.id,
                   p.case_department_id, p.case_collaborating_department_ids, p.case_responsible_user_id
              FROM pages p WHERE p.branch_id = \(branch) AND p.id = \(page.id)
            """)
    }

    static func page(_ row: PGRow) throws -> Page {
        Page(id: try row.decode(at: 0), complaintId: try row.decode(at: 1), tier: Int(try row.decode(Int16.self, at: 2)),
             rung: Int(try row.decode(Int16.self, at: 9)), recipientKind: try row.decode(at: 3), recipientUserId: try row.decode(at: 4), late: try row.decode(at: 5),
             summary: try row.decode(PGJSON<[String: JSONDocument]>.self, at: 6).value, createdAt: try row.decode(at: 7),
             acknowledgedAt: try row.decode(at: 8), deliveredAt: try row.decode(at: 10), acknowledgedBy: try row.decode(at: 11),
             acknowledgedVia: try row.decode(at: 12), snoozedUntil: try row.decode(at: 13), handedTo: try row.decode(at: 14),
             handedAt: try row.decode(at: 15), handedFrom: try row.decode(at: 16), relayedFor: try row.decode(at: 17))
    }
}
