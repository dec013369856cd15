import Foundation
import Postgres
import RedressCore

/// A branch's SLA policies and working calendar. Everyone in the branch reads them; its admins
/// change them (enforced by RLS). A change marks the branch's open complaints for recomputation
/// (a trigger in `sql/0011_paging_delivery.sql`); the scheduler recomputes them within moments.
public struct SLAConfigurationStore: Sendable {
    let database: ScopedDatabase

    /// Creates the store.
    public init(database: ScopedDatabase) { self.database = database }

    /// A policy as the API shows it.
    public struct Policy: Sendable, Codable, Equatable {
        public var id: UUID
        public var branchId: UUID
        public var name: String
        public var active: Bool
        public var categoryIds: [UUID]?
        public var priorities: [String]?
        public var levels: [Int]?
        public var natures: [String]?
        public var counting: SLACounting
        public var milestoneHours: [String: Int]
        public var resultHours: [String: Int]
        public var ladder: [EscalationTier]
        public var ackWindowMinutes: Int
        public var followUpHours: Int
        public var followUpCallbackDays: [Int]
        public var emergencyLadderPercent: Int
        /// Limits in units of their own, by milestone and by priority (`SLALimit`).
        public var milestoneLimits: [String: SLALimit]
        public var resultLimits: [String: SLALimit]
        /// Percent of a milestone's time at which its responsible person is warned (0: never).
        public var warningPercent: Int
        /// Milestone → the rung its breach pages (0: left to the ladder); unnamed ones page the first rung.
        public var breachRungs: [String: Int]
        /// Hours a plan waits for each approval before one level up is paged.
        public var planApprovalHours: Int
        /// Whether a department's head is paged when a complaint is routed or handed to it.
        public var notifyHeadOnRouting: Bool
        /// Calendar days to the result under the law; hours to a detailed handling plan.
        public var statutoryResultDays: Int
        public var handlingPlanHours: Int
        /// Calendar days after the result to ask for a review, and days a review has to be decided.
        public var reviewWindowDays: Int
        public var reviewDays: Int
        public var updatedAt: Date
    }

    /// A branch's working calendar as the API shows it.
    public struct Calendar: Sendable, Codable, Equatable {
        public var branchId: UUID
        public var timeZone: String
        /// Weekday name → intervals such as `"09:00-12:00"`.
        public var hours: [String: [String]]
        public var holidays: [String]
        public var makeUpDays: [String]
        public var updatedAt: Date
    }

    static let policyColumns = "id, branch_id, name, active, document, updated_at"

    /// Every policy visible to `scope`, by branch and name.
    public func policies(_ scope: AccessScope) async throws -> [Policy] {
        try await database.withScope(scope, readOnly: true) { connection in
            try await connection.query("SELECT \(unescaped: Self.policyColumns) FROM sla_policies ORDER BY branch_id, name, id")
                .map(Self.policy)
        }
    }

    /// One policy.
    public func policy(_ scope: AccessScope, id: UUID) async throws -> Policy {
        try await database.withScope(scope, readOnly: true) { connection in
            guard let row = try await connection.query("SELECT \(unescaped: Self.policyColumns) FROM sla_policies WHERE id = \(id)").first
            else { throw StoreError.notFound }
            return try Self.policy(row)
        }
    }

    /// Adds a policy to `branchID`.
    public func createPolicy(_ scope: AccessScope, branchID: UUID, _ policy: SLAPolicy, active: Bool) async throws -> Policy {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                let created = try Self.policy(try await connection.query("""
                    INSERT INTO sla_policies (branch_id, name, document, active)
                    VALUES (\(branchID), \(policy.name), \(PGJSON(SLAPolicyDocument(policy))), \(active))
                    RETURNING \(unescaped: Self.policyColumns)
                    """)[0])
                try await Self.requireCategories(of: created, connection)
                try await DeadlineWakeUp.branch(branchID, connection)
                return created
            }
        }
    }

    /// Replaces a policy's name, conditions, targets and ladder, and whether it is active.
    public func replacePolicy(_ scope: AccessScope, id: UUID, _ policy: SLAPolicy, active: Bool) async throws -> Policy {
        try await StoreError.translating {
            try await database.withScope(scope) { connection in
                guard let row = try await connection.query("""
                    UPDATE sla_policies
                       SET name = \(policy.name), document = \(PGJSON(SLAPolicyDocument(policy))), active = \(active), updated_at = now()
                     WHERE id = \(id)
                    RETURNING \(unescaped: Self.policyColumns)
                    """).first else { throw StoreError.notFound }
                let replaced = try Self.policy(row)
                try await Self.requireCategories(of: replaced, connection)
                try await DeadlineWakeUp.branch(replaced.branchId, connection)
                return replaced
            }
        }
    }

    /// A policy may only name categories of its own branch.
    static func requireCategories(of policy: Policy, _ connection: PGConnection) async throws {
        let named = Set(policy.categoryIds ?? [])
        guard !named.isEmpty else { return }
        let found = try await connection.query("""
            SELECT count(*) FROM categories WHERE branch_id = \(policy.branchId) AND id = ANY (\(Array(named)))
            """)[0].decode(Int.self, at: 0)
        if found != named.count {
            throw StoreError.invalidReference(field: "/categoryIds", message: "names a category that does not exist in this branch")
        }
    }

    /// The working calendar of a branch visible to `scope`.
    public func calendar(_ scope: AccessScope, branchID: UUID) async throws -> Calendar {
        try await database.withScope(scope, readOnly: true) { connection in
            guard let row = try await connection.query("""
                SELECT k.branch_id, b.time_zone, k.hours, k.holidays::text[], k.make_up_days::text[], k.updated_at
                  FROM branch_calendars k JOIN branches b ON b.id = k.branch_id
                 WHERE k.branch_id = \(branchID)
                """).first else { throw StoreError.notFound }
            return try Self.calendar(row)
        }
    }

    /// Replaces a branch's weekly hours, holidays and make-up days.
    public func replaceCalendar(_ scope: AccessScope, branchID: UUID, hours: [Int: [WorkingCalendar.Interval]],
                                holidays: [LocalDate], makeUpDays: [LocalDate]) async throws -> Calendar {
        let stored = Dictionary(uniqueKeysWithValues: hours.map { weekday, intervals in
            (String(weekday), intervals.map { [$0.start, $0.end] })
        })
        return try await StoreError.translating {
            try await database.withScope(scope) { connection in
                guard let row = try await connection.query("""
                    WITH updated AS (
                        UPDATE branch_calendars
                           SET hours = \(PGJSON(stored)), holidays = \(holidays.map(\.description).sorted())::date[],
                               make_up_days = \(makeUpDays.map(\.description).sorted())::date[], updated_at = now()
                         WHERE branch_id = \(branchID)
                        RETURNING *
                    )
                    SELECT k.branch_id, b.time_zone, k.hours, k.holidays::text[], k.make_up_days::text[], k.updated_at
                      FROM updated k JOIN branches b ON b.id = k.branch_id
                    """).first else { throw StoreError.notFound }
                try await DeadlineWakeUp.branch(branchID, connection)
                return try Self.calendar(row)
            }
        }
    }

    static func policy(_ row: PGRow) throws -> Policy {
        let document = try row.decode(PGJSON<SLAPolicyDocument>.self, at: 4).value
        return Policy(id: try row.decode(at: 0), branchId: try row.decode(at: 1), name: try row.decode(at: 2), active: try row.decode(at: 3),
                      categoryIds: document.categoryIDs, priorities: document.priorities, levels: document.levels,
                      natures: document.natures, counting: document.counting, milestoneHours: document.milestoneHours,
                      resultHours: document.resultHours, ladder: document.ladder, ackWindowMinutes: document.ackWindowMinutes ?? 15,
                      followUpHours: document.followUpHours ?? 24, followUpCallbackDays: document.followUpCallbackDays ?? [],
                      emergencyLadderPercent: document.emergencyLadderPercent ?? 100,
                      milestoneLimits: document.milestoneLimits ?? [:], resultLimits: document.resultLimits ?? [:],
                      warningPercent: document.warningPercent ?? 80, breachRungs: document.breachRungs ?? [:],
                      planApprovalHours: document.planApprovalHours ?? 24,
                      notifyHeadOnRouting: document.notifyHeadOnRouting ?? true,
                      statutoryResultDays: document.statutoryResultDays ?? 7, handlingPlanHours: document.handlingPlanHours ?? 48,
                      reviewWindowDays: document.reviewWindowDays ?? 15, reviewDays: document.reviewDays ?? 7,
                      updatedAt: try row.decode(at: 5))
    }

    static func calendar(_ row: PGRow) throws -> Calendar {
        let calendar = ComplaintStore.calendar(
            timeZone: try row.decode(at: 1), hours: try row.decode(PGJSON<[String: [[Int]]]>.self, at: 2).value,
            holidays: try row.decode(at: 3), makeUpDays: try row.decode(at: 4))
        return Calendar(branchId: try row.decode(at: 0), timeZone: try row.decode(at: 1), hours: calendar?.hoursText ?? [:],
                        holidays: try row.decode(at: 3), makeUpDays: try row.decode(at: 4), updatedAt: try row.decode(at: 5))
    }
}
