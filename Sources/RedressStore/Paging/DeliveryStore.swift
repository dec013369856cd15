import Foundation
import Postgres

/// The delivery service's side of the webhook outboxes, through owner-defined functions
/// (`sql/0011_paging_delivery.sql`, `sql/0056_messages_to_complainants.sql`,
/// `sql/0059_the_enterprise_follows_complaint_events.sql`): claim due deliveries of pages,
/// messages to complainants and event feeds' batches with a lease, record each attempt.
public struct DeliveryStore: Sendable {
    let pool: PGPool
    /// Opens sealed messages to complainants.
    let vault: PersonalDataVault

    /// Creates the store on the scheduler's pool; `keys` open messages to complainants.
    public init(pool: PGPool, keys: PersonalDataKeys) {
        self.pool = pool
        vault = PersonalDataVault(keys: keys)
    }

    /// A delivery claimed for one attempt.
    public struct Claimed: Sendable {
        /// What the outbox holds: a page for a webhook, a message to a complainant for a gateway,
        /// or a batch of timeline entries for an events webhook.
        public enum Kind: Sendable { case page, message, feed }

        public var kind: Kind = .page
        public var branchID: UUID
        public var id: UUID
        /// The attempt's number, from 1.
        public var attempt: Int
        public var url: String
        public var secret: String
        /// The JSON body to post: the delivery id and the page or message.
        public var body: Data
        /// Why it cannot be posted at all (a message whose seal does not open here: `sealed`),
        /// recorded as the attempt's failure and retried like any other.
        public var refusal: String?
    }

    /// What happened to one attempt.
    public struct Outcome: Sendable {
        public var startedAt: Date
        public var duration: Duration
        /// The receiver's HTTP status, when it answered.
        public var statusCode: Int?
        /// Why it failed, when it did.
        public var error: String?
        /// When to try again; nil to dead-letter a failed delivery.
        public var retryAt: Date?

        /// Creates an outcome.
        public init(startedAt: Date, duration: Duration, statusCode: Int?, error: String?, retryAt: Date?) {
            self.startedAt = startedAt
            self.duration = duration
            self.statusCode = statusCode
            self.error = error
            self.retryAt = retryAt
        }
    }

    /// Claims up to `batch` due deliveries, branch by branch; each is leased for `lease` and comes
    /// back if no attempt is recorded by then.
    public func claim(batch: Int, lease: Duration) async throws -> [Claimed] {
        try await BranchClaims.claim(.deliveries, batch: batch, on: pool) { branch, left in
            try await pool.query("""
                SELECT branch_id, id, attempt, url, secret, body::text
                  FROM scheduler.claim_deliveries(\(branch), \(Int32(left)), \(Int32(lease.components.seconds)))
                """).map { row in
                Claimed(branchID: try row.decode(at: 0), id: try row.decode(at: 1), attempt: try row.decode(at: 2), url: try row.decode(at: 3),
                        secret: try row.decode(at: 4), body: Data(try row.decode(String.self, at: 5).utf8))
            }
        }
    }

    /// Records an attempt; returns the delivery's state after it (`delivered`, `pending`, `dead`,
    /// or `superseded` when another claimer holds a later attempt).
    @discardableResult
    public func record(_ delivery: Claimed, _ outcome: Outcome) async throws -> String {
        let milliseconds = outcome.duration.components.seconds * 1000 + outcome.duration.components.attoseconds / 1_000_000_000_000_000
        if delivery.kind == .message { return try await recordMessage(delivery, outcome, milliseconds: milliseconds) }
        if delivery.kind == .feed { return try await recordFeed(delivery, outcome) }
        return try await pool.query("""
            SELECT scheduler.record_delivery(\(delivery.branchID), \(delivery.id), \(Int32(delivery.attempt)), \(outcome.startedAt),
                                             \(Int32(clamping: milliseconds)), \(outcome.statusCode.map(Int32.init(clamping:)))::integer,
                                             \(outcome.error)::text, \(outcome.retryAt)::timestamptz)
            """)[0].decode(String.self, at: 0)
    }

    /// The earliest pending delivery's next attempt, or nil when nothing is pending.
    public func nextDue() async throws -> Date? {
        try await pool.query("SELECT scheduler.next_delivery()")[0].decode(Date?.self, at: 0)
    }
}
