import Foundation
import Postgres

/// The scheduler's side of escalations: fire what is due, and say when the next one is due.
/// Both go through owner-defined functions (`sql/0010_escalations.sql`) because the scheduler
/// works for every branch; the service role can do nothing else there.
public struct EscalationStore: Sendable {
    let pool: PGPool

    /// Creates the store on the service pool.
    public init(pool: PGPool) { self.pool = pool }

    /// One tier of one complaint that fired.
    public struct Fired: Sendable, Equatable {
        public var branchID: UUID
        public var complaintID: UUID
        public var tier: Int
        /// When it was due (not when it was recorded).
        public var dueAt: Date
        /// How late it was recorded, in seconds.
        public var lateSeconds: Int
        /// Pages enqueued for it.
        public var pages: Int
    }

    /// Fires every due tier of up to `batch` due complaints, in one transaction.
    public func escalateDue(batch: Int) async throws -> [Fired] {
        try await pool.query("SELECT * FROM scheduler.escalate_due(\(Int32(batch)))").map { row in
            Fired(branchID: try row.decode(at: 0), complaintID: try row.decode(at: 1), tier: Int(try row.decode(Int16.self, at: 2)),
                  dueAt: try row.decode(at: 3), lateSeconds: try row.decode(at: 4), pages: try row.decode(at: 5))
        }
    }

    /// The earliest next escalation time of any complaint, or nil when nothing is scheduled.
    public func nextDue() async throws -> Date? {
        try await pool.query("SELECT scheduler.next_due()")[0].decode(Date?.self, at: 0)
    }
}
