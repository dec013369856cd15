import Foundation
import RedressCore

/// One entry of a work-queue bucket: the complaint as far as the queue needs it (no customer
/// personal data), its SLA state, and what put it in the bucket.
public struct WorkItem: Sendable, Equatable, Encodable {
    /// The complaint, without the complainant.
    public var complaint: Summary
    /// Escalation tiers fired, the next one, and milestones whose deadline passed before they were met.
    public var sla: SLAState
    /// The time the bucket orders by: when the plan was proposed, the escalation recorded, the
    /// complaint (or follow-up) fell due, or the complaint was received.
    public var since: Date
    /// The pending plan (awaiting my approval).
    public var planID: UUID?
    /// The oldest unacknowledged escalation's tier (escalated and unacknowledged).
    public var escalationTier: Int?
    /// The overdue follow-up and its kind (follow-ups overdue).
    public var followUpID: UUID?
    public var followUpKind: String?

    /// What a queue shows of a complaint.
    public struct Summary: Sendable, Equatable, Encodable {
        public var id: UUID
        public var branchID: UUID
        public var caseNumber: String
        public var status: ComplaintStatus
        public var level: Int?
        public var priority: String
        public var nature: String
        public var categoryID: UUID?
        public var departmentID: UUID?
        public var responsibleUserID: UUID?
        public var receivedAt: Date
        public var dueAt: Date?
        public var reopenCount: Int
    }

    /// Where a complaint stands against its deadlines.
    public struct SLAState: Sendable, Equatable, Encodable {
        /// Tiers of the escalation ladder already fired, lowest first.
        public var firedTiers: [Int]
        /// The next tier and when it fires, while the complaint is unresolved.
        public var nextTier: Int?
        public var nextTierAt: Date?
        /// Milestones whose deadline passed before they were met (or that are still unmet).
        public var breachedMilestones: [BreachedMilestone]
    }

    /// A milestone missed: its deadline, and when it was met late (nil while still unmet).
    public struct BreachedMilestone: Sendable, Equatable, Encodable {
        public var milestone: SLAMilestone
        public var deadline: Date
        public var metAt: Date?
    }
}

/// One bucket of a work queue: how many items it holds in all and one page of them.
public struct WorkQueueBucketPage: Sendable, Equatable {
    public var bucket: WorkQueueBucket
    public var count: Int
    public var items: [WorkItem]
    /// Continues this bucket after its last item (pass it with the bucket named); nil on the last page.
    public var nextCursor: String?
}
