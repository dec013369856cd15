import Foundation
import Postgres

extension DeliveryStore {
    /// What an events webhook receives: the batch's delivery id (the same on every attempt) and
    /// its timeline entries in the order their transactions committed
    /// (`sql/0059_the_enterprise_follows_complaint_events.sql`).
    struct FeedPost: Encodable {
        var deliveryId: String
        var events: [FeedEvent]
    }

    /// One entry of the feed, without free text or personal data unless an operator granted the
    /// subscription the complainant's name and contacts.
    struct FeedEvent: Codable {
        struct Sealed: Codable {
            var keyId: String
            var box: String
        }

        struct Complainant: Codable {
            var name: String?
            var phone: String?
            var email: String?
        }

        var id: Int64
        var type: String
        var kind: String
        var at: String
        /// Lower case, as the API writes ids.
        var complaintId: String
        var caseNumber: String
        var status: String?
        var departmentId: String?
        var level: String?
        var priority: String?
        var tier: String?
        var reviewId: String?
        var outcome: String?
        var sealed: Sealed?
        var complainant: Complainant?
    }

    /// Claims up to `batch` due feed batches, branch by branch, leased for `lease`: each events
    /// webhook's next entries, or the batch it is retrying. Personal data, where an operator
    /// granted it, is opened here; an entry whose seal does not open carries none.
    public func claimFeeds(batch: Int, lease: Duration) async throws -> [Claimed] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try await BranchClaims.claim(.feeds, batch: batch, on: pool) { branch, left in
            try await pool.query("""
                SELECT branch_id, batch_id, attempt, url, secret, personal_data, entries::text
                  FROM scheduler.claim_event_feeds(\(branch), \(Int32(min(left, 100))), \(Int32(lease.components.seconds)))
                """).map { row in
                let branchID: UUID = try row.decode(at: 0)
                let id: UUID = try row.decode(at: 1)
                let granted: Bool = try row.decode(at: 5)
                let events = try JSONDecoder().decode([FeedEvent].self, from: Data(try row.decode(String.self, at: 6).utf8)).map { entry in
                    var entry = entry
                    // PostgreSQL's base64 breaks lines every 76 characters.
                    if granted, let sealed = entry.sealed, let box = Data(base64Encoded: sealed.box, options: .ignoreUnknownCharacters),
                       let complaint = UUID(uuidString: entry.complaintId),
                       let person = vault.open(SealedPersonalData(keyID: sealed.keyId, box: box), branchID: branchID, complaintID: complaint) {
                        entry.complainant = .init(name: person.name, phone: person.phone, email: person.email)
                    }
                    entry.sealed = nil
                    return entry
                }
                return Claimed(kind: .feed, branchID: branchID, id: id, attempt: try row.decode(at: 2), url: try row.decode(at: 3),
                               secret: try row.decode(at: 4),
                               body: try encoder.encode(FeedPost(deliveryId: id.uuidString.lowercased(), events: events)))
            }
        }
    }

    func recordFeed(_ delivery: Claimed, _ outcome: Outcome) async throws -> String {
        try await pool.query("""
            SELECT scheduler.record_event_batch(\(delivery.branchID), \(delivery.id), \(Int32(delivery.attempt)),
                                                \(outcome.statusCode.map(Int32.init(clamping:)))::integer, \(outcome.error)::text,
                                                \(outcome.retryAt)::timestamptz)
            """)[0].decode(String.self, at: 0)
    }
}
