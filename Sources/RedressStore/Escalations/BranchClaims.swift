import Foundation
import Postgres

/// Claims made one branch at a time (`sql/0026_claims_per_branch.sql`). The branches with work
/// due are listed first, without locking anything; each claim then locks rows of one branch
/// only, as Citus requires of `FOR UPDATE … SKIP LOCKED`, in a transaction of its own.
enum BranchClaims {
    /// The kinds of scheduled work: `scheduler.due_branches` lists the branches of each, but of
    /// messages, reviews, event feeds, rectification tasks and institutions' replies, which functions
    /// of their own list (0056, 0057, 0059, 0062, 0067).
    enum Work: String {
        case escalations, alarms, repages, followUps = "follow_ups", deliveries, messages, reviews, feeds, rectifications
        case institutionReplies = "institution_replies"
    }

    /// Claims up to `batch` items of `work`: lists the branches of the `batch` items due longest
    /// (`scheduler.due_branches`), then claims in each, in their order, with what is left of the batch.
    static func claim<Item>(_ work: Work, batch: Int, on pool: PGPool, _ claim: (UUID, Int) async throws -> [Item]) async throws -> [Item] {
        let listing: PGQuery = switch work {
        case .messages: "SELECT branch_id FROM scheduler.due_message_branches(\(Int32(batch)))"
        case .reviews: "SELECT branch_id FROM scheduler.due_review_branches(\(Int32(batch)))"
        case .feeds: "SELECT branch_id FROM scheduler.due_feed_branches(\(Int32(batch)))"
        case .rectifications: "SELECT branch_id FROM scheduler.due_rectification_branches(\(Int32(batch)))"
        case .institutionReplies: "SELECT branch_id FROM scheduler.due_institution_reply_branches(\(Int32(batch)))"
        default: "SELECT branch_id FROM scheduler.due_branches(\(work.rawValue), \(Int32(batch)))"
        }
        let branches: [UUID] = try await pool.query(listing).map { try $0.decode(at: 0) }
        var claimed: [Item] = []
        for branch in branches where claimed.count < batch {
            claimed += try await claim(branch, batch - claimed.count)
        }
        return claimed
    }
}
