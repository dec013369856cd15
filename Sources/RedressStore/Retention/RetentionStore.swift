import Foundation
import Postgres
import RedressCore

/// Retention (`sql/0016_retention.sql`): archives closed complaints after a while and erases what
/// identifies their customers after the retention period, keeping what reports count.
public struct RetentionStore: Sendable {
    let pool: PGPool

    /// Creates the store on the scheduler role's pool (or the owner's).
    public init(pool: PGPool) { self.pool = pool }

    /// One complaint archived or erased (or that would be, in a dry run).
    public struct Action: Sendable, Equatable {
        public var branchID: UUID
        public var complaintID: UUID
        public var caseNumber: String
        /// `archive` or `erase` (erasing also archives).
        public var action: String
        public var closedAt: Date
    }

    /// How long after closing a complaint is archived, and its customer's data erased.
    public struct Periods: Sendable, Equatable {
        public var archiveAfter: Duration
        public var eraseAfter: Duration

        /// Creates periods; the defaults are 180 days and three years.
        public init(archiveAfter: Duration = .seconds(180 * 86_400), eraseAfter: Duration = .seconds(3 * 365 * 86_400)) {
            self.archiveAfter = archiveAfter
            self.eraseAfter = eraseAfter
        }
    }

    /// Archives and erases everything due, batch by batch; with `dryRun`, changes nothing and
    /// lists everything that is due.
    public func apply(_ periods: Periods, dryRun: Bool, batch: Int = 1000) async throws -> [Action] {
        let archiveAfter = periods.archiveAfter.inSeconds, eraseAfter = periods.eraseAfter.inSeconds
        let branches: [UUID] = try await pool.query("""
            SELECT branch_id FROM retention.due_branches(make_interval(secs => \(archiveAfter)), make_interval(secs => \(eraseAfter)))
            """).map { try $0.decode(at: 0) }
        var all: [Action] = []
        for branch in branches {
            while true {
                let actions = try await pool.query("""
                    SELECT * FROM retention.apply(\(branch), make_interval(secs => \(archiveAfter)), make_interval(secs => \(eraseAfter)),
                                                  \(dryRun), \(Int32(dryRun ? 1_000_000 : batch)))
                    """).map { row in
                    Action(branchID: try row.decode(at: 0), complaintID: try row.decode(at: 1), caseNumber: try row.decode(at: 2),
                           action: try row.decode(at: 3), closedAt: try row.decode(at: 4))
                }
                all += actions
                if dryRun || actions.count < batch { break }
            }
        }
        return all
    }

    /// Erases one piece of evidence's content, keeping its size and SHA-256, and notes it on the
    /// complaint's timeline (needs the owner's pool); false when there is no such evidence.
    public func eraseEvidence(branchID: UUID, evidenceID: UUID) async throws -> Bool {
        try await pool.query("SELECT retention.erase_evidence(\(branchID), \(evidenceID))")[0].decode(Bool.self, at: 0)
    }
}
