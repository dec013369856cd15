import RedressCore
import RedressStore

extension Components.Schemas.WorkQueueBucket {
    /// A bucket as the API writes it.
    init(_ page: WorkQueueBucketPage) throws {
        self.init(bucket: try UnlistedValue.member(page.bucket.rawValue, "bucket"), count: page.count,
                  items: try page.items.map(Components.Schemas.WorkItem.init), nextCursor: page.nextCursor)
    }
}

extension Components.Schemas.WorkItem {
    /// A queue item as the API writes it.
    init(_ item: RedressStore.WorkItem) throws {
        let complaint = item.complaint
        self.init(
            since: item.since, planId: item.planID.map(Wire.id), escalationTier: item.escalationTier,
            followUpId: item.followUpID.map(Wire.id),
            followUpKind: try item.followUpKind.map { try UnlistedValue.member($0, "followUpKind") },
            complaint: .init(
                id: Wire.id(complaint.id), branchId: Wire.id(complaint.branchID), caseNumber: complaint.caseNumber,
                status: try UnlistedValue.member(complaint.status.rawValue, "status"), level: complaint.level,
                priority: complaint.priority, nature: complaint.nature, categoryId: complaint.categoryID.map(Wire.id),
                departmentId: complaint.departmentID.map(Wire.id), responsibleUserId: complaint.responsibleUserID.map(Wire.id),
                receivedAt: complaint.receivedAt, dueAt: complaint.dueAt, reopenCount: complaint.reopenCount),
            sla: .init(
                firedTiers: item.sla.firedTiers, nextTier: item.sla.nextTier, nextTierAt: item.sla.nextTierAt,
                breachedMilestones: try item.sla.breachedMilestones.map {
                    .init(milestone: try UnlistedValue.member($0.milestone.rawValue, "milestone"), deadline: $0.deadline, metAt: $0.metAt)
                }))
    }
}
